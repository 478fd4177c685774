"""`env` beside `secrets`, the clickable outputs, `adopt_id` and live build logs, through the real
Pulumi CLI (issue 13)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from langsmith_emulator.testing import TENANT_ID
from pulumi_langsmith import Deployment

from ..support.data import github_body
from .harness import SPEC_API, E2EStack, api, last_seq, live_deployments
from .lifecycle_support import ONE, assert_secrets_sealed, count, deployment, env_of, github_args, writes

pytestmark = pytest.mark.e2e

SECRET = "sk-env-test-5d1c0e"


def program(settings: dict[str, Any]) -> Callable[[], None]:
    def run() -> None:
        d = Deployment("agent", github_args(settings))
        for key in ("deployment_id", "url", "tenant_id", "dashboard_url", "env", "revision_status", "name"):
            pulumi.export(key, getattr(d, key))

    return run


def test_env_is_plain_secrets_stay_sealed_and_up_streams_build_logs(tmp_path: Path, emulator: Any) -> None:
    settings: dict[str, Any] = {"env": {"LOG_LEVEL": "info"}, "secrets": {"OPENAI_API_KEY": SECRET}}
    s = E2EStack(tmp_path, emulator, program(settings))
    s.up()
    out = s.outputs()
    dep_id = out["deployment_id"]
    server = deployment(emulator, dep_id)
    assert env_of(server)["LOG_LEVEL"] == "info" and env_of(server)["OPENAI_API_KEY"] == SECRET
    # The clickable outputs: the workspace's page for this deployment, and the URL the service gave.
    assert out["tenant_id"] == TENANT_ID == server["tenant_id"]
    assert out["dashboard_url"].endswith(f"/o/{TENANT_ID}/host/deployments/{dep_id}")
    assert out["url"] == server["source_config"]["custom_url"]
    assert out["env"] == {"LOG_LEVEL": "info"} and out["revision_status"] == "DEPLOYED"
    # Live build log lines on the deployment's row while `up` waited; never a secret value.
    log = s.output()
    if SPEC_API:  # a server of the official spec has no log route: nothing is streamed
        assert "[build]" not in log, log
    else:
        assert "[build] Build succeeded" in log, log
    assert SECRET not in log
    assert_secrets_sealed(s, [SECRET])
    assert re.search(r'"LOG_LEVEL":\s*"info"', s.raw_state())  # env is plain in state

    # A change of env is a new revision, and the preview shows the value (it is not secret).
    settings["env"] = {"LOG_LEVEL": "debug"}
    s.log.clear()
    s.preview(diff=True)
    assert '"debug"' in s.output(), s.output()
    seq = last_seq(emulator)
    s.up()
    assert count(writes(emulator, seq), "PATCH", ONE) == 1
    assert env_of(deployment(emulator, dep_id))["LOG_LEVEL"] == "debug"

    # Drift of env is seen by value: refresh reads it back and the next up puts it back.
    sent = [{"name": k, "value": v} for k, v in env_of(deployment(emulator, dep_id)).items()]
    sent = [{**e, "value": "trace"} if e["name"] == "LOG_LEVEL" else e for e in sent]
    api(emulator, "PATCH", f"/v2/deployments/{dep_id}", json={"secrets": sent})
    s.refresh()
    assert s.resources()[0]["outputs"]["env"] == {"LOG_LEVEL": "trace"}
    s.up()
    assert env_of(deployment(emulator, dep_id))["LOG_LEVEL"] == "debug"

    # A name in both is refused at preview, naming it, before anything is written.
    settings["env"] = {"OPENAI_API_KEY": "plain"}
    seq = last_seq(emulator)
    with pytest.raises(auto.CommandError) as refused:
        s.preview()
    assert "env.OPENAI_API_KEY" in str(refused.value) and "also set in secrets" in str(refused.value)
    assert writes(emulator, seq) == []
    s.destroy()


def test_adopt_id_takes_a_deployment_over_by_uuid(tmp_path: Path, emulator: Any) -> None:
    foreign = api(emulator, "POST", "/v2/deployments", json=github_body("made-elsewhere"))
    wrong_repo = {"adopt_id": foreign["id"], "repo_url": "https://github.com/langchain-ai/other-repo"}
    s = E2EStack(tmp_path, emulator, program(wrong_repo))
    seq = last_seq(emulator)
    with pytest.raises(auto.CommandError) as refused:
        s.up()
    assert "cannot adopt" in str(refused.value) and "source_config.repo_url" in str(refused.value)
    assert writes(emulator, seq) == []

    s = E2EStack(tmp_path / "second", emulator, program({"adopt_id": foreign["id"], "env": {"LOG_LEVEL": "info"}}))
    s.up()
    out = s.outputs()
    assert out["deployment_id"] == foreign["id"] and out["name"] == "made-elsewhere"
    # Every progress line names the deployment taken, never the autoname the create does not use.
    diagnostics = s.output().split("Diagnostics:", 1)[1].split("Outputs:", 1)[0]
    said = [line.strip() for line in diagnostics.splitlines() if ": " in line]
    assert any("adopting existing deployment" in line for line in said), said
    assert any(" DEPLOYED (" in line for line in said), said
    assert [line for line in said if not line.startswith(("made-elsewhere: ", "pulumi-python:"))] == [], said
    assert not re.search(r"\bagent-[0-9a-z]{5,}:", s.output()), s.output()
    assert [d["id"] for d in live_deployments(emulator)] == [foreign["id"]]
    assert env_of(deployment(emulator, foreign["id"]))["LOG_LEVEL"] == "info"
    s.preview(expect_no_changes=True)
    s.destroy()
    assert live_deployments(emulator) == []
