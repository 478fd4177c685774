"""The commands users type, typed: the `pulumi` binary as a subprocess in a project directory.

Covered: the repository's root project (what `make up` deploys), every project under `examples/`
(each with the virtualenv its `Pulumi.yaml` declares), the README's "use it in your own stack" path
(a project outside the repository, its own fresh virtualenv, this package installed from a built
wheel), and how a failed build and an unreachable control plane read in `pulumi up`'s output.

Each case is one command sequence: `pulumi login file://...`, `pulumi stack init`, `pulumi config set
[--secret]`, `pulumi up --yes`, `pulumi preview --expect-no-changes`, `pulumi refresh --yes
--expect-no-changes`, an update, `pulumi destroy --yes`. The cases run side by side (about 10-30 s each; the first test
starts all selected cases in threads, each test waits for and checks its own), so they share a
control plane of their own: the `emulator` fixture resets its state before every test, which would
pull the ground from under the cases still running. Same fast build/deploy times as that fixture.

Skipped, with the reason, when there is no Python language host (see README "Toolchain").
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from langsmith_emulator.testing import (
    API_KEY,
    GITHUB_INTEGRATION_ID,
    GITHUB_REPO_URL,
    LISTENER_ID,
    free_port,
    running_emulator,
)

from .cli import Project, copy_in_tree, requires_language_host
from .harness import ROOT, SPEC_API, VENV, api

pytestmark = pytest.mark.e2e

#: The Python programs among the examples (the YAML and TypeScript ones use the plugin: their own tests).
EXAMPLES = sorted(
    p.name
    for p in (ROOT / "examples").iterdir()
    if (p / "Pulumi.yaml").exists() and "name: python" in (p / "Pulumi.yaml").read_text()
)
OPENAI_KEY = "sk-cli-openai-5ec7e7"
TAVILY_KEY = "tvly-cli-5ec7e7"
# Where to append the exact output of the two error cases (unset: nowhere), e.g. for a release note.
EVIDENCE = os.environ.get("LANGSMITH_CLI_EVIDENCE")


@dataclass
class Case:
    """What a case needs: a scratch directory and the control plane."""

    scratch: Path
    cp: Any

    def project(self, work_dir: Path) -> Project:
        return Project(work_dir, self.scratch)

    def stack_init(self, p: Project, url: str | None = None, stack: str = "dev") -> None:
        p.init_stack(url or self.cp.url, stack)


# Checks shared by the cases -------------------------------------------------------------------------


def deployment(cp: Any, dep_id: str) -> dict[str, Any]:
    return dict(api(cp, "GET", f"/v2/deployments/{dep_id}"))


def env_of(server: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in server.get("secrets") or []}


def ids_in_state(p: Project) -> list[str]:
    return sorted(str(r["id"]) for r in p.resources())


def assert_gone(cp: Any, ids: list[str]) -> None:
    live = {d["id"] for d in api(cp, "GET", "/v2/deployments", params={"limit": 100})["resources"]}
    assert not live & set(ids), "destroy left deployments behind"


def assert_sealed(p: Project, secrets: list[str]) -> None:
    """No secret value in what the CLI printed nor in any file of the backend."""
    raw = "\n".join(f.read_text(errors="replace") for f in p.state_dir.rglob("*") if f.is_file())
    out = "\n".join(r.output for r in p.log)  # what the CLI printed, not the commands typed
    for value in [*secrets, API_KEY]:
        assert value not in raw, "a secret value is in the state files"
        assert value not in out, "a secret value is in the CLI output"


def assert_progress_on_the_deployment_rows(up_output: str) -> None:
    """Status transitions are shown on the Deployment's row, none under the stack's."""
    rows = [line for line in up_output.splitlines() if "langsmith:Deployment" in line]
    assert any(re.search(r" creating \([\d.]+s\) .*: revision \w+ [A-Z_]+ \(", r) for r in rows), up_output
    assert "[langsmith]" not in up_output, "progress went to stderr, which shows under pulumi:pulumi:Stack"


def lifecycle(
    case: Case, p: Project, secrets: list[str], update: tuple[str, str], check: Callable[[dict[str, Any]], None]
) -> None:
    """up, no-change preview, a refresh that finds no drift, an update from config, destroy."""
    up = p.run("up", "--yes")
    assert_progress_on_the_deployment_rows(up.output)
    outputs = p.outputs()
    check(outputs)
    ids = ids_in_state(p)
    assert ids, "no deployment in state"
    p.run("preview", "--expect-no-changes")
    p.run("refresh", "--yes", "--expect-no-changes")
    p.run("config", "set", *update)
    updated = p.run("up", "--yes").output
    assert re.search(r"~ \d+ updated", updated) and "replaced" not in updated, updated
    assert ids_in_state(p) == ids, "an update from config replaced a deployment"
    assert_sealed(p, secrets)
    p.run("destroy", "--yes")
    assert ids_in_state(p) == []
    assert_gone(case.cp, ids)


# The cases ------------------------------------------------------------------------------------------


def root_project(case: Case) -> Project:
    """A copy of the root project, its `virtualenv: .venv` resolving to the repository's."""
    tree = case.scratch / "tree"
    tree.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy2(ROOT / name, tree / name)
    (tree / ".venv").symlink_to(VENV)
    return case.project(tree)


def case_root(case: Case) -> str:
    """`make up`'s project: Pulumi.yaml + __main__.py at the root, `virtualenv: .venv`."""
    p = root_project(case)
    case.stack_init(p)
    p.run("config", "set", "--secret", "openaiApiKey", OPENAI_KEY)

    def check(out: dict[str, Any]) -> None:
        assert out["revision_status"] == "DEPLOYED" and out["name"].startswith("agent-")
        server = deployment(case.cp, out["deployment_id"])
        assert env_of(server)["OPENAI_API_KEY"] == OPENAI_KEY
        assert server["active_revision_id"] == out["active_revision_id"]

    lifecycle(case, p, [OPENAI_KEY], ("repoRef", "v2"), check)
    return p.transcript()


def case_example(name: str) -> Callable[[Case], str]:
    def run(case: Case) -> str:
        work = copy_in_tree(ROOT / "examples" / name, case.scratch / "tree")
        p = case.project(work)
        secrets: list[str] = []
        url = case.cp.url + ("/api-host" if name.startswith("self-hosted") else "")
        case.stack_init(p, url)
        update = ("repoRef", "v2")
        if name in ("github", "many-agents"):
            p.run("config", "set", "--secret", "openaiApiKey", OPENAI_KEY)
            secrets.append(OPENAI_KEY)
        if name == "many-agents":
            p.run("config", "set", "--secret", "tavilyApiKey", TAVILY_KEY)
            secrets.append(TAVILY_KEY)
            update = ("releaseRef", "v1.2.0")
        if name == "self-hosted-docker":
            update = ("maxScale", "5")
        if name == "self-hosted-listener":
            update = ("image", "registry.example.com/acme/agent@sha256:" + "b" * 64)
        if name == "local-agent":
            update = ("replyPrefix", "agent says: ")

        def check(out: dict[str, Any]) -> None:
            if name == "many-agents":
                assert sorted(k.rsplit("-", 1)[0] for k in out["urls"]) == ["research", "research", "triage", "triage"]
                return
            assert out["revision_status"] == "DEPLOYED"
            server = deployment(case.cp, out["deployment_id"])
            if name == "self-hosted-docker":
                assert server["source_config"]["listener_id"] == LISTENER_ID
            elif name == "self-hosted-listener":
                assert server["source_config"]["listener_id"] == out["listener_id"] != LISTENER_ID
            elif name == "local-agent":
                assert server["source"] == "internal_source" and out["source_hash"]
            else:
                assert env_of(server)["OPENAI_API_KEY"] == OPENAI_KEY

        lifecycle(case, p, secrets, update, check)
        return p.transcript()

    return run


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def code_block(section: str, lang: str) -> str:
    match = re.search(rf"```{lang}\n(.*?)```", section, re.S)
    assert match, f"no {lang} block in the README section"
    return match.group(1)


def case_own_stack(case: Case) -> str:
    """The README's "Using the provider in your own stack", literally: its Pulumi.yaml and __main__.py,
    a fresh virtualenv outside the repository with this package installed from a built wheel."""
    section = readme_section("Using the provider in your own stack")
    commands = code_block(section, "bash")
    for typed in (
        "python3 -m venv venv",
        "pip wheel --no-deps",
        "venv/bin/pip install",
        "pulumi stack init dev",
        "pulumi up --yes",
        "pulumi preview --expect-no-changes",
        "pulumi destroy --yes",
    ):
        assert typed in commands, f"the README no longer says `{typed}`: keep it and this test in step"

    # A wheel of a clean copy of the sources (building in the clone would leave build/ behind).
    src = case.scratch / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "provider", "emulator"):
        item = ROOT / name
        if item.is_dir():
            shutil.copytree(item, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, src / name)
    dist = case.scratch / "dist"
    python = Path(sys.base_prefix) / "bin" / "python3"

    def sh(*args: str | Path, cwd: Path) -> None:
        proc = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"{' '.join(map(str, args))}\n{proc.stdout}\n{proc.stderr}"

    sh(VENV / "bin" / "python", "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, src, cwd=case.scratch)
    [wheel] = dist.glob("*.whl")

    project = case.scratch / "my-stack"
    project.mkdir()
    sh(python, "-m", "venv", "venv", cwd=project)
    sh(project / "venv" / "bin" / "pip", "install", "-q", wheel, cwd=project)
    (project / "Pulumi.yaml").write_text(code_block(section, "yaml"))
    (project / "__main__.py").write_text(code_block(section, "python"))
    declared = yaml.safe_load((project / "Pulumi.yaml").read_text())["runtime"]["options"]["virtualenv"]
    assert declared == "venv"

    p = case.project(project)
    case.stack_init(p)
    p.run("config", "set", "integrationId", GITHUB_INTEGRATION_ID)
    p.run("config", "set", "repoUrl", GITHUB_REPO_URL)
    p.run("config", "set", "--secret", "openaiApiKey", OPENAI_KEY)
    up = p.run("up", "--yes")
    assert_progress_on_the_deployment_rows(up.output)
    out = p.outputs()
    assert requests.get(f"{out['url']}/ok", timeout=10).json() == {"ok": True}  # the URL answers
    # The program and the provider host both ran from the project's virtualenv (the only Python
    # with this package): the deployment exists and carries the secret.
    [dep_id] = ids_in_state(p)
    assert env_of(deployment(case.cp, dep_id))["OPENAI_API_KEY"] == OPENAI_KEY
    p.run("preview", "--expect-no-changes")
    assert_sealed(p, [OPENAI_KEY])
    p.run("destroy", "--yes")
    assert_gone(case.cp, [dep_id])
    return p.transcript()


def d_ref(server: dict[str, Any]) -> Any:
    return (server.get("source_revision_config") or {}).get("repo_ref")


def case_failed_build(case: Case) -> str:
    """A build that fails: `pulumi up` prints the provider's message, no Python traceback."""
    p = root_project(case)
    # Not `dev`: the root case deploys the same project; the same project, stack and resource name
    # would carry the same ownership tag on this shared control plane, and one would resume the other.
    case.stack_init(p, stack="broken")
    p.run("config", "set", "--secret", "openaiApiKey", OPENAI_KEY)
    p.run("config", "set", "repoRef", "cli-broken-build")
    case.cp.add_outcome(repo_ref="cli-broken-build", outcome="BUILD_FAILED")
    failed = p.run("up", "--yes", check=False)
    text = failed.output
    assert failed.returncode != 0
    assert "Traceback" not in text and 'File "' not in text, text
    everyone = api(case.cp, "GET", "/v2/deployments", params={"limit": 100})["resources"]
    [dep] = [d for d in (deployment(case.cp, e["id"]) for e in everyone) if d_ref(d) == "cli-broken-build"]
    revision = dep["latest_revision_id"]
    assert f"{dep['name']}: revision {revision} ended in BUILD_FAILED" in text, text
    # The log tail comes from the revision log route, which a server of the official spec lacks.
    tail = "logs are not available from this server" if case.cp.settings()["api"] == "spec" else "ERROR: build failed"
    assert tail in text and "run `pulumi up` again" in text
    # That the next `up` resumes this deployment is shown for every failed status by test_failed_builds.py.
    return str(failed)


def case_unreachable(case: Case) -> str:
    """A control plane that refuses connections: named, with the config key to check, at once."""
    p = root_project(case)
    dead = f"http://127.0.0.1:{free_port()}"
    case.stack_init(p, dead)
    p.run("config", "set", "--secret", "openaiApiKey", OPENAI_KEY)
    failed = p.run("up", "--yes", check=False)
    text = failed.output
    assert failed.returncode != 0
    assert "Traceback" not in text and 'File "' not in text, text
    assert f"error: cannot reach the LangSmith control plane at {dead}: connection refused" in text, text
    assert "langsmith:controlPlaneUrl" in text and "LANGSMITH_CONTROL_PLANE_URL" in text
    return str(failed)


CASES: dict[str, Callable[[Case], str]] = {
    "root": case_root,
    **{f"example-{name}": case_example(name) for name in EXAMPLES},
    "own-stack-from-wheel": case_own_stack,
    "failed-build": case_failed_build,
    "unreachable": case_unreachable,
}


# Running the cases side by side ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def control_plane() -> Iterator[Any]:
    with running_emulator(build_seconds=0.4, deploy_seconds=0.4, delete_seconds=0.2) as emu:
        yield emu


@pytest.fixture(scope="module")
def runs(
    request: pytest.FixtureRequest, control_plane: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[str]]]:
    """Start every selected case at once; each test waits for its own."""
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if item.module is request.module
        and hasattr(item, "callspec")
        and "case" in item.callspec.params
        and not (SPEC_API and item.callspec.params["case"] == "example-local-agent")
    ]
    pool = ThreadPoolExecutor(max_workers=max(1, len(selected)), thread_name_prefix="cli-case")
    futures = {name: pool.submit(CASES[name], Case(tmp_path_factory.mktemp(name), control_plane)) for name in selected}
    yield futures
    pool.shutdown(wait=True)


@requires_language_host
@pytest.mark.parametrize("case", list(CASES))
def test_cli_commands(case: str, runs: dict[str, Future[str]]) -> None:
    if case == "example-local-agent" and SPEC_API:
        pytest.skip("local-directory sources need the upload-url route, which the official spec lacks (--api spec)")
    transcript = runs[case].result()
    if EVIDENCE and case in ("failed-build", "unreachable"):
        with open(EVIDENCE, "a") as f:
            f.write(f"===== {case} =====\n{transcript}\n")


def test_every_project_declares_the_repository_virtualenv() -> None:
    """Each Pulumi.yaml's `virtualenv`, resolved from where the project sits, is the repository's .venv."""
    for project in [ROOT, *(ROOT / "examples" / name for name in EXAMPLES)]:
        options = yaml.safe_load((project / "Pulumi.yaml").read_text())["runtime"]["options"]
        assert (project / options["virtualenv"]).resolve() == VENV.resolve(), project
    assert os.path.isdir(VENV)
