"""A stack never takes a preview deployment for its own (issue 29): `adopt=True` by name, with only a
preview of that name left (its parent deleted; previews live until their pull request closes, and carry
the parent's name and env), makes a new deployment and leaves the preview alone, through up, an empty
preview and destroy. The name-search, lookup, `adopt_id` and import cases are in
tests/test_preview_deployments.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_langsmith import Deployment, DeploymentArgs, SourceConfigArgs, SourceRevisionConfigArgs

from .harness import SPEC_API, E2EStack, api, last_seq, live_deployments
from .lifecycle_support import ALL, FAST_WAIT, count, export_deployment, writes
from .reliability_support import wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        SPEC_API,
        reason="the spec's Deployment has no is_preview: a server of that shape does not tell a preview from its "
        "parent (the docs' current Deployment does); run against the current API only",
    ),
]

NAME = "pr-agent"
IMAGE = "registry.example.com/agents/pr:1"


def program() -> None:
    export_deployment(
        "d",
        Deployment(
            "agent",
            DeploymentArgs(
                source="external_docker",
                name=NAME,
                source_config=SourceConfigArgs(resource_spec={}),
                source_revision_config=SourceRevisionConfigArgs(image_uri=IMAGE),
                env={"MODE": "prod"},
                adopt=True,
                wait=FAST_WAIT,
            ),
        ),
    )


def test_adopt_by_name_passes_over_a_preview_of_that_name(tmp_path: Path, emulator: Any) -> None:
    body = {
        "name": NAME,
        "source": "external_docker",
        "source_config": {"resource_spec": {}},
        "source_revision_config": {"image_uri": IMAGE},
        "secrets": [{"name": "MODE", "value": "prod"}],
    }
    parent = api(emulator, "POST", "/v2/deployments", json=body)
    preview = api(emulator, "POST", f"/_emulator/deployments/{parent['id']}/preview")
    api(emulator, "DELETE", f"/v2/deployments/{parent['id']}", params={"delete_tracing_project": "true"})
    wait_until("the parent's delete", lambda: [d["id"] for d in live_deployments(emulator)] == [preview["id"]])

    s = E2EStack(tmp_path, emulator, program)
    seq = last_seq(emulator)
    s.up()
    out = s.outputs()
    assert count(writes(emulator, seq), "POST", ALL) == 1, writes(emulator, seq)
    assert out["d_id"] not in (preview["id"], parent["id"]) and out["d_status"] == "DEPLOYED"
    assert sorted(d["id"] for d in live_deployments(emulator)) == sorted([preview["id"], out["d_id"]])
    assert api(emulator, "GET", f"/v2/deployments/{preview['id']}")["updated_at"] == preview["updated_at"]
    s.preview(expect_no_changes=True)

    s.destroy()
    assert [d["id"] for d in live_deployments(emulator)] == [preview["id"]]
