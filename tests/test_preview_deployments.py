"""Preview deployments (the service's per-pull-request builds, `is_preview`) are never taken for ours.

A preview carries its parent's name and, at creation, its parent's env (control-plane-api.md, S6
preview-builds), so the ownership tag too. Name searches (resume after a kill, `adopt=True`, the
`get_deployment` lookup) skip it; `adopt_id` and `pulumi import` of one are refused with a message that
says to manage the parent. Against the local control plane, which makes previews on a test-control
route (`POST /_emulator/deployments/{id}/preview`). The stack-level test is
tests/e2e/test_preview_deployments.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from langsmith_emulator.testing import API_KEY, TENANT_ID
from pulumi_langsmith.core.budget import Budget
from pulumi_langsmith.core.client import ControlPlaneClient
from pulumi_langsmith.core.config import Settings
from pulumi_langsmith.deployment.provider import DeploymentError, DeploymentProvider
from pulumi_langsmith.lookups import LookupFailed, find_deployment

from .e2e.reliability_support import wait_until
from .support.server import api

IMAGE = "registry.example.com/agents/pr:1"


def settings_of(emulator: Any) -> Settings:
    return Settings(base_url=emulator.url, workspace_id=TENANT_ID, api_key=API_KEY)


def client_of(emulator: Any) -> ControlPlaneClient:
    return ControlPlaneClient(settings_of(emulator), budget=Budget(0))


def made(emulator: Any, name: str) -> dict[str, Any]:
    body = {
        "name": name,
        "source": "external_docker",
        "source_config": {"resource_spec": {}},
        "source_revision_config": {"image_uri": IMAGE},
        "secrets": [{"name": "PULUMI_LANGSMITH_OWNER", "value": "proj/stack/agent"}],
    }
    return dict(api(emulator, "POST", "/v2/deployments", json=body))


def preview_of(emulator: Any, dep_id: str) -> dict[str, Any]:
    preview = dict(api(emulator, "POST", f"/_emulator/deployments/{dep_id}/preview"))
    assert preview["is_preview"] is True and preview["id"] != dep_id
    return preview


def test_the_local_control_plane_makes_previews_with_the_parents_name_and_env(emulator: Any) -> None:
    parent = made(emulator, "pr-agent")
    preview = preview_of(emulator, parent["id"])
    assert preview["name"] == parent["name"] and preview["secrets"] == parent["secrets"]
    listed = api(emulator, "GET", "/v2/deployments", params={"name_contains": "pr-agent"})["resources"]
    assert sorted(d["id"] for d in listed) == sorted([parent["id"], preview["id"]])
    assert [d["is_preview"] for d in listed if d["id"] == parent["id"]] == [False]


@pytest.mark.parametrize("parent_gone", [False, True], ids=["parent-and-preview", "preview-only"])
def test_a_name_search_never_yields_a_preview(emulator: Any, parent_gone: bool) -> None:
    parent = made(emulator, "pr-agent")
    preview = preview_of(emulator, parent["id"])
    if parent_gone:  # the parent deleted, its preview left (it lives until its pull request closes)
        api(emulator, "DELETE", f"/v2/deployments/{parent['id']}", params={"delete_tracing_project": "true"})
        wait_until("the parent's delete", lambda: [d["id"] for d in live(emulator)] == [preview["id"]])
    client = client_of(emulator)
    listed = [d["id"] for d in client.iter_deployments(name_contains="pr-agent")]
    found = client.find_deployment("pr-agent")
    if parent_gone:
        assert listed == [] and found is None
        with pytest.raises(LookupFailed, match="no LangSmith deployment named 'pr-agent'"):
            find_deployment(client, settings_of(emulator), "pr-agent", None)
    else:
        assert listed == [parent["id"]] and found is not None and found["id"] == parent["id"]
        assert find_deployment(client, settings_of(emulator), "pr-agent", None)["id"] == parent["id"]


def live(emulator: Any) -> list[dict[str, Any]]:
    return list(api(emulator, "GET", "/v2/deployments")["resources"])


def provider_for(emulator: Any) -> DeploymentProvider:
    provider = DeploymentProvider()
    provider.config_error = None
    client = client_of(emulator)
    provider.client = lambda: client  # type: ignore[method-assign]
    return provider


def test_import_of_a_preview_is_refused_naming_its_parent(emulator: Any) -> None:
    preview = preview_of(emulator, made(emulator, "pr-agent")["id"])
    with pytest.raises(DeploymentError) as raised:
        provider_for(emulator).imported(preview["id"])
    assert f"deployment {preview['id']} is a preview deployment" in str(raised.value)
    assert "manage its parent deployment instead" in str(raised.value)


def test_adopt_id_of_a_preview_is_refused(emulator: Any) -> None:
    preview = preview_of(emulator, made(emulator, "pr-agent")["id"])
    provider = provider_for(emulator)
    news = {
        "name": "pr-agent",
        "source": "external_docker",
        "source_revision_config": {"image_uri": IMAGE},
        "adopt_id": preview["id"],
        "wait": {"enabled": False},
    }
    checked = provider.check({}, news)
    assert not checked.failures, checked.failures
    with pytest.raises(DeploymentError) as raised:
        provider.create(dict(checked.inputs or {}))
    assert f"adopt_id: deployment {preview['id']} is a preview deployment" in str(raised.value)
    assert len(live(emulator)) == 2  # nothing made, nothing taken
