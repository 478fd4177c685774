"""The whole loop of issue 15, typed as a user would: `examples/local-agent` deployed with the real
`pulumi` CLI onto a local control plane that really builds and serves it (`--run-agents`).

`pulumi up` returns once the Agent Server answers `/ok` (the provider's health check); the graph's
real answer comes back from `POST {url}/runs/wait`; an edit of the graph is one new revision behind
the same URL; a graph that fails to import fails `pulumi up` with the real error while the previous
revision keeps answering; `destroy` stops the server.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from langsmith_emulator.agents.build import CACHE_ENV_VAR
from langsmith_emulator.testing import running_emulator

from .cli import Project, copy_in_tree, requires_language_host
from .harness import ROOT, SPEC_API, api

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def agent_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    cache = os.environ.get(CACHE_ENV_VAR) or str(tmp_path_factory.mktemp("agent-cache"))
    with running_emulator(api="current", run_agents=True, extra_args=[f"--agent-cache={cache}"]) as emu:
        yield emu


def ask(url: str, message: str) -> dict[str, Any]:
    body = {"assistant_id": "agent", "input": {"message": message}}
    response = requests.post(f"{url}/runs/wait", json=body, timeout=60)
    assert response.status_code == 200, response.text
    return dict(response.json())


def revisions(cp: Any, dep_id: str) -> list[dict[str, Any]]:
    return list(api(cp, "GET", f"/v2/deployments/{dep_id}/revisions", params={"limit": 100})["resources"])


@requires_language_host
@pytest.mark.skipif(SPEC_API, reason="local-directory sources need the upload-url route, which the official spec lacks")
def test_deploy_call_edit_break_and_destroy_a_real_agent(tmp_path: Path, agent_plane: Any) -> None:
    work = copy_in_tree(ROOT / "examples" / "local-agent", tmp_path / "tree")
    graph = work / "agent" / "graph.py"
    p = Project(work, tmp_path)
    p.init_stack(agent_plane.url)

    up = p.run("up", "--yes", timeout=900)
    out = p.outputs()
    url, dep_id = out["url"], out["deployment_id"]
    assert out["revision_status"] == "DEPLOYED"
    assert f"{url}/ok answered 200" in up.output, up.output  # `up` returned once the agent answered
    assert "[build] Importing graphs: agent" in up.output, up.output  # the real build, live
    assert ask(url, "hello world") == {"message": "hello world", "reply": "HELLO WORLD", "words": 2}

    graph.write_text(graph.read_text().replace("message.upper()", "message[::-1]"))
    p.run("preview", "--diff")
    p.run("up", "--yes", timeout=900)
    edited = p.outputs()
    assert edited["url"] == url and edited["active_revision_id"] != out["active_revision_id"]  # same URL
    assert ask(url, "hello world")["reply"] == "dlrow olleh"
    assert len(revisions(agent_plane, dep_id)) == 2, "one code edit, one revision"

    source = graph.read_text()
    graph.write_text(source.replace("import os\n", "import os\n\nimport no_such_module_in_this_agent\n", 1))
    failed = p.run("up", "--yes", check=False, timeout=900)
    assert failed.returncode != 0
    assert "ended in BUILD_FAILED" in failed.output, failed.output
    assert "No module named 'no_such_module_in_this_agent'" in failed.output, failed.output
    assert ask(url, "still here")["reply"] == "ereh llits"  # the previous revision keeps serving
    assert api(agent_plane, "GET", f"/v2/deployments/{dep_id}")["active_revision_id"] == edited["active_revision_id"]

    p.run("destroy", "--yes", timeout=300)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and agent_plane.agents():
        time.sleep(0.2)
    assert agent_plane.agents() == [], "destroy left an Agent Server running"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/ok", timeout=5)
