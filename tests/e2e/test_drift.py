"""Out-of-band changes made through the API (issue 5, "Drift"): `refresh` shows each one, `up` restores it.

One stack holds a GitHub-source and a self-hosted (external_docker) deployment. Each drift is made
with a plain API call, as another user, a script or the UI would; then `refresh` must report it (a
change in its summary and the drifted value in state) and the next `up` must put the declared
value back on the server.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pulumi_langsmith import Deployment
from pulumi_langsmith.deployment.model import OWNERSHIP_ENV

from ..support.server import API
from .harness import E2EStack, api, last_seq, live_deployments
from .lifecycle_support import (
    ALL,
    ONE,
    assert_secrets_sealed,
    deployment,
    docker_args,
    env_of,
    export_deployment,
    github_args,
    revision,
    writes,
)

pytestmark = pytest.mark.e2e

GH_SECRET = "sk-drift-github-4d1c0e"
IMG_SECRET = "pw-drift-docker-92aa71"
OOB_SECRET = "sk-out-of-band-e5f0b3"  # written by "someone else": must not reach the state either
SECRETS = [GH_SECRET, IMG_SECRET, OOB_SECRET]
IMAGE = "registry.example.com/agent:1.0"


def program() -> None:
    gh = Deployment("gh", github_args({"secrets": {"OPENAI_API_KEY": GH_SECRET}, "display_name": "Drift GH"}))
    img = Deployment("img", docker_args({"secrets": {"DB_PASSWORD": IMG_SECRET}, "image_uri": IMAGE}))
    export_deployment("gh", gh)
    export_deployment("img", img)


def state_outputs(s: E2EStack, resource_name: str) -> dict[str, Any]:
    [res] = [r for r in s.resources() if r["urn"].endswith(f"::{resource_name}")]
    return dict(res["outputs"])


def captured(s: E2EStack, command: Callable[[], Any]) -> tuple[Any, str]:
    """Run one CLI command; return its result and what it printed."""
    start = len(s.log)
    result = command()
    # Property names are padded to align their colons: `repo_ref   : "a" => "b"` becomes `repo_ref: ...`.
    return result, re.sub(r"[ ]+:", ":", "\n".join(s.log[start:]))


def refresh_shows(s: E2EStack, change: str, refresh_lines: list[str], preview_lines: list[str]) -> None:
    """`refresh` reports the drift (summary and `--diff` text); the preview that follows names what
    `up` will put back."""
    result, text = captured(s, lambda: s.refresh(diff=True))
    changes = {k: v for k, v in (result.summary.resource_changes or {}).items() if k != "same"}
    assert changes == {change: 1}, changes
    for line in refresh_lines:
        assert line in text, f"refresh --diff does not show {line!r}:\n{text}"
    preview, text = captured(s, lambda: s.preview(diff=True))
    planned = {k: v for k, v in preview.change_summary.items() if k != "same"}
    assert planned == {"create" if change == "delete" else change: 1}, planned
    for line in preview_lines:
        assert line in text, f"preview --diff after refresh does not show {line!r}:\n{text}"


def wait_gone(emulator: Any, dep_id: str) -> None:
    deadline = time.monotonic() + 30
    while any(d["id"] == dep_id for d in live_deployments(emulator)):
        assert time.monotonic() < deadline, "out-of-band delete did not finish"
        time.sleep(0.05)


def test_drift_is_refreshed_and_restored(tmp_path: Path, emulator: Any) -> None:
    s = E2EStack(tmp_path, emulator, program)
    s.up()
    out = s.outputs()
    gh, img = out["gh_id"], out["img_id"]
    assert out["gh_status"] == out["img_status"] == "DEPLOYED"
    gh_owner = env_of(deployment(emulator, gh))[OWNERSHIP_ENV]
    img_owner = env_of(deployment(emulator, img))[OWNERSHIP_ENV]
    s.refresh(expect_no_changes=True)
    assert_secrets_sealed(s, SECRETS)

    # A new image, PATCHed out of band (a server-side revision).
    api(emulator, "PATCH", f"/v2/deployments/{img}", json={"source_revision_config": {"image_uri": "evil/agent:6.6"}})
    refresh_shows(
        s,
        "update",
        [f'image_uri: "{IMAGE}" => "evil/agent:6.6"'],
        [f'image_uri: "evil/agent:6.6" => "{IMAGE}"'],
    )
    assert state_outputs(s, "img")["source_revision_config"]["image_uri"] == "evil/agent:6.6"
    seq = last_seq(emulator)
    s.up()
    assert writes(emulator, seq) == [("PATCH", ONE)]
    server = deployment(emulator, img)
    assert server["source_revision_config"]["image_uri"] == IMAGE
    assert server["active_revision_id"] == server["latest_revision_id"]
    assert_secrets_sealed(s, SECRETS)

    # A new git ref, PATCHed out of band (a server-side revision).
    api(emulator, "PATCH", f"/v2/deployments/{gh}", json={"source_revision_config": {"repo_ref": "hotfix"}})
    refresh_shows(s, "update", ['repo_ref: "main" => "hotfix"'], ['repo_ref: "hotfix" => "main"'])
    assert state_outputs(s, "gh")["source_revision_config"]["repo_ref"] == "hotfix"
    seq = last_seq(emulator)
    s.up()
    assert writes(emulator, seq) == [("PATCH", ONE)]
    server = deployment(emulator, gh)
    latest = revision(emulator, gh, server["latest_revision_id"])
    assert latest["source_revision_config"]["repo_ref"] == "main" and latest["status"] == "DEPLOYED"
    assert_secrets_sealed(s, SECRETS)

    # A secret value changed out of band, the ownership tag kept (as an env editor would).
    api(
        emulator,
        "PATCH",
        f"/v2/deployments/{gh}",
        json={"secrets": [{"name": "OPENAI_API_KEY", "value": OOB_SECRET}, {"name": OWNERSHIP_ENV, "value": gh_owner}]},
    )
    refresh_shows(s, "update", ["secrets_hash"], [])
    seq = last_seq(emulator)
    s.up()
    assert writes(emulator, seq) == [("PATCH", ONE)]
    assert env_of(deployment(emulator, gh)) == {"OPENAI_API_KEY": GH_SECRET, OWNERSHIP_ENV: gh_owner}
    assert_secrets_sealed(s, SECRETS)

    # The whole env replaced out of band, ownership tag dropped: drift on the value; `up` restores both.
    api(emulator, "PATCH", f"/v2/deployments/{img}", json={"secrets": [{"name": "DB_PASSWORD", "value": OOB_SECRET}]})
    refresh_shows(s, "update", ["secrets_hash"], [])
    seq = last_seq(emulator)
    s.up()
    assert writes(emulator, seq) == [("PATCH", ONE)]
    assert env_of(deployment(emulator, img)) == {"DB_PASSWORD": IMG_SECRET, OWNERSHIP_ENV: img_owner}
    assert_secrets_sealed(s, SECRETS)

    # build_on_push flipped out of band: restored by PATCH, without a revision.
    api(emulator, "PATCH", f"/v2/deployments/{gh}", json={"source_config": {"build_on_push": True}})
    refresh_shows(s, "update", ["build_on_push: false => true"], ["build_on_push: true => false"])
    assert state_outputs(s, "gh")["source_config"]["build_on_push"] is True
    seq = last_seq(emulator)
    s.up()
    assert writes(emulator, seq) == [("PATCH", ONE)]
    assert deployment(emulator, gh)["source_config"]["build_on_push"] is False
    assert_secrets_sealed(s, SECRETS)

    # Deleted outright: refresh drops it from state, and `up` creates it again, under a new autoname
    # (as for any Pulumi create; a fresh name never collides with a tracing project left behind).
    name = out["gh_name"]
    api(emulator, "DELETE", f"/v2/deployments/{gh}", params={"delete_tracing_project": "true"})
    wait_gone(emulator, gh)
    refresh_shows(s, "delete", ["(delete)"], ["(create)"])
    assert [r["urn"].rsplit("::", 1)[1] for r in s.resources()] == ["img"]
    seq = last_seq(emulator)
    s.up()
    calls = writes(emulator, seq)
    assert calls[0] == ("POST", ALL) and ("DELETE", ONE) not in calls, calls
    out = s.outputs()
    assert out["gh_name"] != name and out["gh_name"].startswith("gh-") and out["gh_id"] != gh
    assert out["gh_status"] == "DEPLOYED"
    server = deployment(emulator, out["gh_id"])
    assert server.get("display_name") == ("Drift GH" if API == "current" else None)
    assert env_of(server)["OPENAI_API_KEY"] == GH_SECRET
    assert_secrets_sealed(s, SECRETS)

    # Converged: nothing left to refresh or to apply.
    s.refresh(expect_no_changes=True)
    s.preview(expect_no_changes=True)
    s.destroy()
    assert live_deployments(emulator) == []
    assert_secrets_sealed(s, SECRETS, expect_resources=False)
