"""The gateway rate limit (`--rate-limit`, settings `rate_limit` / `rate_burst`): 429 + Retry-After per API key.

Nothing here times the server: tiny rates make the outcome a count, and where wall time could let
a token back in, the bound is computed from the time the burst really took.
"""

import time

import pytest
import requests

from langsmith_emulator.__main__ import parse_args
from langsmith_emulator.ratelimit import RateLimiter, default_burst, retry_after_seconds
from langsmith_emulator.testing import API_KEY, OTHER_TENANT_ID, TENANT_ID, request_stats, running_emulator


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_arithmetic_and_retry_after():
    clock = FakeClock()
    limiter = RateLimiter(clock)
    assert [limiter.check("k", 2.0, None) for _ in range(3)] == [None, None, 1]  # default burst: 1 s worth
    clock.now += 0.25  # half a token back: still refused, and at least 1 s (HTTP has no fractions)
    assert limiter.check("k", 2.0, None) == 1
    clock.now += 0.25
    assert limiter.check("k", 2.0, None) is None  # a refused request took no token
    assert limiter.check("other-key", 2.0, None) is None  # another key has its own bucket

    slow = RateLimiter(clock)
    assert [slow.check("k", 0.1, 3) for _ in range(4)] == [None, None, None, 10]
    clock.now += 5  # half a token: 5 s to go
    assert slow.check("k", 0.1, 3) == 5
    assert slow.check("k", 0.1, 4) is None  # a changed limit starts with full buckets
    assert slow.check("k", None, None) is None and slow.check("k", 0, None) is None  # off

    assert default_burst(0.1) == 1 and default_burst(20) == 20 and default_burst(2.5) == 3
    assert retry_after_seconds(0.99, 100) == 1 and retry_after_seconds(-0.0, 0.25) == 4


def test_flags():
    assert parse_args([]).settings.rate_limit is None
    settings = parse_args(["--rate-limit", "20", "--rate-burst", "40"]).settings
    assert (settings.rate_limit, settings.rate_burst) == (20.0, 40)
    assert parse_args(["--rate-limit", "0"]).settings.rate_limit is None  # 0 is off
    for bad in (["--rate-limit", "-1"], ["--rate-limit", "nan"], ["--rate-limit", "inf"], ["--rate-burst", "0"]):
        with pytest.raises(SystemExit):
            parse_args(bad)


def test_burst_over_the_limit_is_refused_with_retry_after_and_not_executed(emulator, api):
    emulator.settings(rate_limit=0.01, rate_burst=3)  # one token per 100 s
    started = time.monotonic()
    responses = [api.get("/v2/listeners") for _ in range(8)]
    elapsed = time.monotonic() - started
    created = api.post("/v2/deployments", json=api.docker_body("never-created"))
    statuses = [r.status_code for r in responses]
    assert statuses[:3] == [200, 200, 200]  # the full bucket
    passed = statuses.count(200)
    assert passed <= 3 + int(elapsed * 0.01)  # only what refilled while the burst ran
    assert statuses.count(429) == 8 - passed > 0
    assert created.status_code == 429
    for response in [*(r for r in responses if r.status_code == 429), created]:
        retry_after = response.headers["Retry-After"]
        assert retry_after.isdigit() and 1 <= int(retry_after) <= 100  # 1 token at 0.01/s: at most 100 s
        detail = response.json()["detail"]
        assert detail.startswith("Rate limit exceeded") and API_KEY not in detail
    log = emulator.requests()
    assert [(e["status"], e["fault"]) for e in log] == [
        (s, "rate_limit" if s == 429 else None) for s in [*statuses, 429]
    ]
    assert log[-1]["route"] == "/v2/deployments" and log[-1]["method"] == "POST"
    emulator.settings(rate_limit=0)
    listed = api.get("/v2/deployments", params={"name_contains": "never-created"}).json()
    assert listed["resources"] == []  # the refused create never ran
    assert api.post("/v2/deployments", json=api.docker_body("never-created")).status_code == 201


def test_waiting_retry_after_is_enough(emulator, api):
    emulator.settings(rate_limit=1, rate_burst=1)
    for _ in range(50):  # a slow machine may refill between two calls; it cannot do so forever
        refused = api.get("/v2/listeners")
        if refused.status_code == 429:
            break
    else:
        pytest.fail("no 429 at 1 request per second")
    time.sleep(int(refused.headers["Retry-After"]))
    assert api.get("/v2/listeners").status_code == 200


def test_the_limit_is_per_api_key_not_per_tenant(emulator, api):
    emulator.settings(rate_limit=0.01, rate_burst=1)  # one token per 100 s: no refill during the test
    assert api.get("/v2/listeners").status_code == 200
    assert api.get("/v2/listeners").status_code == 429
    # The same key in another workspace shares the bucket; the /api-host prefix too.
    assert api.get("/v2/listeners", tenant_id=OTHER_TENANT_ID).status_code == 429
    assert api.get("/api-host/v2/listeners").status_code == 429
    other_key = {"X-Api-Key": "another-key", "X-Tenant-Id": TENANT_ID}
    assert requests.get(f"{emulator.url}/v2/listeners", headers=other_key, timeout=10).status_code == 200
    assert requests.get(f"{emulator.url}/v2/listeners", headers=other_key, timeout=10).status_code == 429
    # Requests without a key share one bucket: the first gets through to auth (401), the next is limited.
    assert requests.get(f"{emulator.url}/v2/listeners", timeout=10).status_code == 401
    assert requests.get(f"{emulator.url}/v2/listeners", timeout=10).status_code == 429


def test_control_api_ok_and_docs_are_never_limited(emulator, api):
    emulator.settings(rate_limit=0.01, rate_burst=1)
    api.get("/v2/listeners")
    assert api.get("/v2/listeners").status_code == 429
    for _ in range(3):
        assert requests.get(f"{emulator.url}/ok", timeout=10).status_code == 200
        assert requests.get(f"{emulator.url}/openapi.json", timeout=10).status_code == 200
        assert emulator.settings()["rate_limit"] == 0.01
        assert len(emulator.requests()) == 2  # neither these nor /ok are logged or counted


def test_settings_switch_the_limit_and_reset_restores_the_cli_value():
    with running_emulator(rate_limit=0.01, rate_burst=2, api="current") as emu:
        settings = emu.settings()
        assert (settings["rate_limit"], settings["rate_burst"]) == (0.01, 2)
        url, headers = f"{emu.url}/v2/listeners", emu.headers()
        assert [requests.get(url, headers=headers, timeout=10).status_code for _ in range(3)] == [200, 200, 429]

        assert emu.settings(rate_limit=0)["rate_limit"] is None  # 0 and null both mean off
        assert all(requests.get(url, headers=headers, timeout=10).status_code == 200 for _ in range(10))
        changed = emu.settings(rate_limit=0.01, rate_burst=1)  # a new limit: every key starts full
        assert (changed["rate_limit"], changed["rate_burst"]) == (0.01, 1)
        assert [requests.get(url, headers=headers, timeout=10).status_code for _ in range(2)] == [200, 429]
        assert emu.settings(rate_limit=None)["rate_limit"] is None
        assert requests.get(url, headers=headers, timeout=10).status_code == 200

        for bad in ({"rate_limit": -1}, {"rate_burst": 0}, {"rate_limit": "fast"}):
            assert requests.patch(f"{emu.url}/_emulator/settings", json=bad, timeout=10).status_code == 422
        emu.reset()
        settings = emu.settings()
        assert (settings["rate_limit"], settings["rate_burst"]) == (0.01, 2)
        assert [requests.get(url, headers=headers, timeout=10).status_code for _ in range(3)] == [200, 200, 429]


def test_request_stats_counts_routes_peaks_and_refusals(emulator, api):
    emulator.settings(rate_limit=0.01, rate_burst=3)
    dep = api.create_docker("stats-app")
    api.get(f"/v2/deployments/{dep['id']}")
    api.get("/v2/listeners")
    api.get("/v2/listeners")
    seq = emulator.requests()[0]["seq"]
    stats = emulator.request_stats()
    assert stats.total == 4 and stats.rate_limited == 1
    assert stats.by_route == {"GET /v2/listeners": 2, "POST /v2/deployments": 1, "GET /v2/deployments/{id}": 1}
    assert 1 <= stats.peak_per_second <= 4
    assert emulator.request_stats(since=seq).total == 3


def test_request_stats_peak_is_a_sliding_one_second_window():
    def entry(time: str) -> dict[str, str]:
        return {"method": "GET", "route": "/ok", "time": f"2026-01-01T00:00:{time}Z"}

    # 4 requests within 0.9 s straddle a clock second: clock seconds would say 3, the window says 4.
    times = ["00.1", "00.8", "01.2", "01.4", "01.7", "05.0"]
    stats = request_stats(entry(t) for t in times)
    assert (stats.total, stats.peak_per_second, stats.rate_limited) == (6, 4, 0)
    assert request_stats([]).peak_per_second == 0
    assert request_stats([entry("00.0"), entry("01.0")]).peak_per_second == 1  # exactly 1 s apart


def test_the_gateway_answers_before_fault_rules_and_the_spec_shape(emulator, api):
    emulator.settings(rate_limit=0.01, rate_burst=1, api="spec")
    rule = emulator.add_fault(method="GET", path="^/v2/listeners$", kind="503", count=1)
    assert api.get("/v2/deployments/free-count").status_code == 404  # not in the spec: the older server's 404
    assert api.get("/v2/listeners").status_code == 429  # limited before the fault rule and the router
    assert api.get("/v2/deployments/free-count").status_code == 429
    assert emulator.faults() == [rule]  # the refused request did not use up the rule
    emulator.settings(rate_limit=None)
    assert api.get("/v2/listeners").status_code == 503
    assert [(e["status"], e["fault"]) for e in emulator.requests()] == [
        (404, None),
        (429, "rate_limit"),
        (429, "rate_limit"),
        (503, "503"),
    ]
