"""Smallest real-CLI round trip: up, no-op preview, destroy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest

from pulumi_langsmith import Deployment, SourceConfigArgs, SourceRevisionConfigArgs

from ..support.data import GITHUB_INTEGRATION_ID
from .harness import E2EStack, is_ciphertext, live_deployments, mutating_requests

pytestmark = pytest.mark.e2e


def test_up_preview_destroy(tmp_path: Path, emulator: Any) -> None:
    def program() -> None:
        d = Deployment(
            "smoke",
            source="github",
            source_config=SourceConfigArgs(
                integration_id=GITHUB_INTEGRATION_ID,
                repo_url="https://github.com/langchain-ai/langgraph-example",
                deployment_type="dev",
            ),
            source_revision_config=SourceRevisionConfigArgs(repo_ref="main", langgraph_config_path="langgraph.json"),
            secrets={"OPENAI_API_KEY": "sk-smoke-secret-123"},
            wait={"poll_min_seconds": 0.1, "poll_max_seconds": 0.5},
        )
        pulumi.export("status", d.revision_status)
        pulumi.export("name", d.name)

    s = E2EStack(tmp_path, emulator, program)
    s.up()
    assert s.outputs()["status"] == "DEPLOYED"
    assert [d["name"] for d in live_deployments(emulator)] == [s.outputs()["name"]]
    [res] = s.resources()
    assert is_ciphertext(res["outputs"]["secrets"]) and is_ciphertext(res["outputs"]["secrets_hash"])
    assert is_ciphertext(res["inputs"]["secrets"])
    seq = emulator.requests()[-1]["seq"]
    s.preview(expect_no_changes=True)
    assert mutating_requests(emulator, since=seq) == []
    s.assert_no_plaintext(["sk-smoke-secret-123"])
    s.destroy()
    assert live_deployments(emulator) == []
