"""Adoption, outputs feeding other resources, and several deployments sharing config secrets (issue 5,
"More cases"), through the real Pulumi CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_langsmith import Deployment
from pulumi_langsmith.deployment.model import OWNERSHIP_ENV

from ..support.data import github_body
from ..support.server import API
from .harness import E2EStack, api, last_seq, live_deployments
from .lifecycle_support import (
    ALL,
    ONE,
    assert_secrets_sealed,
    count,
    deployment,
    docker_args,
    env_of,
    export_deployment,
    github_args,
    revisions,
    single_program,
    writes,
)

pytestmark = pytest.mark.e2e

FOREIGN_SECRET = "sk-foreign-owner-0a9d1f"
ADOPTED_SECRET = "sk-adopted-value-77c2e1"


def test_adopt_existing_deployment(tmp_path: Path, emulator: Any) -> None:
    foreign = api(
        emulator,
        "POST",
        "/v2/deployments",
        json=github_body("adopt-me", secrets=[{"name": "OPENAI_API_KEY", "value": FOREIGN_SECRET}]),
    )
    settings: dict[str, Any] = {"name": "adopt-me", "secrets": {"OPENAI_API_KEY": ADOPTED_SECRET}}
    s = E2EStack(tmp_path, emulator, single_program(settings))

    # Without adopt=True the name clash fails the up with a clear message, and nothing is written.
    seq = last_seq(emulator)
    with pytest.raises(auto.CommandError) as failed:
        s.up()
    message = str(failed.value)
    assert "adopt-me" in message and "already exists" in message and "adopt=True" in message
    assert foreign["id"] in message
    assert writes(emulator, seq) == []
    assert s.resources() == []
    assert [d["id"] for d in live_deployments(emulator)] == [foreign["id"]]
    assert_secrets_sealed(s, [FOREIGN_SECRET, ADOPTED_SECRET], expect_resources=False)

    # With adopt=True the same deployment is taken over: no new deployment, one revision for the
    # declared env (which also carries this stack's ownership tag from now on).
    settings["adopt"] = True
    seq = last_seq(emulator)
    s.up()
    calls = writes(emulator, seq)
    assert count(calls, "POST", ALL) == 0 and count(calls, "PATCH", ONE) == 1, calls
    out = s.outputs()
    assert out["d_id"] == foreign["id"] and out["d_name"] == "adopt-me" and out["d_status"] == "DEPLOYED"
    server = deployment(emulator, foreign["id"])
    assert env_of(server)["OPENAI_API_KEY"] == ADOPTED_SECRET and OWNERSHIP_ENV in env_of(server)
    assert server["active_revision_id"] == server["latest_revision_id"]
    assert [d["id"] for d in live_deployments(emulator)] == [foreign["id"]]
    assert_secrets_sealed(s, [FOREIGN_SECRET, ADOPTED_SECRET])

    seq = last_seq(emulator)
    s.preview(expect_no_changes=True)
    s.refresh(expect_no_changes=True)
    assert writes(emulator, seq) == []

    # Adopted means managed: destroy deletes it.
    s.destroy()
    assert live_deployments(emulator) == []


UPSTREAM_SECRET = "sk-upstream-3e7b90"


def chained_program(settings: dict[str, Any]) -> Callable[[], None]:
    """`downstream` is configured from `upstream`'s outputs, so the engine must create upstream first."""

    def program() -> None:
        upstream = Deployment("upstream", github_args({"secrets": {"OPENAI_API_KEY": UPSTREAM_SECRET}, **settings}))
        downstream = Deployment(
            "downstream",
            github_args(
                {
                    "display_name": upstream.name.apply(lambda n: f"Calls {n}"),
                    "secrets": {
                        "UPSTREAM_URL": upstream.url.apply(lambda u: u or ""),
                        "UPSTREAM_DEPLOYMENT_ID": upstream.deployment_id,
                    },
                }
            ),
        )
        export_deployment("up", upstream)
        export_deployment("down", downstream)
        pulumi.export("down_display_name", downstream.display_name)

    return program


def seqs(emulator: Any, dep_id: str, name: str) -> list[int]:
    """Request-log positions of every call about one deployment (by id in the path, or by name in
    the lookup a create starts with)."""
    return [int(r["seq"]) for r in emulator.requests() if dep_id in r["path"] or f"name_contains={name}" in r["query"]]


def test_outputs_feed_another_resource(tmp_path: Path, emulator: Any) -> None:
    settings: dict[str, Any] = {}
    s = E2EStack(tmp_path, emulator, chained_program(settings))

    # Preview of a new stack: downstream's inputs are unknown, which check and diff must accept.
    preview = s.preview()
    assert preview.change_summary.get("create") == 3
    assert live_deployments(emulator) == []

    s.up()
    out = s.outputs()
    up_calls = seqs(emulator, out["up_id"], out["up_name"])
    down_calls = seqs(emulator, out["down_id"], out["down_name"])
    # Every call for upstream's create (through its DEPLOYED wait) precedes downstream's first call.
    assert max(up_calls) < min(down_calls)
    assert out["up_status"] == out["down_status"] == "DEPLOYED"
    server = deployment(emulator, out["down_id"])
    assert out["down_display_name"] == f"Calls {out['up_name']}"
    assert server.get("display_name") == (out["down_display_name"] if API == "current" else None)
    env = env_of(server)
    assert env["UPSTREAM_URL"] == out["up_url"] and out["up_url"] == f"{emulator.url}/_agents/{out['up_id']}"
    assert env["UPSTREAM_DEPLOYMENT_ID"] == out["up_id"]
    assert_secrets_sealed(s, [UPSTREAM_SECRET])
    s.preview(expect_no_changes=True)

    # Replacing upstream makes downstream's inputs unknown again at preview (now in `diff`, for an
    # existing resource); `up` then rolls the new URL and id into downstream with one revision.
    settings["deployment_type"] = "prod"
    preview = s.preview()
    assert preview.change_summary.get("replace") == 1 and preview.change_summary.get("update") == 1
    first = out
    seq = last_seq(emulator)
    s.up()
    out = s.outputs()
    assert out["up_id"] != first["up_id"] and out["down_id"] == first["down_id"]
    calls = writes(emulator, seq)
    # One revision PATCH, the new display name in it on servers that have display names (never a PATCH
    # of its own beside a revision's: `changes.revision_patch`).
    assert count(calls, "POST", ALL) == 1 and count(calls, "PATCH", ONE) == 1, calls
    server = deployment(emulator, out["down_id"])
    assert env_of(server)["UPSTREAM_URL"] == out["up_url"] != first["up_url"]
    assert env_of(server)["UPSTREAM_DEPLOYMENT_ID"] == out["up_id"]
    assert server.get("display_name") == (f"Calls {out['up_name']}" if API == "current" else None)
    assert out["down_status"] == "DEPLOYED"
    assert_secrets_sealed(s, [UPSTREAM_SECRET])

    # Destroy runs in reverse dependency order.
    seq = last_seq(emulator)
    s.destroy()
    deletes = [r for r in emulator.requests(since=seq) if r["method"] == "DELETE"]
    assert [r["path"].rsplit("/", 1)[1] for r in deletes] == [out["down_id"], out["up_id"]]
    assert live_deployments(emulator) == []


OPENAI_KEY = "sk-shared-openai-5c4b3a"
OPENAI_KEY_ROTATED = "sk-shared-openai-rotated-8e8e21"
DB_PASSWORD = "pw-shared-db-91f0d2"
AGENTS = ("triage", "research", "writer")


def fleet_program() -> None:
    """Several deployments, one set of secrets from stack config."""
    config = pulumi.Config()
    openai_key = config.require_secret("openaiApiKey")
    db_password = config.require_secret("dbPassword")
    for agent in AGENTS:
        d = Deployment(agent, github_args({"secrets": {"OPENAI_API_KEY": openai_key, "DB_PASSWORD": db_password}}))
        export_deployment(agent, d)
    image = Deployment("worker", docker_args({"secrets": {"DB_PASSWORD": db_password}}))
    export_deployment("worker", image)


def test_fleet_shares_config_secrets(tmp_path: Path, emulator: Any) -> None:
    s = E2EStack(tmp_path, emulator, fleet_program)
    s.set_config("openaiApiKey", OPENAI_KEY, secret=True)
    s.set_config("dbPassword", DB_PASSWORD, secret=True)
    values = [OPENAI_KEY, OPENAI_KEY_ROTATED, DB_PASSWORD]

    s.up()
    out = s.outputs()
    names = (*AGENTS, "worker")
    ids = {n: out[f"{n}_id"] for n in names}
    assert all(out[f"{n}_status"] == "DEPLOYED" for n in names)
    assert sorted(d["id"] for d in live_deployments(emulator)) == sorted(ids.values())
    for agent in AGENTS:
        env = env_of(deployment(emulator, ids[agent]))
        assert env["OPENAI_API_KEY"] == OPENAI_KEY and env["DB_PASSWORD"] == DB_PASSWORD
    assert env_of(deployment(emulator, ids["worker"]))["DB_PASSWORD"] == DB_PASSWORD
    assert_secrets_sealed(s, values)

    # Rotating the shared key in config rolls one revision into each deployment that uses it.
    s.set_config("openaiApiKey", OPENAI_KEY_ROTATED, secret=True)
    seq = last_seq(emulator)
    s.up()
    calls = writes(emulator, seq)
    assert calls == [("PATCH", ONE)] * len(AGENTS), calls
    for agent in AGENTS:
        server = deployment(emulator, ids[agent])
        assert env_of(server)["OPENAI_API_KEY"] == OPENAI_KEY_ROTATED
        assert server["active_revision_id"] == server["latest_revision_id"]
        assert len(revisions(emulator, ids[agent])) == 2
    assert len(revisions(emulator, ids["worker"])) == 1
    assert_secrets_sealed(s, values)

    # Nowhere in plaintext: stack config file, the control plane's own log.
    for path in s.work_dir.glob("Pulumi*.yaml"):
        text = path.read_text()
        assert all(v not in text for v in values), path
    assert all(v not in emulator.output() for v in values)

    seq = last_seq(emulator)
    s.destroy()
    assert writes(emulator, seq) == [("DELETE", ONE)] * len(names)
    assert live_deployments(emulator) == []
