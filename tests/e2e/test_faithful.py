"""The provider against a local control plane as strict as the real one (issue 12), through the real CLI.

- On a server of the official spec's shape: revisions by the documented PATCH, zero calls to
  undocumented routes, no display_name sent and no endless diff from it.
- A github Deployment written without deployment_type/build_on_push deploys with the documented
  defaults in the create body (the server answers 400 without them).
- INTERRUPTED is waited through: a revision that stays INTERRUPTED ends in a timeout, not a failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi.automation.errors import CommandError

from ..support.server import undocumented
from .harness import E2EStack, last_seq
from .reliability_support import by_name, deployment, github_spec, revisions, spec_program

pytestmark = pytest.mark.e2e

ONE = "/v2/deployments/{id}"


def _writes(emulator: Any, seq: int) -> list[tuple[str, str]]:
    return [(r["method"], r["route"]) for r in emulator.requests(since=seq) if r["method"] != "GET"]


def test_spec_server_revisions_by_patch_no_undocumented_call_no_loop(tmp_path: Path, emulator: Any) -> None:
    emulator.settings(api="spec")
    specs = [github_spec("spec-agent", display_name="Spec agent")]
    stack = E2EStack(tmp_path, emulator, spec_program(specs))
    stack.up()
    dep = by_name(emulator)["spec-agent"]
    assert "display_name" not in deployment(emulator, dep["id"])
    assert "display_name" in stack.output() and "kept in state only" in stack.output()

    specs[0] = github_spec("spec-agent", display_name="Spec agent", repo_ref="v2")
    seq = last_seq(emulator)
    stack.up()
    assert _writes(emulator, seq) == [("PATCH", ONE)]  # the revision; no display_name PATCH
    revs = revisions(emulator, dep["id"])
    assert sorted(r["source_revision_config"]["repo_ref"] for r in revs) == ["main", "v2"]

    # The server never returns display_name: refresh keeps the declared one, so nothing loops.
    seq = last_seq(emulator)
    stack.refresh(expect_no_changes=True)
    stack.preview(expect_no_changes=True)
    stack.up()
    assert _writes(emulator, seq) == []
    stack.destroy()
    assert undocumented(emulator.requests()) == []


def test_github_without_deployment_type_deploys_with_the_documented_defaults(tmp_path: Path, emulator: Any) -> None:
    spec = github_spec("defaults")
    del spec["source_config"]["deployment_type"]
    stack = E2EStack(tmp_path, emulator, spec_program([spec]))
    stack.up()
    server = deployment(emulator, by_name(emulator)["defaults"]["id"])
    assert server["source_config"]["deployment_type"] == "prod"
    assert server["source_config"]["build_on_push"] is False
    [res] = stack.resources()
    assert res["inputs"]["source_config"]["deployment_type"] == "prod"  # shown in the preview and state
    stack.preview(expect_no_changes=True)
    # Writing the default explicitly changes nothing.
    spec["source_config"]["deployment_type"] = "prod"
    stack.preview(expect_no_changes=True)


def test_interrupted_is_waited_through_until_the_deadline(tmp_path: Path, emulator: Any) -> None:
    wait = {"poll_min_seconds": 0.1, "poll_max_seconds": 0.3, "timeout_seconds": 4}
    stack = E2EStack(tmp_path, emulator, spec_program([github_spec("paused", wait=wait)]))
    emulator.add_outcome(deployment_name="paused", outcome="INTERRUPTED")
    with pytest.raises(CommandError) as failed:
        stack.up()
    text = str(failed.value)
    assert "is still INTERRUPTED after" in text and "ended in" not in text
    [dep] = by_name(emulator).values()
    [rev] = revisions(emulator, dep["id"])
    assert rev["status"] == "INTERRUPTED"
