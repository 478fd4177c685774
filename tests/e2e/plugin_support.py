"""What the plugin's program tests share: a copy of an example where its relative paths hold, and the
lifecycle every example goes through (up, an empty preview, one revision for one env change,
refresh, destroy), asserted the same way for every language."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ..support.server import revision_ids
from .cli import Project
from .harness import ROOT, VENV, live_deployments

#: What a user's own runs leave in an example folder: never copied.
MADE_IN_PLACE = ("node_modules", "sdks", "bin", "package-lock.json", "Pulumi.*.yaml", "__pycache__")


def in_tree(tmp_path: Path, example: str) -> Path:
    """A copy of `examples/<example>` in a scratch tree where `../../plugin`, `../../.venv` and
    `../local-agent/agent` resolve as in this repository."""
    tree = tmp_path / "tree"
    work = tree / "examples" / example
    shutil.copytree(ROOT / "examples" / example, work, ignore=shutil.ignore_patterns(*MADE_IN_PLACE))
    (tree / ".venv").symlink_to(VENV)
    (tree / "plugin").symlink_to(ROOT / "plugin")
    agent = ROOT / "examples" / "local-agent" / "agent"
    shutil.copytree(agent, tree / "examples" / "local-agent" / "agent", ignore=shutil.ignore_patterns(*MADE_IN_PLACE))
    return work


def example_lifecycle(project: Project, emulator: Any, secret: str) -> None:
    """The YAML and TypeScript examples' two deployments through up, update, refresh and destroy."""
    up = project.run("up", "--yes")
    assert "+ 3 created" in up.output, up.output
    out = project.outputs()
    assert out["githubRevisionStatus"] == "DEPLOYED" and out["localRevisionStatus"] == "DEPLOYED"
    assert len(out["localSourceHash"]) == 64
    by_name = {d["name"]: d for d in live_deployments(emulator)}
    github, local = by_name[out["githubName"]], by_name[out["localName"]]
    env = {s["name"]: s["value"] for s in github["secrets"]}
    assert env["LOG_LEVEL"] == "info" and env["OPENAI_API_KEY"] == secret
    assert local["source"] == "internal_source"
    # The secret reached the API, and state holds only its ciphertext.
    assert secret not in project.run("stack", "export").stdout
    project.run("preview", "--expect-no-changes")

    # One plain env change: a property-level diff naming it, and exactly one new revision.
    project.run("config", "set", "logLevel", "debug")
    diff = project.run("preview", "--diff").output
    assert 'LOG_LEVEL: "info" => "debug"' in diff and "1 to update" in diff and "replace" not in diff, diff
    before = {d["id"]: revision_ids(emulator, d["id"]) for d in (github, local)}
    project.run("up", "--yes")
    assert len(revision_ids(emulator, github["id"])) == len(before[github["id"]]) + 1
    assert revision_ids(emulator, local["id"]) == before[local["id"]]
    project.run("refresh", "--yes")
    project.run("preview", "--expect-no-changes")

    project.run("destroy", "--yes")
    assert live_deployments(emulator) == []
