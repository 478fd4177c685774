"""The ordered lifecycle of one stack through the real Pulumi CLI (issue 5, "Lifecycle").

One stack walks through every step, the way a user edits a program between runs; after each step
the state, `stack export` and the CLI output hold no secret value and secret outputs are ciphertext.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from ..support.server import API
from .harness import E2EStack, last_seq, live_deployments
from .lifecycle_support import (
    ALL,
    ONE,
    assert_secrets_sealed,
    count,
    deployment,
    env_of,
    revision,
    revisions,
    single_program,
    writes,
)

pytestmark = pytest.mark.e2e

SECRET_1 = "sk-lifecycle-first-7f3a9c"
SECRET_2 = "sk-lifecycle-second-b81e44"
SECRETS = [SECRET_1, SECRET_2]


def test_lifecycle(tmp_path: Path, emulator: Any) -> None:
    settings: dict[str, Any] = {"secrets": {"OPENAI_API_KEY": SECRET_1}, "repo_ref": "main"}
    s = E2EStack(tmp_path, emulator, single_program(settings))

    # 1. up: created, first revision awaited to DEPLOYED.
    s.up()
    out = s.outputs()
    dep_id, name = out["d_id"], out["d_name"]
    assert out["d_status"] == "DEPLOYED"
    assert name.startswith("agent-") and len(name) == len("agent-") + 7
    live = live_deployments(emulator)
    assert [d["id"] for d in live] == [dep_id]
    server = deployment(emulator, dep_id)
    assert server["active_revision_id"] == server["latest_revision_id"] == out["d_revision"]
    assert env_of(server)["OPENAI_API_KEY"] == SECRET_1
    assert_secrets_sealed(s, SECRETS)

    # 2. preview --expect-no-changes, with no write to the control plane at all.
    seq = last_seq(emulator)
    s.preview(expect_no_changes=True)
    assert writes(emulator, seq) == []
    assert_secrets_sealed(s, SECRETS)

    # 3. refresh --expect-no-changes (reads only).
    seq = last_seq(emulator)
    result = s.refresh(expect_no_changes=True)
    assert set(result.summary.resource_changes or {}) <= {"same"}
    assert writes(emulator, seq) == []
    assert_secrets_sealed(s, SECRETS)

    # 4. repo_ref: exactly one new revision, awaited to DEPLOYED.
    settings["repo_ref"] = "release-2"
    seq = last_seq(emulator)
    result = s.up()
    assert (result.summary.resource_changes or {}).get("update") == 1
    assert writes(emulator, seq) == [("PATCH", ONE)]
    out = s.outputs()
    assert out["d_id"] == dep_id and out["d_status"] == "DEPLOYED"
    assert out["d_revision"] != server["latest_revision_id"]
    rev = revision(emulator, dep_id, out["d_revision"])
    assert rev["status"] == "DEPLOYED" and rev["source_revision_config"]["repo_ref"] == "release-2"
    assert deployment(emulator, dep_id)["active_revision_id"] == out["d_revision"]
    assert len(revisions(emulator, dep_id)) == 2
    assert_secrets_sealed(s, SECRETS)

    # 5. display_name and build_on_push: one PATCH, no revision.
    settings.update(display_name="Lifecycle agent", build_on_push=True)
    seq = last_seq(emulator)
    s.up()
    assert writes(emulator, seq) == [("PATCH", ONE)]
    server = deployment(emulator, dep_id)
    assert server.get("display_name") == ("Lifecycle agent" if API == "current" else None)  # spec: none
    assert server["source_config"]["build_on_push"] is True
    assert len(revisions(emulator, dep_id)) == 2
    assert s.outputs()["d_revision"] == out["d_revision"]
    assert_secrets_sealed(s, SECRETS)

    # 6. A secret value: one revision; state still holds no plaintext (old nor new value).
    settings["secrets"] = {"OPENAI_API_KEY": SECRET_2}
    seq = last_seq(emulator)
    s.up()
    assert writes(emulator, seq) == [("PATCH", ONE)]
    server = deployment(emulator, dep_id)
    assert env_of(server)["OPENAI_API_KEY"] == SECRET_2
    assert server["active_revision_id"] == server["latest_revision_id"] == s.outputs()["d_revision"]
    assert len(revisions(emulator, dep_id)) == 3
    assert_secrets_sealed(s, SECRETS)
    s.preview(expect_no_changes=True)

    # 7a. Replace (deployment_type) with an auto-name: a new name, created before the old is deleted.
    settings["deployment_type"] = "prod"
    seq = last_seq(emulator)
    result = s.up()
    assert (result.summary.resource_changes or {}).get("replace") == 1
    out = s.outputs()
    assert out["d_id"] != dep_id and out["d_name"] != name and out["d_name"].startswith("agent-")
    calls = writes(emulator, seq)
    assert calls.index(("POST", ALL)) < calls.index(("DELETE", ONE)), calls
    assert count(calls, "POST", ALL) == 1 and count(calls, "DELETE", ONE) == 1
    assert [(d["id"], d["source_config"]["deployment_type"]) for d in live_deployments(emulator)] == [
        (out["d_id"], "prod")
    ]
    assert env_of(deployment(emulator, out["d_id"]))["OPENAI_API_KEY"] == SECRET_2
    assert out["d_status"] == "DEPLOYED"
    assert_secrets_sealed(s, SECRETS)

    # 7b. A fixed name (itself a replacement, to a new name).
    settings["name"] = "lifecycle-fixed"
    s.up()
    fixed_id = s.outputs()["d_id"]
    assert [d["name"] for d in live_deployments(emulator)] == ["lifecycle-fixed"]
    assert_secrets_sealed(s, SECRETS)

    # 7c. A fixed-name replacement without delete_tracing_project: preview refuses it, naming the
    # property, before anything is written.
    settings["deployment_type"] = "dev"
    seq = last_seq(emulator)
    with pytest.raises(auto.CommandError) as refused:
        s.preview()
    message = str(refused.value)
    assert "source_config.deployment_type" in message and "delete_tracing_project" in message
    assert writes(emulator, seq) == []
    with pytest.raises(auto.CommandError):
        s.up()
    assert writes(emulator, seq) == []
    assert [d["id"] for d in live_deployments(emulator)] == [fixed_id]
    assert_secrets_sealed(s, SECRETS)

    # 7d. delete_tracing_project=True is applied first (stored in state only, no API call) ...
    settings["deployment_type"] = "prod"
    settings["delete_tracing_project"] = True
    seq = last_seq(emulator)
    s.up()
    assert writes(emulator, seq) == []
    # ... then the same replacement goes through, delete first, and reuses the name.
    settings["deployment_type"] = "dev"
    seq = last_seq(emulator)
    result = s.up()
    assert (result.summary.resource_changes or {}).get("replace") == 1
    calls = writes(emulator, seq)
    assert calls.index(("DELETE", ONE)) < calls.index(("POST", ALL)), calls
    out = s.outputs()
    assert out["d_name"] == "lifecycle-fixed" and out["d_id"] != fixed_id and out["d_status"] == "DEPLOYED"
    assert [(d["id"], d["source_config"]["deployment_type"]) for d in live_deployments(emulator)] == [
        (out["d_id"], "dev")
    ]
    assert_secrets_sealed(s, SECRETS)
    s.preview(expect_no_changes=True)

    # 8. destroy: nothing left.
    s.destroy()
    assert live_deployments(emulator) == []
    assert s.resources() == []
    assert_secrets_sealed(s, SECRETS, expect_resources=False)
