"""A revision that never finishes hits the resource's own deadline (`wait.timeout_seconds`; the engine's
`custom_timeouts` never reach a dynamic provider) with a clear error naming the ids, on create and on
update, through the real CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pulumi.automation.errors import CommandError

from .harness import E2EStack, api
from .reliability_support import FAST_WAIT, by_name, comparable, github_spec, revisions, spec_program

pytestmark = pytest.mark.e2e

NAME = "stuck"
DEADLINE = 2


@pytest.mark.parametrize("phase", ["create", "update"])
def test_stuck_revision_hits_the_resource_deadline(tmp_path: Path, emulator: Any, phase: str) -> None:
    wait = {**FAST_WAIT, "timeout_seconds": DEADLINE}
    specs = [github_spec(NAME, wait=wait)]
    stack = E2EStack(tmp_path, emulator, spec_program(specs))
    if phase == "update":
        stack.up()
        specs[0] = github_spec(NAME, repo_ref="v2", wait=wait)
    emulator.add_outcome(deployment_name=NAME, outcome="STUCK")
    before = comparable(stack.resources())

    with pytest.raises(CommandError) as failed:
        stack.up()
    text = str(failed.value)

    dep = by_name(emulator)[NAME]
    latest = api(emulator, "GET", f"/v2/deployments/{dep['id']}")["latest_revision_id"]
    rev = api(emulator, "GET", f"/v2/deployments/{dep['id']}/revisions/{latest}")
    assert rev["status"] == "DEPLOYING", "the scripted revision should still be rolling out"
    message = rf"{NAME}: revision {latest} is still DEPLOYING after \d+s \(wait\.timeout_seconds\)"
    assert re.search(message, text), text
    assert "`pulumi refresh` then `pulumi up`" in text
    # Nothing half-done in state, and exactly one revision was started for this run.
    assert comparable(stack.resources()) == before
    assert len(revisions(emulator, dep["id"])) == (1 if phase == "create" else 2)
