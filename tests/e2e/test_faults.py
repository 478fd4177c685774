"""Injected faults on the public API, through the real CLI: nothing lost, nothing duplicated.

- 20 % of every public request fails at random (429 with Retry-After, 500/502/503, dropped connection,
  latency), plus a few pinned rules so every route used and every kind is sure to be hit (among them a
  dropped connection on the non-idempotent create POST): `up` of 8 deployments (parallel=8) and
  `destroy` both succeed, leaving exactly 8 (no duplicate name, one revision each) and then 0.
- "Commit then drop the response" on POST /v2/deployments and on the PATCH that rolls out a revision:
  the lost answer is reconciled (lookup by name + ownership tag; `latest_revision_id` moved), never
  re-sent by the transport, so no duplicate deployment and exactly one new revision.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from ..support.server import besides_live_logs, undocumented
from .harness import E2EStack, last_seq, live_deployments
from .reliability_support import (
    assert_converged,
    by_name,
    fault_counts,
    github_spec,
    revisions,
    spec_program,
)

pytestmark = pytest.mark.e2e

FAULT_RATE = 0.2
SEED = 20260601
RANDOM_KINDS = {"429", "500", "502", "503", "drop", "latency"}
CREATE = "^/v2/deployments$"
ONE = r"^/v2/deployments/[0-9a-f-]+$"
REVISION = r"^/v2/deployments/[0-9a-f-]+/revisions/[0-9a-f-]+$"
# Few on the create POST: a failed POST costs one of the provider's 4 attempts (a 429 is retried by
# urllib3 and costs none), and the random faults already hit it about once in 7.5 POSTs.
PINNED = [
    ("POST", CREATE, "429"),
    ("POST", CREATE, "drop"),
    ("GET", CREATE, "502"),
    ("GET", CREATE, "latency"),
    ("DELETE", ONE, "502"),
    ("DELETE", ONE, "drop"),
    ("DELETE", ONE, "429"),
]


def _report(label: str, requests: list[dict[str, Any]]) -> None:
    by_route: dict[str, int] = {}
    for r in requests:
        if r.get("fault"):
            key = f"{r['method']} {r['route']}"
            by_route[key] = by_route.get(key, 0) + 1
    counts = fault_counts(requests)
    print(
        f"\n[faults] {label}: {sum(counts.values())} faults in {len(requests)} requests: {dict(sorted(counts.items()))}"
        f"; by route: {dict(sorted(by_route.items()))}",
        file=sys.stderr,
    )


def _posts(requests: list[dict[str, Any]], route: str, method: str = "POST") -> list[dict[str, Any]]:
    """Writes that reached the handler and committed (logged 2xx, whether or not the client got it)."""
    return [r for r in requests if r["method"] == method and r["route"] == route and 200 <= r["status"] < 300]


def test_up_and_destroy_of_eight_under_20_percent_faults(tmp_path: Path, emulator: Any) -> None:
    names = [f"flaky-{i}" for i in range(8)]
    stack = E2EStack(tmp_path, emulator, spec_program([github_spec(n) for n in names]))

    # Pinned rules fire first (each once) so every route and every kind is sure to be hit; then the
    # seeded 20 % applies to every request.
    for method, path, kind in PINNED:
        emulator.add_fault(method=method, path=path, kind=kind, count=1)
    seq = last_seq(emulator)
    emulator.settings(fault_rate=FAULT_RATE, seed=SEED)
    try:
        stack.up(parallel=8)
    finally:
        emulator.settings(fault_rate=0.0)
    up_requests = emulator.requests(since=seq)
    _report("up", up_requests)
    emulator.clear_faults()  # the watcher reads no single deployment or revision in a smooth `up`

    live = assert_converged(emulator, set(names))
    assert len(_posts(up_requests, "/v2/deployments")) == 8, "a deployment was created twice"
    state = {r["outputs"]["name"]: r["id"] for r in stack.resources()}
    assert state == {n: live[n]["id"] for n in names}
    for n in names:
        assert len(revisions(emulator, live[n]["id"])) == 1, f"{n}: extra revision"
    creates = [r for r in up_requests if r["method"] == "POST" and r["route"] == "/v2/deployments"]
    assert {"429", "drop"} <= set(fault_counts(creates))

    seq = last_seq(emulator)
    # The DELETE rules again, and a deletion wait confirms with one GET of the deployment: fault it too.
    for method, path, kind in [*(p for p in PINNED if p[0] == "DELETE"), ("GET", ONE, "500"), ("GET", ONE, "drop")]:
        emulator.add_fault(method=method, path=path, kind=kind, count=1)
    emulator.settings(fault_rate=FAULT_RATE, seed=SEED + 1)
    try:
        stack.destroy(parallel=8)
    finally:
        emulator.settings(fault_rate=0.0)
    down_requests = emulator.requests(since=seq)
    _report("destroy", down_requests)
    assert live_deployments(emulator) == []
    assert stack.resources() == []
    deletes = [r for r in down_requests if r["method"] == "DELETE"]
    assert {"502", "429", "drop"} <= set(fault_counts(deletes))

    # Every route the provider used was faulted, with every kind; and the random 20 % did its part
    # beyond the pinned rules (about 30 random faults are expected in ~160 requests).
    everything = up_requests + down_requests
    used = {(r["method"], r["route"]) for r in everything}
    faulted = {(r["method"], r["route"]) for r in everything if r["fault"]}
    assert used == faulted, f"routes never faulted: {used - faulted}"
    counts = fault_counts(everything)
    assert set(counts) == RANDOM_KINDS
    assert sum(counts.values()) - len(PINNED) >= 10, counts


def test_commit_then_drop_on_create_leaves_one_deployment(tmp_path: Path, emulator: Any) -> None:
    stack = E2EStack(tmp_path, emulator, spec_program([github_spec("lost-create")]))
    emulator.add_fault(method="POST", path=CREATE, kind="commit_then_drop", count=1)
    stack.up()

    posts = _posts(emulator.requests(), "/v2/deployments")
    assert [p["fault"] for p in posts] == ["commit_then_drop"], "the POST was repeated after its answer was lost"
    [dep] = live_deployments(emulator)
    assert dep["name"] == "lost-create"
    [res] = stack.resources()
    assert res["id"] == dep["id"] and res["outputs"]["revision_status"] == "DEPLOYED"
    assert len(revisions(emulator, dep["id"])) == 1, "a second revision was rolled out"
    assert_converged(emulator, {"lost-create"})
    assert "resuming deployment" in stack.output()


def test_commit_then_drop_on_revision_rolls_out_exactly_one(tmp_path: Path, emulator: Any) -> None:
    specs = [github_spec("lost-revision")]
    stack = E2EStack(tmp_path, emulator, spec_program(specs))
    stack.up()
    dep_id = by_name(emulator)["lost-revision"]["id"]

    specs[0] = github_spec("lost-revision", repo_ref="v2")
    emulator.add_fault(method="PATCH", path=ONE, kind="commit_then_drop", count=1)
    seq = last_seq(emulator)
    stack.up()

    patches = _posts(emulator.requests(since=seq), "/v2/deployments/{id}", method="PATCH")
    assert [p["fault"] for p in patches] == ["commit_then_drop"], "the revision PATCH was repeated"
    assert besides_live_logs(undocumented(emulator.requests(since=seq))) == []
    revs = revisions(emulator, dep_id)
    assert sorted(r["source_revision_config"]["repo_ref"] for r in revs) == ["main", "v2"]
    assert_converged(emulator, {"lost-revision"})
    [res] = stack.resources()
    [v2] = [r for r in revs if r["source_revision_config"]["repo_ref"] == "v2"]
    assert res["outputs"]["latest_revision_id"] == v2["id"] and v2["status"] == "DEPLOYED"
    stack.preview(expect_no_changes=True)
