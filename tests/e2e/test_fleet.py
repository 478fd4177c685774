"""Several deployments through one provider host: the shared watcher, the request budget, a rate-limited
control plane, and failing watcher requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .harness import E2EStack, live_deployments
from .lifecycle_support import fleet

pytestmark = pytest.mark.e2e


def test_fleet_converges_under_a_rate_limit(tmp_path: Path, emulator: Any) -> None:
    """The control plane answers 429 above 4 requests/s; the provider's budget (20/s) is above it, so
    429s do happen: every caller pauses for Retry-After and the fleet still converges, then is destroyed."""
    emulator.settings(rate_limit=4, rate_burst=4, build_seconds=1.0, deploy_seconds=0.5)
    try:
        s = E2EStack(tmp_path, emulator, fleet(6))
        s.up(parallel=16)
        up = emulator.request_stats()
        assert up.rate_limited > 0, "the limit was never reached: this test tests nothing"
        live = live_deployments(emulator)
        assert len(live) == 6
        assert all(d["active_revision_id"] == d["latest_revision_id"] for d in live)
        assert len(s.resources()) == 6
        posts = [r for r in emulator.requests() if r["method"] == "POST" and r.get("fault") != "rate_limit"]
        assert len(posts) == 6  # no duplicate: a 429'd POST never reached the server and was sent again
        s.destroy(parallel=16)
        assert live_deployments(emulator) == []
        assert s.resources() == []
    finally:
        emulator.settings(rate_limit=None, rate_burst=None)


def test_a_configured_budget_bounds_the_request_rate(tmp_path: Path, emulator: Any) -> None:
    emulator.settings(build_seconds=1.0, deploy_seconds=0.5)
    s = E2EStack(tmp_path, emulator, fleet(6))
    s.set_config("langsmith:maxRequestsPerSecond", "3")
    s.up(parallel=16)
    stats = emulator.request_stats()
    # 3 a second plus the budget's burst of 5, whatever the sliding second
    assert stats.peak_per_second <= 3 + 5
    assert len(live_deployments(emulator)) == 6
    s.destroy(parallel=16)
    assert live_deployments(emulator) == []


def test_failed_watcher_requests_do_not_fail_the_waits(tmp_path: Path, emulator: Any) -> None:
    emulator.settings(build_seconds=1.0, deploy_seconds=0.5)
    emulator.add_fault(path="^/v2/deployments$", method="GET", kind="500", count=3)
    s = E2EStack(tmp_path, emulator, fleet(3))
    s.up(parallel=16)
    faulted = [r for r in emulator.requests() if r.get("fault") == "500"]
    assert len(faulted) == 3 and all(r["route"] == "/v2/deployments" for r in faulted)
    live = live_deployments(emulator)
    assert len(live) == 3 and all(d["active_revision_id"] == d["latest_revision_id"] for d in live)
    s.destroy(parallel=16)
    assert live_deployments(emulator) == []
