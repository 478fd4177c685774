"""A TypeScript program through the `langsmith` provider plugin, with the real CLI, as a user types it.

`examples/typescript` is copied into a scratch tree, its SDK generated from the plugin's schema
(`pulumi package add ../../plugin/schema.json`, which writes `sdks/langsmith` and runs npm install),
then it goes through up, an empty preview, an update of exactly one revision, refresh and destroy,
like the YAML program of `test_plugin_programs.py`. Needs the Node.js language host, `npm` and the
npm registry; it runs once (not again under `LANGSMITH_EMULATOR_API=spec`).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from ..support.server import revision_ids
from .cli import Project, requires_host
from .harness import ROOT, SPEC_API, VENV, live_deployments

NPM = shutil.which("npm")

pytestmark = [
    pytest.mark.e2e,
    requires_host("nodejs"),
    pytest.mark.skipif(NPM is None, reason="no `npm` on PATH: a TypeScript program needs its own `npm install`"),
    pytest.mark.skipif(
        SPEC_API,
        reason="the plugin runs the same provider code as the dynamic host, whose e2e tests this pass "
        "repeats against the spec's API shape: run once, against the current API (make test's first pass)",
    ),
]

SECRET = "sk-typescript-secret-4a9d"
EXAMPLE = ROOT / "examples" / "typescript"


def in_tree(tmp_path: Path) -> Path:
    """A copy of the example where `../../plugin` and `../local-agent/agent` hold, without any
    `node_modules`, `sdks` or `bin` a user made in place."""
    tree = tmp_path / "tree"
    work = tree / "examples" / "typescript"
    made_here = shutil.ignore_patterns("node_modules", "sdks", "bin", "package-lock.json", "Pulumi.*.yaml")
    shutil.copytree(EXAMPLE, work, ignore=made_here)
    (tree / ".venv").symlink_to(VENV)
    (tree / "plugin").symlink_to(ROOT / "plugin")
    agent = ROOT / "examples" / "local-agent" / "agent"
    shutil.copytree(agent, tree / "examples" / "local-agent" / "agent", ignore=shutil.ignore_patterns("__pycache__"))
    return work


def test_typescript_example_up_update_refresh_destroy(tmp_path: Path, emulator: Any) -> None:
    project = Project(in_tree(tmp_path), tmp_path)
    started = time.monotonic()
    # The SDK from the schema file: `sdks/langsmith`, linked in package.json as `file:sdks/langsmith`.
    added = project.run("package", "add", "../../plugin/schema.json", timeout=600)
    assert (project.work_dir / "sdks" / "langsmith" / "package.json").exists(), added.output
    subprocess.run(
        [str(NPM), "install", "--no-audit", "--no-fund"],
        cwd=project.work_dir,
        env=project.env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    print(f"pulumi package add + npm install: {time.monotonic() - started:.1f}s")
    project.init_stack(emulator.url)
    project.run("config", "set", "--secret", "openaiApiKey", SECRET)

    up = project.run("up", "--yes")
    assert "+ 3 created" in up.output, up.output
    out = project.outputs()
    assert out["githubRevisionStatus"] == "DEPLOYED" and out["localRevisionStatus"] == "DEPLOYED"
    assert len(out["localSourceHash"]) == 64
    by_name = {d["name"]: d for d in live_deployments(emulator)}
    github = by_name[out["githubName"]]
    env = {s["name"]: s["value"] for s in github["secrets"]}
    assert env["LOG_LEVEL"] == "info" and env["OPENAI_API_KEY"] == SECRET
    assert by_name[out["localName"]]["source"] == "internal_source"
    # The secret reached the API, and state holds only its ciphertext.
    assert SECRET not in project.run("stack", "export").stdout
    project.run("preview", "--expect-no-changes")

    # One plain env change: a property-level diff naming it, and exactly one new revision.
    project.run("config", "set", "logLevel", "debug")
    diff = project.run("preview", "--diff").output
    assert 'LOG_LEVEL: "info" => "debug"' in diff and "1 to update" in diff and "replace" not in diff, diff
    before = {d["id"]: revision_ids(emulator, d["id"]) for d in by_name.values()}
    project.run("up", "--yes")
    after = {dep_id: revision_ids(emulator, dep_id) for dep_id in before}
    assert len(after[github["id"]]) == len(before[github["id"]]) + 1
    assert after[by_name[out["localName"]]["id"]] == before[by_name[out["localName"]]["id"]]
    project.run("refresh", "--yes")
    project.run("preview", "--expect-no-changes")

    project.run("destroy", "--yes")
    assert live_deployments(emulator) == []
