"""Revisions that end in BUILD_FAILED, DEPLOY_FAILED or CREATE_FAILED, on create and on update,
through the real CLI: the error names the deployment, the revision id, the status and the log tail
(on a server with the log route; else it says the logs are not available); nothing is lost or
duplicated; after the cause is fixed the next `up` converges. INTERRUPTED is not a failure: it is
waited through until the deadline (see test_faithful.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi.automation import OpType
from pulumi.automation.errors import CommandError

from langsmith_emulator.testing import free_port
from pulumi_langsmith.core.waiter import NO_LOGS

from ..support.server import API
from .harness import E2EStack, api
from .reliability_support import assert_converged, by_name, comparable, github_spec, revisions, spec_program

pytestmark = pytest.mark.e2e

NAME = "fails"
OUTCOMES = ["BUILD_FAILED", "DEPLOY_FAILED", "CREATE_FAILED"]
# The phase whose logs hold the failure.
LOG_KIND = {"BUILD_FAILED": "build", "DEPLOY_FAILED": "deploy", "CREATE_FAILED": "build"}


def _log_tail(emulator: Any, dep_id: str, rev_id: str, kind: str) -> list[str]:
    page = api(emulator, "GET", f"/v2/deployments/{dep_id}/revisions/{rev_id}/logs", params={"type": kind})
    return [str(e["message"]) for e in page["logs"]]


@pytest.mark.parametrize("phase", ["create", "update"])
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_failed_revision_is_reported_and_the_next_up_converges(
    tmp_path: Path, emulator: Any, outcome: str, phase: str
) -> None:
    specs = [github_spec(NAME)]
    stack = E2EStack(tmp_path, emulator, spec_program(specs))
    if phase == "update":
        stack.up()
        specs[0] = github_spec(NAME, repo_ref="v2")
    emulator.add_outcome(deployment_name=NAME, outcome=outcome)
    before = comparable(stack.resources())

    with pytest.raises(CommandError) as failed:
        stack.up()
    text = str(failed.value)

    dep = by_name(emulator)[NAME]
    revs = revisions(emulator, dep["id"])
    latest = api(emulator, "GET", f"/v2/deployments/{dep['id']}")["latest_revision_id"]
    [failed_rev] = [r for r in revs if r["id"] == latest]
    assert failed_rev["status"] == outcome
    assert NAME in text and latest in text and outcome in text
    if API == "current":
        tail = _log_tail(emulator, dep["id"], latest, LOG_KIND[outcome])
        assert tail and "ERROR" in tail[-1]
        assert tail[-1] in text, f"log tail {tail[-1]!r} not in the error:\n{text}"
    else:  # the spec has no log route: the provider does not call one, and says so
        assert NO_LOGS in text
    assert "run `pulumi up` again" in text
    # The provider's message alone, not the Python traceback of the provider host (errors.py).
    assert "Traceback" not in text and 'File "' not in text, text

    # Nothing half-done is recorded: a failed create leaves no resource in state (the deployment
    # stays on the server and is resumed), a failed update leaves the previous state untouched...
    assert comparable(stack.resources()) == before
    # ...so the next preview is not empty: the retry will happen.
    preview = stack.preview()
    retry = OpType.CREATE if phase == "create" else OpType.UPDATE
    assert preview.change_summary.get(retry) == 1, preview.change_summary

    emulator.clear_outcomes()
    stack.up()
    assert_converged(emulator, {NAME})
    [res] = stack.resources()
    assert res["id"] == dep["id"], "the retry created a second deployment instead of resuming the first"
    assert res["outputs"]["revision_status"] == "DEPLOYED"
    # One more revision than before the retry: the failed one is kept, a new one rolled out.
    assert len(revisions(emulator, dep["id"])) == len(revs) + 1
    stack.preview(expect_no_changes=True)


def test_unreachable_control_plane_is_named_at_once(tmp_path: Path, emulator: Any) -> None:
    """A refused connection fails the first call after two quick retries, naming the URL and where
    it is configured; no traceback. (The same through `pulumi up` typed: test_cli_commands.py.)"""
    dead = f"http://127.0.0.1:{free_port()}"
    stack = E2EStack(tmp_path, emulator, spec_program([github_spec(NAME)]), control_plane_url=dead)
    with pytest.raises(CommandError) as failed:
        stack.up()
    text = str(failed.value)
    assert f"error: cannot reach the LangSmith control plane at {dead}: connection refused" in text, text
    assert "langsmith:controlPlaneUrl" in text and "LANGSMITH_CONTROL_PLANE_URL" in text
    assert "Traceback" not in text and 'File "' not in text, text
    assert stack.resources() == []
