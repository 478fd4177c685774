"""Lookups in a program (`get_deployment`, `list_revisions`, `get_github_integration`) through the real CLI.

They run in the program process with the stack's `langsmith:*` config, during preview too, and only read.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from langsmith_emulator.testing import GITHUB_INTEGRATION_ID, GITHUB_REPO_URL, TENANT_ID
from pulumi_langsmith.lookups import get_deployment, get_github_integration, list_revisions

from ..support.data import github_body
from .harness import E2EStack, api, last_seq, mutating_requests

pytestmark = pytest.mark.e2e


def deployed(emulator: Any, name: str) -> dict[str, Any]:
    """A deployment made out of band (another team's), waited until its first revision is live."""
    dep = api(emulator, "POST", "/v2/deployments", json=github_body(name))
    for _ in range(200):
        dep = api(emulator, "GET", f"/v2/deployments/{dep['id']}")
        if dep.get("active_revision_id"):
            return dict(dep)
        time.sleep(0.05)
    raise AssertionError("the out-of-band deployment never reached DEPLOYED")


def test_lookups_feed_the_program_and_only_read(tmp_path: Path, emulator: Any) -> None:
    other = deployed(emulator, "shared-agent")

    def program() -> None:
        by_name = get_deployment(name="shared-agent")
        by_id = get_deployment(deployment_id=by_name.apply(lambda d: str(d["id"])))
        pulumi.export("by_name", by_name)
        pulumi.export("same_id", by_id.apply(lambda d: d["id"]))
        pulumi.export("deployed", list_revisions(by_name.apply(lambda d: str(d["id"])), status="DEPLOYED"))
        pulumi.export("integration", get_github_integration(GITHUB_REPO_URL.upper() + ".git"))

    s = E2EStack(tmp_path, emulator, program)
    seq = last_seq(emulator)
    s.preview()
    assert mutating_requests(emulator, seq) == []  # lookups at preview read only
    s.up()
    outs = s.outputs()
    assert outs["by_name"]["id"] == other["id"] == outs["same_id"]
    assert outs["by_name"]["url"] == other["source_config"]["custom_url"]
    assert outs["by_name"]["tenant_id"] == TENANT_ID
    assert outs["by_name"]["dashboard_url"] == f"{emulator.url}/o/{TENANT_ID}/host/deployments/{other['id']}"
    assert outs["by_name"]["secret_names"] == ["OPENAI_API_KEY"] and "sk-test" not in s.output()
    assert [r["id"] for r in outs["deployed"]] == [other["active_revision_id"]]
    assert outs["integration"]["id"] == GITHUB_INTEGRATION_ID
    assert outs["integration"]["repo"]["url"] == GITHUB_REPO_URL
    assert mutating_requests(emulator, seq) == []
    assert "sk-test" not in s.raw_state()


def test_lookup_of_a_missing_deployment_fails_with_its_name(tmp_path: Path, emulator: Any) -> None:
    def program() -> None:
        pulumi.export("d", get_deployment(name="no-such-agent"))

    s = E2EStack(tmp_path, emulator, program)
    with pytest.raises(auto.CommandError) as err:
        s.preview()
    assert "no LangSmith deployment named 'no-such-agent'" in str(err.value)
    assert "Traceback" not in str(err.value)


def test_repo_no_integration_can_see_is_explained(tmp_path: Path, emulator: Any) -> None:
    def program() -> None:
        pulumi.export("i", get_github_integration("https://github.com/nobody/nothing"))

    s = E2EStack(tmp_path, emulator, program)
    with pytest.raises(auto.CommandError) as err:
        s.preview()
    assert "no GitHub integration of this workspace can see https://github.com/nobody/nothing" in str(err.value)
