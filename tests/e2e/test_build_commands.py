"""install_command / build_command (the spec's SourceConfig, JS builds) end to end: a field added to
the field table reaches the server on create, and a change rolls out as one new revision."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pulumi_langsmith import Deployment, SourceConfigArgs

from .harness import E2EStack, needs_current_api
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


def local_program(source_dir: Path, commands: dict[str, str]) -> Callable[[], None]:
    def program() -> None:
        export_deployment(
            "d", Deployment("local-js", source_dir=str(source_dir), source_config=SourceConfigArgs(**commands))
        )

    return program


@needs_current_api
def test_a_source_dir_deployments_command_change_rolls_one_revision(tmp_path: Path, emulator: Any) -> None:
    """Issue 27, defect 2: a `source_dir` deployment's install_command change was never sent; the
    update took the latest revision (same files) as already carrying it."""
    import shutil

    from .harness import ROOT

    code = tmp_path / "agent"
    shutil.copytree(ROOT / "examples" / "local-agent" / "agent", code, ignore=shutil.ignore_patterns("__pycache__"))
    commands = {"install_command": "pip install -e ."}
    s = E2EStack(tmp_path / "stack", emulator, local_program(code, commands))
    s.up()
    dep_id = s.outputs()["d_id"]
    before = len(revisions(emulator, dep_id))
    for changed in (
        {"install_command": "pip install ."},
        {"install_command": "pip install .", "build_command": "make"},
    ):
        s = E2EStack(tmp_path / "stack", emulator, local_program(code, changed))
        s.up()
        before += 1
        assert len(revisions(emulator, dep_id)) == before, "exactly one new revision"
        held = deployment(emulator, dep_id)["source_config"]
        assert {k: held.get(k) for k in changed} == changed
        assert set(s.preview().change_summary) == {"same"}


def test_a_create_whose_answer_names_no_revision_still_waits_for_it(tmp_path: Path, emulator: Any) -> None:
    """Issue 27, defect 10: with no `latest_revision_id` in the POST's answer, create skipped the wait
    and reported success with `revision_status` unset. The proxy answers as such a server would."""
    from pulumi_langsmith import SourceRevisionConfigArgs, WaitArgs

    from ..support.rewriting_proxy import rewriting_proxy

    def without_revision(method: str, path: str, body: Any) -> Any:
        if method == "POST" and path == "/v2/deployments" and isinstance(body, dict):
            return {**body, "latest_revision_id": None}
        return body

    def program() -> None:
        export_deployment(
            "d",
            Deployment(
                "quiet-answer",
                source="external_docker",
                source_revision_config=SourceRevisionConfigArgs(image_uri="registry.example.com/quiet:1"),
                wait=WaitArgs(health_check=False),
            ),
        )

    emulator.settings(deploy_seconds=2)  # still rolling out when the create's answer arrives
    with rewriting_proxy(emulator.url, without_revision) as url:
        s = E2EStack(tmp_path, emulator, program, control_plane_url=url)
        s.up()
        out = s.outputs()
        assert out["d_status"] == "DEPLOYED", out
        assert len(revisions(emulator, out["d_id"])) == 1
        assert set(s.preview().change_summary) == {"same"}
