"""examples/self-hosted-listener run as a user would: up, a no-change refresh and preview, destroy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .harness import ROOT, E2EStack, api, last_seq, live_deployments
from .lifecycle_support import copy_project, deployment, writes

pytestmark = pytest.mark.e2e


def test_example_self_hosted_listener(tmp_path: Path, emulator: Any) -> None:
    s = E2EStack(
        tmp_path,
        emulator,
        work_dir=copy_project(ROOT / "examples" / "self-hosted-listener", tmp_path / "src"),
        control_plane_url=f"{emulator.url}/api-host",
    )
    s.up()
    out = s.outputs()
    assert out["revision_status"] == "DEPLOYED"
    listener = api(emulator, "GET", f"/v2/listeners/{out['listener_id']}")
    assert listener["compute_id"] == "local-cluster"
    assert deployment(emulator, out["deployment_id"])["source_config"]["listener_id"] == out["listener_id"]
    seq = last_seq(emulator)
    s.refresh(expect_no_changes=True)
    s.preview(expect_no_changes=True)
    assert writes(emulator, seq) == []
    s.destroy()
    assert live_deployments(emulator) == []
    ids = [item["id"] for item in api(emulator, "GET", "/v2/listeners", params={"limit": 100})["resources"]]
    assert out["listener_id"] not in ids
