"""Issue 30, defect 5: `health` and `revision_status` describe the last `up`, also when it did not wait.

With `wait.enabled=False` a rollout is neither awaited nor checked: `health` says `not checked` (never
the previous rollout's `ok`) and `revision_status` the new revision's status as read right after it
was made (never nothing). An in-place update rolls nothing out: it keeps the status last seen, and
DEPLOYED once the server shows the revision active. Through the real dynamic provider host against
the local control plane (the update path through the CLI: tests/e2e/test_plugin_programs.py).
"""

from __future__ import annotations

from typing import Any

from pulumi_langsmith.core.statuses import TRANSIENT

from .e2e.reliability_support import wait_until
from .support.data import docker_inputs
from .support.host import Host
from .support.server import api, revision_ids

UNWAITED = {"enabled": False, "poll_min_seconds": 0.05, "poll_max_seconds": 0.5}


def test_an_unwaited_create_and_an_in_place_update_report_what_was_seen(host: Host, emulator: Any) -> None:
    emulator.settings(deploy_seconds=3)  # the revision is still rolling out when the create reads it
    inputs = docker_inputs(
        "unwaited-one", source_config={"resource_spec": {"min_scale": 1, "max_scale": 2}}, wait=UNWAITED
    )
    checked, failures = host.check({}, inputs)
    assert failures == []
    dep_id, outs = host.create(checked)
    [revision] = revision_ids(emulator, dep_id)
    assert outs["health"] == "not checked"
    assert outs.get("revision_status") in TRANSIENT, outs.get("revision_status")
    first_seen = outs["revision_status"]

    # In place, the rollout still going: the status last seen stays.
    news = {**inputs, "display_name": "Renamed"}
    checked, failures = host.check(outs, news)
    assert failures == []
    outs = host.update(dep_id, outs, checked)
    assert revision_ids(emulator, dep_id) == [revision]
    assert (outs.get("health"), outs.get("revision_status")) == ("not checked", first_seen) or (
        outs.get("revision_status") == "DEPLOYED"  # a loaded machine: it finished meanwhile, the server says so
        and api(emulator, "GET", f"/v2/deployments/{dep_id}")["active_revision_id"] == revision
    ), outs

    # In place once the server shows it active: DEPLOYED.
    wait_until(
        "the revision to be active",
        lambda: api(emulator, "GET", f"/v2/deployments/{dep_id}")["active_revision_id"] == revision,
    )
    checked, failures = host.check(outs, {**news, "display_name": "Renamed again"})
    assert failures == []
    outs = host.update(dep_id, outs, checked)
    assert (outs.get("health"), outs.get("revision_status")) == ("not checked", "DEPLOYED")
