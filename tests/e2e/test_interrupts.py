"""Interrupted `pulumi up`: SIGINT (Ctrl-C) and SIGKILL of the real CLI while a create or an update
waits for its revision, then the documented recovery converges with no orphan and no duplicate.

Recovery validated here (README "After an interrupted or failed run"):

    pulumi cancel --yes                            # only needed if the run was killed: frees the stack lock
    pulumi refresh --clear-pending-creates --yes   # drops the pending operations the kill left in state
    pulumi up --yes                                # resumes the deployment (ownership tag), waits for DEPLOYED

The run is a child Python process serving the program through the Automation API (the program only
exists while that process lives); SIGINT goes to the `pulumi` CLI alone, as Ctrl-C would, while
SIGKILL takes down the child, the CLI and the provider host (which runs in its own process group).
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

from .harness import E2EStack
from .reliability_support import (
    ChildUp,
    assert_resumed,
    by_name,
    cli,
    github_spec,
    revisions,
    write_project,
    write_specs,
)

pytestmark = pytest.mark.e2e

BUILD_SECONDS = 4.0  # long enough to signal the run while the provider waits on BUILDING
SLOW_DEPLOY_SECONDS = 8.0


def _revisions_by_status(emulator: Any, name: str) -> dict[str, list[str]]:
    dep = by_name(emulator).get(name)
    out: dict[str, list[str]] = {}
    for rev in revisions(emulator, dep["id"]) if dep else []:
        out.setdefault(rev["status"], []).append(rev["source_revision_config"]["repo_ref"])
    return out


def _creates(emulator: Any, since: int = 0) -> list[dict[str, Any]]:
    """POST /v2/deployments requests that reached the handler (success or a committed-then-lost answer)."""
    return [
        r
        for r in emulator.requests(since=since)
        if r["method"] == "POST" and r["route"] == "/v2/deployments" and r["status"] == 201
    ]


@pytest.mark.parametrize("phase", ["create", "update"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["sigint", "sigkill"])
def test_interrupted_up_then_documented_recovery_converges(
    tmp_path: Path, emulator: Any, phase: str, sig: signal.Signals
) -> None:
    names = ["intr-a", "intr-b"] if phase == "create" else ["intr-a"]
    wd = write_project(tmp_path / "project", [github_spec(n) for n in names])
    stack = E2EStack(tmp_path, emulator, work_dir=wd)
    ref = "main"
    if phase == "update":
        stack.up()
        ref = "v2"
        write_specs(wd, [github_spec(n, repo_ref=ref) for n in names])
    # After a kill, keep the killed revisions in flight through the recovery below, so `up` has to
    # wait for them: their deploy phase, which starts after the kill, is slow (set before the kill,
    # because on a loaded machine the build may end before a later setting would apply).
    slow = {"deploy_seconds": SLOW_DEPLOY_SECONDS} if sig == signal.SIGKILL else {}
    emulator.settings(build_seconds=BUILD_SECONDS, **slow)

    def waiting() -> bool:
        """Every deployment has its revision for `ref` building, and the provider is polling it."""
        return all(ref in _revisions_by_status(emulator, n).get("BUILDING", []) for n in names)

    child = ChildUp(stack)
    try:
        child.wait_for("the revisions to be building", waiting)
        if sig == signal.SIGINT:
            child.interrupt()
            assert child.wait() == 1, child.output()
            out = child.output()
            # The engine waits for in-flight operations (Cancel is a no-op for dynamic providers)...
            assert "^C received; cancelling" in out and "update canceled" in out
            assert out.count(" DEPLOYED (") >= len(names), out[-3000:]
            # ...so the wait finished and its result was recorded: nothing is pending.
            assert stack.export().get("pending_operations") in (None, [])
        else:
            killed = list(child.kill().values())
            assert any(" up " in f" {c} " and "/pulumi " in c for c in killed), killed
            assert any("pulumi.dynamic" in c for c in killed), "the provider host was not among the killed"
            assert child.output().count(" DEPLOYED (") == 0  # killed mid-wait, not after
            pending = stack.export().get("pending_operations") or []
            kind = "creating" if phase == "create" else "updating"
            assert sorted(p["resource"]["urn"].rsplit("::", 1)[1] for p in pending) == names
            assert {p["type"] for p in pending} == {kind}
    finally:
        child.cleanup()

    locks = list((stack.state_dir / ".pulumi" / "locks").rglob("*.json"))
    if sig == signal.SIGKILL:
        # A killed run leaves the stack locked: that is what `pulumi cancel` is for.
        assert locks, "expected the killed run's lock file"
        refused = cli(stack, "refresh", "--yes")
        assert refused.returncode != 0 and "currently locked" in refused.stderr, refused.stderr
    else:
        assert locks == [], "a cancelled run released its lock"

    # The documented recovery, with the real CLI (cancel, refresh) and the same program (up).
    for args in (["cancel", "--yes"], ["refresh", "--clear-pending-creates", "--yes"]):
        proc = cli(stack, *args)
        assert proc.returncode == 0, f"pulumi {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    if sig == signal.SIGKILL and phase == "update":
        # refresh recorded the killed update's revision; the stack must not call this converged
        # before the server does. The server is read after the refresh, so it is at least as far
        # along as what refresh saw: a DEPLOYED in state needs a DEPLOYED on the server (on a loaded
        # machine the slow deploy may already have ended during cancel and refresh; usually not).
        [res] = stack.resources()
        assert res["outputs"]["source_revision_config"]["repo_ref"] == ref
        recorded = res["outputs"]["revision_status"]
        on_server = [status for status, refs in _revisions_by_status(emulator, names[0]).items() if ref in refs]
        assert recorded is not None and (recorded != "DEPLOYED" or on_server == ["DEPLOYED"]), (recorded, on_server)
    stack.up()

    _live, state = assert_resumed(stack, emulator, names)
    for name in names:
        assert state[name]["outputs"]["revision_status"] == "DEPLOYED"
        revs = _revisions_by_status(emulator, name)
        # One revision per requested config: the interrupted one was resumed, never re-created.
        expected = {"DEPLOYED": [ref]} if phase == "create" else {"DEPLOYED": ["v2", "main"]}
        assert {k: sorted(v) for k, v in revs.items()} == {k: sorted(v) for k, v in expected.items()}
    assert len(_creates(emulator)) == len(names), "a deployment was POSTed twice"
    stack.preview(expect_no_changes=True)
