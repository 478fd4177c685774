"""A revision that never finishes hits the resource's own deadline (`wait.timeout_seconds`; the engine's
`custom_timeouts` never reach a dynamic provider) with a clear error naming the ids and the limit as it
was set (a fractional one too: 0.5 reads `0.5s`, never `1s`), on create and on update, through the real CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pulumi.automation.errors import CommandError

from .harness import E2EStack, api
from .reliability_support import FAST_WAIT, by_name, comparable, github_spec, revisions, spec_program, wait_until

pytestmark = pytest.mark.e2e

NAME = "stuck"
#: Per phase: a whole number of seconds, and one under a second (shown as set, not rounded up).
DEADLINES = {"create": 2.0, "update": 0.5}


@pytest.mark.parametrize("phase", ["create", "update"])
def test_stuck_revision_hits_the_resource_deadline(tmp_path: Path, emulator: Any, phase: str) -> None:
    deadline = DEADLINES[phase]
    wait = {**FAST_WAIT, "timeout_seconds": deadline}
    specs = [github_spec(NAME, wait=wait if phase == "create" else FAST_WAIT)]
    stack = E2EStack(tmp_path, emulator, spec_program(specs))
    if phase == "update":
        stack.up()  # the first rollout under the usual limit; the update's under the short one
        specs[0] = github_spec(NAME, repo_ref="v2", wait=wait)
    emulator.add_outcome(deployment_name=NAME, outcome="STUCK")
    before = comparable(stack.resources())

    with pytest.raises(CommandError) as failed:
        stack.up()
    text = str(failed.value)

    dep = by_name(emulator)[NAME]
    latest = api(emulator, "GET", f"/v2/deployments/{dep['id']}")["latest_revision_id"]
    # The scripted revision keeps rolling out and stays DEPLOYING (a short deadline may end earlier).
    wait_until(
        "the stuck revision to be DEPLOYING",
        lambda: api(emulator, "GET", f"/v2/deployments/{dep['id']}/revisions/{latest}")["status"] == "DEPLOYING",
    )
    given = f"{deadline:g}s"  # as set: 2s, 0.5s
    message = rf"{NAME}: revision {latest} is still [A-Z_]+ after (\d+(?:\.\d+)?)s \(wait\.timeout_seconds: {given}\)"
    found = re.search(message, text)
    assert found, text
    assert float(found.group(1)) >= deadline, text  # the time waited, never rounded below the limit
    assert "`pulumi refresh` then `pulumi up`" in text
    # Nothing half-done in state, and exactly one revision was started for this run.
    assert comparable(stack.resources()) == before
    assert len(revisions(emulator, dep["id"])) == (1 if phase == "create" else 2)
