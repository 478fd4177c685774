"""Every project under examples/ and the root stack `make up` deploys, run as a user would: up, a
no-change preview, destroy (issue 5, "examples/").

Each project runs from a copy (the CLI writes `Pulumi.<stack>.yaml` next to `Pulumi.yaml`), with
its `Pulumi.yaml` config defaults and only the config its README asks for.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from langsmith_emulator.testing import GITHUB_INTEGRATION_ID, LISTENER_ID

from ..support.server import API
from .harness import ROOT, E2EStack, last_seq, live_deployments, needs_current_api
from .lifecycle_support import assert_secrets_sealed, copy_project, count, deployment, env_of, revisions, writes

pytestmark = pytest.mark.e2e

EXAMPLES = ROOT / "examples"
OPENAI_KEY = "sk-example-openai-c0ffee11"
TAVILY_KEY = "tvly-example-5ea4c4"


def up_and_settle(s: E2EStack, emulator: Any, secrets: list[str]) -> dict[str, Any]:
    """up, then a refresh and a preview that change nothing and write nothing."""
    s.up()
    assert_secrets_sealed(s, secrets)
    seq = last_seq(emulator)
    s.refresh(expect_no_changes=True)
    s.preview(expect_no_changes=True)
    assert writes(emulator, seq) == []
    return s.outputs()


def tear_down(s: E2EStack, emulator: Any, secrets: list[str]) -> None:
    s.destroy()
    assert live_deployments(emulator) == []
    assert s.resources() == []
    assert_secrets_sealed(s, secrets, expect_resources=False)


def all_under_api_host(requests: list[dict[str, Any]]) -> bool:
    """Every call the provider made went to the self-hosted prefix."""
    return bool(requests) and all(r["path"].startswith("/api-host/v2/") for r in requests)


def test_example_github(tmp_path: Path, emulator: Any) -> None:
    s = E2EStack(tmp_path, emulator, work_dir=copy_project(EXAMPLES / "github", tmp_path / "src"))
    s.set_config("openaiApiKey", OPENAI_KEY, secret=True)
    out = up_and_settle(s, emulator, [OPENAI_KEY])
    assert out["revision_status"] == "DEPLOYED" and out["name"].startswith("support-agent-")
    server = deployment(emulator, out["deployment_id"])
    assert server.get("display_name") == ("Support agent" if API == "current" else None)
    assert server["source_config"]["deployment_type"] == "dev"
    assert server["source_revision_config"]["repo_ref"] == "main"
    assert env_of(server)["OPENAI_API_KEY"] == OPENAI_KEY
    assert env_of(server)["LOG_LEVEL"] == "info"  # a plain `env` value
    # No integrationId in config: the seeded integration that sees the repository was looked up.
    assert server["source_config"]["integration_id"] == GITHUB_INTEGRATION_ID
    assert out["url"] == server["source_config"]["custom_url"]
    assert out["dashboard_url"].endswith(f"/host/deployments/{out['deployment_id']}")
    tear_down(s, emulator, [OPENAI_KEY])


def test_example_self_hosted_docker(tmp_path: Path, emulator: Any) -> None:
    # The self-hosted URL form: the control plane under /api-host on the LangSmith host.
    s = E2EStack(
        tmp_path,
        emulator,
        work_dir=copy_project(EXAMPLES / "self-hosted-docker", tmp_path / "src"),
        control_plane_url=f"{emulator.url}/api-host",
    )
    out = up_and_settle(s, emulator, [])
    assert all_under_api_host(emulator.requests())
    assert out["revision_status"] == "DEPLOYED"
    server = deployment(emulator, out["deployment_id"])
    sc = server["source_config"]
    assert sc["listener_id"] == LISTENER_ID and sc["listener_config"]["k8s_namespace"] == "agents"
    spec = sc["resource_spec"]
    assert (spec["min_scale"], spec["max_scale"], spec["cpu"], spec["memory_mb"]) == (1, 3, 1, 2048)
    assert spec["labels"] == {"team": "agents"}
    assert server["secret_references"] == [
        {"name": "OPENAI_API_KEY", "secret_name": "agent-secrets", "secret_key": "openai-api-key"}
    ]
    assert server["source_revision_config"]["image_uri"] == "registry.example.com/acme/agent:1.0.0"

    # A sizing change from config: one revision carrying the new resource_spec.
    s.set_config("maxScale", "5")
    seq = last_seq(emulator)
    s.up()
    assert all_under_api_host(emulator.requests(since=seq))
    assert writes(emulator, seq) == [("PATCH", "/v2/deployments/{id}")]
    assert deployment(emulator, out["deployment_id"])["source_config"]["resource_spec"]["max_scale"] == 5
    seq = last_seq(emulator)
    s.destroy()
    assert all_under_api_host(emulator.requests(since=seq))
    assert live_deployments(emulator) == []
    assert_secrets_sealed(s, [], expect_resources=False)


def test_example_many_agents(tmp_path: Path, emulator: Any) -> None:
    s = E2EStack(tmp_path, emulator, work_dir=copy_project(EXAMPLES / "many-agents", tmp_path / "src"))
    s.set_config("openaiApiKey", OPENAI_KEY, secret=True)
    s.set_config("tavilyApiKey", TAVILY_KEY, secret=True)
    secrets = [OPENAI_KEY, TAVILY_KEY]
    out = up_and_settle(s, emulator, secrets)
    live = {d["name"].rsplit("-", 1)[0]: d for d in live_deployments(emulator)}
    assert sorted(live) == ["research-prod", "research-staging", "triage-prod", "triage-staging"]
    assert sorted(out["urls"]) == sorted(live)
    for key, summary in live.items():
        server = deployment(emulator, summary["id"])
        env = env_of(server)
        assert env["OPENAI_API_KEY"] == OPENAI_KEY
        assert ("TAVILY_API_KEY" in env) == key.startswith("research")
        assert server["source_config"]["deployment_type"] == ("prod" if key.endswith("prod") else "dev")
        assert server["active_revision_id"] == server["latest_revision_id"] is not None
        assert out["urls"][key] == server["source_config"]["custom_url"]

    # Releasing production: one revision into each prod deployment, none into staging.
    s.set_config("releaseRef", "v1.2.0")
    seq = last_seq(emulator)
    s.up()
    posted = [r["path"].split("/")[-1] for r in emulator.requests(since=seq) if r["method"] == "PATCH"]
    assert sorted(posted) == sorted(live[k]["id"] for k in ("research-prod", "triage-prod"))
    assert writes(emulator, seq) == [("PATCH", "/v2/deployments/{id}")] * 2
    for key in ("research-prod", "triage-prod"):
        assert deployment(emulator, live[key]["id"])["source_revision_config"]["repo_ref"] == "v1.2.0"
    assert_secrets_sealed(s, secrets)
    tear_down(s, emulator, secrets)


def test_root_stack(tmp_path: Path, emulator: Any) -> None:
    """The stack `make up` deploys (Pulumi.yaml + __main__.py at the repository root)."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy2(ROOT / name, src / name)
    s = E2EStack(tmp_path, emulator, work_dir=src)
    s.set_config("openaiApiKey", OPENAI_KEY, secret=True)
    out = up_and_settle(s, emulator, [OPENAI_KEY])
    assert out["revision_status"] == "DEPLOYED"
    server = deployment(emulator, out["deployment_id"])
    assert server["active_revision_id"] == out["active_revision_id"]
    assert env_of(server)["OPENAI_API_KEY"] == OPENAI_KEY
    tear_down(s, emulator, [OPENAI_KEY])


@needs_current_api
def test_example_local_agent(tmp_path: Path, emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    work = copy_project(EXAMPLES / "local-agent", tmp_path / "src")
    s = E2EStack(tmp_path, emulator, work_dir=work)
    # `source_dir="./agent"` is relative to where the program runs: the CLI runs it in the project
    # directory; this inline program runs in the test process, so it does the same.
    monkeypatch.chdir(work)
    out = up_and_settle(s, emulator, [])
    assert out["revision_status"] == "DEPLOYED" and out["name"].startswith("local-agent-")
    server = deployment(emulator, out["deployment_id"])
    assert server["source"] == "internal_source" and server["source_config"]["deployment_type"] == "dev"
    assert out["source_file_count"] == 4  # .gitignore, graph.py, langgraph.json, requirements.txt
    before = len(revisions(emulator, out["deployment_id"]))

    # Editing the graph file: exactly one new revision.
    graph = work / "agent" / "graph.py"
    graph.write_text(graph.read_text().replace("message.upper()", "message.lower()"))
    seq = last_seq(emulator)
    s.up()
    assert len(revisions(emulator, out["deployment_id"])) == before + 1
    assert count(writes(emulator, seq), "PATCH", "/v2/deployments/{id}") == 1
    assert s.outputs()["source_hash"] != out["source_hash"]
    tear_down(s, emulator, [])
