"""install_command / build_command (the spec's SourceConfig, JS builds) end to end: a field added to
the field table reaches the server on create, and a change rolls out as one new revision."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pulumi_langsmith import Deployment, SourceConfigArgs

from .harness import E2EStack
from .lifecycle_support import deployment, export_deployment, github_args, revisions

pytestmark = pytest.mark.e2e


def js_program(commands: dict[str, str]) -> Callable[[], None]:
    def program() -> None:
        args = github_args({})
        assert isinstance(args.source_config, SourceConfigArgs)
        args.source_config = dataclasses.replace(args.source_config, **commands)
        export_deployment("d", Deployment("js-agent", args))

    return program


def test_build_commands_reach_the_server_and_a_change_rolls_one_revision(tmp_path: Path, emulator: Any) -> None:
    commands = {"install_command": "npm ci", "build_command": "npm run build"}
    s = E2EStack(tmp_path, emulator, js_program(commands))
    s.up()
    dep_id = s.outputs()["d_id"]
    assert {k: deployment(emulator, dep_id)["source_config"].get(k) for k in commands} == commands
    before = len(revisions(emulator, dep_id))

    commands["build_command"] = "yarn build"
    s.up()
    assert deployment(emulator, dep_id)["source_config"]["build_command"] == "yarn build"
    assert len(revisions(emulator, dep_id)) == before + 1
    assert set(s.preview().change_summary) == {"same"}
