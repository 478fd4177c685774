"""A killed `pulumi up` leaves no provider host running, and that host calls nothing once orphaned.

SIGKILL goes to the CLI's whole process group, as a terminal's hangup or a CI job timeout delivers
it: the CLI (and the Automation API driver that serves the program) die, while the plugins, which
the CLI starts in process groups of their own, are left to notice on their own
(provider/core/engine_watch.py). Every process of the run carries an environment marker, so the
test finds them all in /proc, however they were re-parented. Then the README's recovery (`pulumi
cancel`, `pulumi refresh --clear-pending-creates`, `pulumi up`) must converge as after any kill:
one deployment, one revision per change, no extra create.

`test_killed_cli_typed` does the same with `pulumi up` typed in a project directory (the Python
language host runs the program), create only, and reports how long the language host lives on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from langsmith_emulator.testing import GITHUB_INTEGRATION_ID

from .cli import Project, requires_language_host
from .harness import SPEC_API, VENV, E2EStack, last_seq, mutating_requests
from .reliability_support import (
    REPO_URL,
    ChildUp,
    assert_converged,
    assert_resumed,
    by_name,
    cli,
    github_spec,
    revisions,
    wait_until,
    write_project,
    write_specs,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        SPEC_API,
        reason="how the provider host outlives its engine does not depend on the API shape: "
        "run once, against the current API (make test's first pass)",
    ),
]

MARKER = "LANGSMITH_E2E_RUN"
BUILD_SECONDS = 4.0  # the kill lands while the provider waits on BUILDING
SLOW_DEPLOY_SECONDS = 8.0  # still rolling out when the recovery's `up` starts: it has to wait
EXIT_WITHIN = 15.0


def run_processes(marker: str) -> dict[int, str]:
    """Every live process whose environment carries `MARKER=marker`: pid -> command line."""
    needle = f"{MARKER}={marker}".encode()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").replace("\0", " ").strip()
        except OSError:
            continue
        if state != "Z":  # a zombie no longer runs
            found[int(entry.name)] = argv
    return found


def is_provider(argv: str) -> bool:
    return "pulumi.dynamic" in argv or "pulumi-resource-pulumi-python" in argv


def providers(marker: str) -> dict[int, str]:
    return {pid: argv for pid, argv in run_processes(marker).items() if is_provider(argv)}


def started(entry: dict[str, Any]) -> float:
    return datetime.fromisoformat(str(entry["time"]).replace("Z", "+00:00")).timestamp()


def building(emulator: Any, names: list[str], ref: str) -> bool:
    """Every deployment has its revision for `ref` building (the provider is waiting on it)."""
    for name in names:
        dep = by_name(emulator).get(name)
        revs = revisions(emulator, dep["id"]) if dep else []
        if not any(r["status"] == "BUILDING" and r["source_revision_config"]["repo_ref"] == ref for r in revs):
            return False
    return True


def kill_group(pid: int) -> None:
    """SIGKILL `pid`'s whole process group (the CLI's), as a closed terminal or a CI timeout would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(os.getpgid(pid), signal.SIGKILL)


def assert_orphans_exit_and_stay_quiet(emulator: Any, marker: str, since: int, killed_at: float) -> float:
    """No provider process of the run within EXIT_WITHIN seconds; no write after the kill; nothing
    started after the last one was seen gone. Returns how long they took."""
    wait_until("the run's provider processes to exit", lambda: not providers(marker), EXIT_WITHIN, 0.05)
    dead_at = time.time()
    took = dead_at - killed_at
    after_kill = emulator.requests(since=since)
    assert mutating_requests(emulator, since=since) == [], "a write after the kill"
    late = [r for r in after_kill if started(r) >= dead_at]
    assert late == [], f"requests after the provider host was gone: {late}"
    last = max((started(r) for r in after_kill), default=killed_at)
    print(
        f"\nprovider processes gone {took:.1f}s after the kill; {len(after_kill)} requests after the kill, "
        f"the last {max(0.0, last - killed_at):.1f}s after it"
    )
    return took


@pytest.mark.parametrize("phase", ["create", "update"])
def test_killed_cli_group_leaves_no_provider_host(tmp_path: Path, emulator: Any, phase: str) -> None:
    marker = uuid.uuid4().hex
    names = ["orphan-a", "orphan-b"] if phase == "create" else ["orphan-a"]
    wd = write_project(tmp_path / "project", [github_spec(n) for n in names])
    stack = E2EStack(tmp_path, emulator, work_dir=wd, extra_env={MARKER: marker})
    ref = "main"
    if phase == "update":
        stack.up()
        ref = "v2"
        write_specs(wd, [github_spec(n, repo_ref=ref) for n in names])
    emulator.settings(build_seconds=BUILD_SECONDS, deploy_seconds=SLOW_DEPLOY_SECONDS)

    child = ChildUp(stack)
    try:
        child.wait_for("the revisions to be building", lambda: building(emulator, names, ref))
        cli_pid = child.cli_pid()
        assert os.getpgid(cli_pid) == os.getpgid(child.proc.pid), "the CLI runs in the driver's group"
        assert providers(marker), f"no provider host found by its marker: {run_processes(marker)}"
        since, killed_at = last_seq(emulator), time.time()
        kill_group(child.proc.pid)
        child.proc.wait(30)
        assert_orphans_exit_and_stay_quiet(emulator, marker, since, killed_at)
        assert child.output().count(" DEPLOYED (") == 0  # killed mid-wait, not after
    finally:
        child.cleanup()
        for pid in run_processes(marker):  # whatever this test started and is still there
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    pending = stack.export().get("pending_operations") or []
    assert sorted(p["resource"]["urn"].rsplit("::", 1)[1] for p in pending) == names
    for args in (["cancel", "--yes"], ["refresh", "--clear-pending-creates", "--yes"]):
        proc = cli(stack, *args)
        assert proc.returncode == 0, f"pulumi {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    stack.up()

    live, _state = assert_resumed(stack, emulator, names)
    for name in names:
        refs = sorted(r["source_revision_config"]["repo_ref"] for r in revisions(emulator, live[name]["id"]))
        assert refs == (["main"] if phase == "create" else ["main", "v2"]), f"{name}: one revision per change"
    creates = [r for r in emulator.requests() if r["method"] == "POST" and r["route"] == "/v2/deployments"]
    assert len([r for r in creates if r["status"] == 201]) == len(names), "a deployment was POSTed twice"
    stack.preview(expect_no_changes=True)


PROGRAM = f'''"""Generated by tests/e2e/test_killed_cli.py."""
from pulumi_langsmith import Deployment

Deployment(
    "orphan-typed",
    name="orphan-typed",
    source="github",
    source_config={{"integration_id": "{GITHUB_INTEGRATION_ID}", "repo_url": "{REPO_URL}", "deployment_type": "dev"}},
    source_revision_config={{"repo_ref": "main", "langgraph_config_path": "langgraph.json"}},
    wait={{"poll_min_seconds": 0.1, "poll_max_seconds": 0.5, "timeout_seconds": 120}},
)
'''


@requires_language_host
def test_killed_cli_typed(tmp_path: Path, emulator: Any) -> None:
    """`pulumi up` typed, its group killed: the provider host exits; the language host outlives it
    (its own health check of the engine runs every 5 minutes, see README)."""
    marker = uuid.uuid4().hex
    wd = tmp_path / "project"
    wd.mkdir()
    (wd / "Pulumi.yaml").write_text(
        f"name: orphan-typed\nruntime:\n  name: python\n  options:\n    virtualenv: {VENV}\n"
    )
    (wd / "__main__.py").write_text(PROGRAM)
    project = Project(wd, tmp_path)
    project.init_stack(emulator.url)
    emulator.settings(build_seconds=BUILD_SECONDS, deploy_seconds=SLOW_DEPLOY_SECONDS)

    with open(tmp_path / "up.log", "w") as out:
        up = subprocess.Popen(
            ["pulumi", "up", "--yes", "--non-interactive", "--color", "never"],
            cwd=wd,
            env={**project.env, MARKER: marker},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, as in a terminal: the group is what gets killed
        )
    try:

        def waiting() -> bool:
            assert up.poll() is None, (tmp_path / "up.log").read_text()
            return building(emulator, ["orphan-typed"], "main")

        wait_until("the revision to be building", waiting, 120)
        language = [p for p, argv in run_processes(marker).items() if "pulumi-language-python " in f"{argv} "]
        assert language and providers(marker), run_processes(marker)
        since, killed_at = last_seq(emulator), time.time()
        kill_group(up.pid)
        up.wait(30)
        assert_orphans_exit_and_stay_quiet(emulator, marker, since, killed_at)
        alive = [p for p in language if p in run_processes(marker)]
        print(f"language host {'still running' if alive else 'gone'} {time.time() - killed_at:.1f}s after the kill")
    finally:
        if up.poll() is None:
            kill_group(up.pid)
        for pid in run_processes(marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    project.run("cancel", "--yes")
    project.run("refresh", "--clear-pending-creates", "--yes")
    project.run("up", "--yes")
    live = assert_converged(emulator, {"orphan-typed"})
    assert len(revisions(emulator, live["orphan-typed"]["id"])) == 1
