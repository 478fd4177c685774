"""Settings resolution inside the real provider host: what a user with an org-scoped key sees."""

from __future__ import annotations

from typing import Any

import pytest

from langsmith_emulator.testing import API_KEY

from .support.data import github_inputs
from .support.host import HostError, provider_host


def test_org_scoped_key_without_workspace_is_explained(emulator: Any) -> None:
    with provider_host(env={"LANGSMITH_WORKSPACE_ID": "", "LANGSMITH_TENANT_ID": ""}) as host:
        host.configure({"langsmith:apiKey": API_KEY, "langsmith:controlPlaneUrl": emulator.url})
        inputs, failures = host.check({}, github_inputs())
        assert failures == []
        with pytest.raises(HostError) as err:
            host.create(inputs)
    message = str(err.value)
    assert "HTTP 403" in message and "langsmith:workspaceId" in message and "Settings > Workspaces" in message
    assert [r for r in emulator.requests() if r["method"] != "GET"] == []  # refused before any write


def test_workspace_from_vendor_cli_variable(emulator: Any) -> None:
    from langsmith_emulator.testing import TENANT_ID

    with provider_host(env={"LANGSMITH_WORKSPACE_ID": "", "LANGSMITH_TENANT_ID": TENANT_ID}) as host:
        host.configure({"langsmith:apiKey": API_KEY, "langsmith:controlPlaneUrl": emulator.url})
        inputs, _ = host.check({}, github_inputs())
        dep_id, outs = host.create(inputs)
        host.delete(dep_id, outs)
    assert {r["tenant_id"] for r in emulator.requests()} == {TENANT_ID}
