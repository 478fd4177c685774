"""The provider against a local control plane as strict as the real one (issue 12), through the real CLI.

- On a server of the official spec's shape: revisions by the documented PATCH, zero calls to
  undocumented routes, no display_name sent and no endless diff from it.
- A github Deployment written without deployment_type/build_on_push deploys with the documented
  defaults in the create body (the server answers 400 without them).
- INTERRUPTED and UNKNOWN are waited through: scripted INTERRUPTED (or UNKNOWN) then DEPLOYED
  succeeds; a revision that stays INTERRUPTED ends in a timeout, not a failure.
- Pruned revisions (404 while their deployment exists) are no error for refresh, preview, destroy.
- A server that masks or leaves out secret values: no drift, no loop, and no value written back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi.automation.errors import CommandError

from pulumi_langsmith.deployment.model import OWNERSHIP_ENV

from ..support.server import undocumented
from .harness import E2EStack, api, last_seq
from .lifecycle_support import env_of
from .reliability_support import by_name, deployment, github_spec, revisions, spec_program

pytestmark = pytest.mark.e2e

ONE = "/v2/deployments/{id}"


def settle(emulator: Any, dep_id: str) -> None:
    """Wait until the deployment's latest revision is DEPLOYED (after an out-of-band change)."""
    import time

    for _ in range(200):
        dep = deployment(emulator, dep_id)
        if dep["latest_revision_id"] and dep["latest_revision_id"] == dep["active_revision_id"]:
            return
        time.sleep(0.1)
    raise AssertionError("the out-of-band revision never deployed")


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


@pytest.mark.parametrize("transient", ["INTERRUPTED", "UNKNOWN"])
def test_transient_status_then_deployed_succeeds(tmp_path: Path, emulator: Any, transient: str) -> None:
    stack = E2EStack(tmp_path, emulator, spec_program([github_spec("wobbly")]))
    # Longer than the watcher's slowest revision read (15 s), so the wait does see the status.
    emulator.add_outcome(deployment_name="wobbly", outcome=f"{transient}_THEN_DEPLOYED", transient_seconds=20)
    stack.up()
    assert f" {transient} (" in stack.output()  # seen, reported, and waited through
    [res] = stack.resources()
    assert res["outputs"]["revision_status"] == "DEPLOYED"
    [rev] = revisions(emulator, res["id"])
    assert rev["status"] == "DEPLOYED"
    stack.preview(expect_no_changes=True)


def test_pruned_revisions_are_not_an_error(tmp_path: Path, emulator: Any) -> None:
    emulator.settings(keep_revisions=1)
    specs = [github_spec("pruned")]
    stack = E2EStack(tmp_path, emulator, spec_program(specs))
    stack.up()
    first = stack.resources()[0]["outputs"]["latest_revision_id"]
    for ref in ("v2", "v3"):
        specs[0] = github_spec("pruned", repo_ref=ref)
        stack.up()
    dep_id = by_name(emulator)["pruned"]["id"]
    ids = [r["id"] for r in revisions(emulator, dep_id)]
    assert first not in ids and len(ids) == 1  # the older ones answer 404 now
    stack.refresh(expect_no_changes=True)
    stack.preview(expect_no_changes=True)
    stack.destroy()


@pytest.mark.parametrize("mode", ["mask", "absent"])
def test_masked_secrets_are_never_written_back(tmp_path: Path, emulator: Any, mode: str) -> None:
    declared = github_spec("declared", secrets={"OPENAI_API_KEY": "sk-declared-value"})
    unmanaged = github_spec("unmanaged")
    del unmanaged["secrets"]
    specs = [declared, unmanaged]
    stack = E2EStack(tmp_path, emulator, spec_program(specs))
    stack.up()
    ids = {name: d["id"] for name, d in by_name(emulator).items()}
    # The env of the unmanaged one gains a value from elsewhere (the UI, say).
    env = [*deployment(emulator, ids["unmanaged"])["secrets"], {"name": "FROM_UI", "value": "ui-value"}]
    api(emulator, "PATCH", f"/v2/deployments/{ids['unmanaged']}", json={"secrets": env})
    settle(emulator, ids["unmanaged"])
    stack.refresh()

    emulator.settings(mask_secrets=mode)
    stack.refresh(expect_no_changes=True)  # unknown values are not drift, and not written into state
    stack.preview(expect_no_changes=True)
    specs[0] = {**declared, "source_revision_config": {**declared["source_revision_config"], "repo_ref": "v2"}}
    specs[1] = {**unmanaged, "source_revision_config": {**unmanaged["source_revision_config"], "repo_ref": "v2"}}
    stack.up()
    stack.preview(expect_no_changes=True)

    emulator.settings(mask_secrets="off")
    values = {name: env_of(deployment(emulator, dep_id)) for name, dep_id in ids.items()}
    assert values["declared"]["OPENAI_API_KEY"] == "sk-declared-value"
    assert values["unmanaged"]["FROM_UI"] == "ui-value"  # the masked value was not sent back
    assert OWNERSHIP_ENV in values["unmanaged"]
    for dep_id in ids.values():
        assert deployment(emulator, dep_id)["source_revision_config"]["repo_ref"] == "v2"
