"""`--run-agents`: an uploaded `internal_source` revision is really built and served (issue 15).

Real pip installs and real Agent Servers: slow. The environment cache is
`LANGSMITH_EMULATOR_AGENT_CACHE` when set (keep it between runs: a warm build takes seconds), else a
fresh directory for the session (the first build then takes about a minute).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from langsmith_emulator.agents.build import CACHE_ENV_VAR
from langsmith_emulator.testing import GITHUB_REPO_URL, EmulatorProcess, running_emulator

from ..support.vendor_cli import VendorCli, json_events
from .conftest import Api
from .test_uploads import create_source, patch_source, put, upload_url

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "local-agent" / "agent"
BUILD_TIMEOUT = 600.0


def example_tarball(graph_source: str | None = None) -> bytes:
    """The example project as `langgraph deploy` archives it, optionally with another `graph.py`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(EXAMPLE.iterdir()):
            if not path.is_file():
                continue
            data = path.read_bytes()
            if path.name == "graph.py" and graph_source is not None:
                data = graph_source.encode()
            info = tarfile.TarInfo(path.name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def agent_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    cache = os.environ.get(CACHE_ENV_VAR) or str(tmp_path_factory.mktemp("agent-cache"))
    with running_emulator(api="current", run_agents=True, extra_args=[f"--agent-cache={cache}"]) as emu:
        yield emu
        assert "Traceback" not in emu.output(), emu.output()


@pytest.fixture
def api(agent_emulator: EmulatorProcess) -> Iterator[Api]:
    agent_emulator.reset()
    client = Api(agent_emulator)
    yield client
    client.session.close()
    agent_emulator.reset()


def deploy(api: Api, dep_id: str, data: bytes) -> tuple[str, list[str]]:
    answer = upload_url(api, dep_id)
    assert put(answer, data).status_code == 200
    patched = patch_source(api, dep_id, answer["object_path"])
    assert patched.status_code == 200, patched.text
    rev_id = str(patched.json()["latest_revision_id"])
    return rev_id, api.watch(dep_id, rev_id, timeout=BUILD_TIMEOUT)


def ask(url: str, message: str) -> dict[str, Any]:
    body = {"assistant_id": "agent", "input": {"message": message}}
    response = requests.post(f"{url}/runs/wait", json=body, timeout=60)
    assert response.status_code == 200, response.text
    return dict(response.json())


def gone(pid: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def messages(api: Api, dep_id: str, rev_id: str, log_type: str) -> list[str]:
    path = f"/v2/deployments/{dep_id}/revisions/{rev_id}/logs"
    return [line["message"] for line in api.get(path, params={"type": log_type, "limit": 1000}).json()["logs"]]


def test_upload_builds_serves_and_a_broken_graph_keeps_the_old_revision(
    api: Api, agent_emulator: EmulatorProcess
) -> None:
    dep = create_source(api, "real-agent")
    rev_id, seen = deploy(api, dep["id"], example_tarball())
    build = messages(api, dep["id"], rev_id, "build")
    assert seen[-1] == "DEPLOYED", "\n".join(build + messages(api, dep["id"], rev_id, "deploy"))
    assert "Importing graphs: agent" in build and "Build succeeded" in build
    url = api.deployment(dep["id"])["source_config"]["custom_url"]
    assert url.startswith("http://127.0.0.1:")
    assert ask(url, "hello world") == {"message": "hello world", "reply": "HELLO WORLD", "words": 2}
    deploy_log = messages(api, dep["id"], rev_id, "deploy")
    assert any(m.startswith("Agent Server healthy at") for m in deploy_log), deploy_log
    # The vendor CLI's v1 route reads the same lines.
    v1 = api.post(f"/v1/projects/{dep['id']}/revisions/{rev_id}/build_logs", json={"limit": 1000, "order": "asc"})
    assert [line["message"] for line in v1.json()["logs"]] == build

    broken = "import no_such_module_for_the_emulator\n"
    bad_id, seen = deploy(api, dep["id"], example_tarball(broken))
    assert seen[-1] == "BUILD_FAILED"
    errors = [m for m in messages(api, dep["id"], bad_id, "build") if "no_such_module_for_the_emulator" in m]
    assert any("ModuleNotFoundError" in m for m in errors), errors
    after = api.deployment(dep["id"])
    assert after["active_revision_id"] == rev_id and after["source_config"]["custom_url"] == url
    assert ask(url, "still here")["reply"] == "STILL HERE"

    (server,) = agent_emulator.agents()
    assert (server["deployment_id"], server["revision_id"], server["running"]) == (dep["id"], rev_id, True)
    assert api.delete(f"/v2/deployments/{dep['id']}").status_code == 204
    assert gone(server["pid"]), "the deleted deployment's Agent Server is still running"


def test_restart_stops_every_server_then_serves_deployed_revisions_again(
    api: Api, agent_emulator: EmulatorProcess
) -> None:
    dep = create_source(api, "restarted-agent")
    rev_id, seen = deploy(api, dep["id"], example_tarball())
    assert seen[-1] == "DEPLOYED"
    url = api.deployment(dep["id"])["source_config"]["custom_url"]
    (server,) = agent_emulator.agents()

    agent_emulator.stop()
    assert gone(server["pid"]), "an Agent Server outlived the emulator"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/ok", timeout=5)

    agent_emulator.start()
    deadline = time.monotonic() + BUILD_TIMEOUT
    while time.monotonic() < deadline:
        with_servers = [s for s in agent_emulator.agents() if s["running"]]
        if with_servers:
            break
        time.sleep(0.2)
    assert ask(url, "back again")["reply"] == "BACK AGAIN"  # the same URL as before the restart
    assert api.deployment(dep["id"])["active_revision_id"] == rev_id
    (before,) = agent_emulator.agents()

    # A redeploy restarts the server: DEPLOYING until the new process is healthy, same URL.
    assert api.post(f"/v2/deployments/{dep['id']}/revisions/{rev_id}/redeploy").status_code == 200
    assert api.watch(dep["id"], rev_id, timeout=BUILD_TIMEOUT)[-1] == "DEPLOYED"
    (after,) = agent_emulator.agents()
    assert after["pid"] != before["pid"] and after["url"] == url
    assert ask(url, "once more")["reply"] == "ONCE MORE"


def test_a_server_that_does_not_start_is_deploy_failed_and_reset_stops_servers(
    api: Api, agent_emulator: EmulatorProcess
) -> None:
    dep = create_source(api, "start-fails")
    rev_id, seen = deploy(api, dep["id"], example_tarball())
    assert seen[-1] == "DEPLOYED"
    url = api.deployment(dep["id"])["source_config"]["custom_url"]
    # Imports fine in the build's check, fails when the Agent Server loads it.
    fails_in_server = (
        'import sys\nif sys.argv[0].endswith("_launch.py"):\n    raise RuntimeError("graph refuses to serve")\n'
        + (EXAMPLE / "graph.py").read_text().replace("from __future__ import annotations\n", "")
    )
    bad_id, seen = deploy(api, dep["id"], example_tarball(fails_in_server))
    assert seen[-1] == "DEPLOY_FAILED", messages(api, dep["id"], bad_id, "deploy")
    deploy_log = messages(api, dep["id"], bad_id, "deploy")
    assert any("graph refuses to serve" in m for m in deploy_log), deploy_log
    assert any(m.startswith("ERROR: deploy failed:") for m in deploy_log), deploy_log
    assert api.deployment(dep["id"])["active_revision_id"] == rev_id
    assert ask(url, "old one")["reply"] == "OLD ONE"
    (server,) = agent_emulator.agents()
    agent_emulator.reset()
    assert gone(server["pid"]), "reset left an Agent Server running"
    assert agent_emulator.agents() == []


def test_vendor_cli_remote_deploy_ends_with_an_agent_that_answers(
    tmp_path: Path, api: Api, agent_emulator: EmulatorProcess
) -> None:
    """`langgraph deploy --remote` from the example directory; the URL the CLI lists answers."""
    project = tmp_path / "agent"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".langgraph_api", "__pycache__"))
    cli = VendorCli(agent_emulator.url, project)
    out = cli.ok("deploy", "--remote", "--name", "cli-agent", "--no-input", "--json")
    result = next(e for e in json_events(out) if e["event"] == "result")
    assert result["status"] == "succeeded", out
    listed = {row["id"]: row for row in json.loads(cli.ok("deploy", "list", "--json"))}
    assert result["deployment_id"] in listed
    url = api.deployment(result["deployment_id"])["source_config"]["custom_url"]
    assert ask(url, "from the cli")["reply"] == "FROM THE CLI"
    build = cli.ok("deploy", "logs", "--type", "build", "--deployment-id", result["deployment_id"])
    assert "Importing graphs: agent" in build, build


def _git(directory: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-C", str(directory), *args],
        check=True,
        capture_output=True,
    )


def test_mapped_repository_and_image_are_built_and_served(
    tmp_path: Path, api: Api, agent_emulator: EmulatorProcess
) -> None:
    """`--agent-repo` / `--agent-image` (here through settings): github and external_docker revisions of
    a mapped repository or image are built from the local directory; a git checkout at `repo_ref`."""
    checkout = tmp_path / "checkout"
    shutil.copytree(EXAMPLE, checkout, ignore=shutil.ignore_patterns(".langgraph_api", "__pycache__"))
    _git(checkout, "init", "-q", "-b", "main")
    _git(checkout, "add", ".")
    _git(checkout, "commit", "-q", "-m", "agent")
    graph = checkout / "graph.py"
    graph.write_text(graph.read_text().replace("message.upper()", "message[::-1]"))  # not committed
    plain = tmp_path / "image-dir"
    shutil.copytree(EXAMPLE, plain, ignore=shutil.ignore_patterns(".langgraph_api", "__pycache__"))
    agent_emulator.settings(
        agent_repos={GITHUB_REPO_URL + ".git": str(checkout)}, agent_images={"registry.example.com/agent": str(plain)}
    )

    gh = api.create_github("mapped-repo")
    seen = api.watch(gh["id"], gh["latest_revision_id"], timeout=BUILD_TIMEOUT)
    build = messages(api, gh["id"], gh["latest_revision_id"], "build")
    assert seen[-1] == "DEPLOYED", build + messages(api, gh["id"], gh["latest_revision_id"], "deploy")
    assert any("is mapped to" in m for m in build) and any("Checked out commit" in m for m in build), build
    url = api.deployment(gh["id"])["source_config"]["custom_url"]
    assert url.startswith("http://127.0.0.1:") and "/_agents/" not in url
    assert ask(url, "from git")["reply"] == "FROM GIT"  # the committed graph, not the working tree

    docker = api.create_docker("mapped-image", image="registry.example.com/agent@sha256:" + "a" * 64)
    assert api.watch(docker["id"], docker["latest_revision_id"], timeout=BUILD_TIMEOUT)[-1] == "DEPLOYED"
    docker_url = api.deployment(docker["id"])["source_config"]["custom_url"]
    assert ask(docker_url, "from an image")["reply"] == "FROM AN IMAGE"

    # Anything not mapped keeps the simulated lifecycle and URL.
    other = api.create_docker("unmapped", image="registry.example.com/other:v1")
    assert api.watch(other["id"], other["latest_revision_id"])[-1] == "DEPLOYED"
    assert api.deployment(other["id"])["source_config"].get("custom_url") is None
    assert {s["deployment_id"] for s in agent_emulator.agents()} == {gh["id"], docker["id"]}
