"""The details of core/once.py, core/statuses.py and core/waiter.py that `make mutants` showed no fast
test pinned: the retry pauses, what each status means, the poll interval, the exact messages and
progress lines, which log is read first, following a superseded revision, and waiting for a delete.
All on a fake clock: nothing sleeps."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_langsmith.core import once
from pulumi_langsmith.core.client import APIError
from pulumi_langsmith.core.once import at_most_once, pause_before_retry
from pulumi_langsmith.core.statuses import FAILED, TRANSIENT, can_still_deploy, failed
from pulumi_langsmith.core.waiter import LOG_TAIL_LINES, Polling, RevisionFailed, Waiter, WaitTimeout
from pulumi_langsmith.core.watcher import CHECK_EVERY, FAST_INTERVAL

# once -------------------------------------------------------------------------------------------


def lost() -> APIError:
    return APIError("POST", "/v2/deployments", None, "connection reset")


def test_at_most_once_pauses_longer_each_time_and_hands_each_error_to_give_up() -> None:
    pauses: list[int] = []
    errors: list[APIError] = []
    sent: list[APIError] = []

    def send() -> str:
        sent.append(lost())
        raise sent[-1]

    with pytest.raises(APIError) as info:
        at_most_once(send, lambda: None, give_up=errors.append, attempts=4, pause=pauses.append)
    assert pauses == [0, 1, 2]  # no pause before the first send
    assert errors == sent and info.value is sent[-1]


def test_give_up_may_stop_before_a_resend() -> None:
    class NameTaken(Exception):
        pass

    def give_up(err: APIError) -> None:
        raise NameTaken(err.detail)

    sent: list[int] = []

    def send() -> str:
        sent.append(1)
        raise lost()

    with pytest.raises(NameTaken, match="connection reset"):
        at_most_once(send, lambda: None, give_up=give_up, pause=lambda _a: None)
    assert sent == [1]


def test_the_pause_doubles_from_half_a_second_up_to_eight(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(once.engine_watch, "sleep", slept.append)  # a pause a cancel can cut short
    for attempt in range(7):
        pause_before_retry(attempt)
    assert slept == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


# statuses ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", sorted(FAILED))
def test_a_failed_revision_cannot_deploy_any_more(status: str) -> None:
    assert failed(status) and not can_still_deploy(status)


@pytest.mark.parametrize("status", [*sorted(TRANSIENT), "DEPLOYED", None])
def test_other_revisions_still_can(status: str | None) -> None:
    assert not failed(status) and can_still_deploy(status)


def test_a_skipped_revision_has_not_failed_but_will_not_deploy() -> None:
    assert not failed("SKIPPED") and not can_still_deploy("SKIPPED")


# waiter: values and messages --------------------------------------------------------------------


@pytest.mark.parametrize(("in_status", "interval"), [(0.0, 0.5), (2.0, 0.5), (4.0, 1.0), (12.0, 3.0), (40.0, 5.0)])
def test_the_poll_interval_is_a_quarter_of_the_time_in_status_within_bounds(in_status: float, interval: float) -> None:
    assert Polling(poll_min=0.5, poll_max=5.0).interval(in_status) == interval


def test_a_failed_revision_says_where_it_failed_and_what_to_do() -> None:
    err = RevisionFailed("agent", "r-1", "BUILD_FAILED", ["pip: no such package", "exit 1"])
    assert (err.revision_id, err.status) == ("r-1", "BUILD_FAILED")
    assert str(err) == (
        "agent: revision r-1 ended in BUILD_FAILED. Last log lines:\n    pip: no such package\n    exit 1\n"
        "Fix the cause and run `pulumi up` again: it resumes this deployment, it does not create another."
    )
    assert "Last log lines:\n    (no log lines)\nFix" in str(RevisionFailed("agent", "r-1", "SKIPPED", []))


def test_a_timeout_says_how_long_and_that_the_revision_goes_on() -> None:
    err = WaitTimeout("agent", "r-1", "BUILDING", 1799.6)
    assert (err.revision_id, err.status) == ("r-1", "BUILDING")
    assert str(err) == (
        "agent: revision r-1 is still BUILDING after 1800s (wait.timeout_seconds). The revision keeps going "
        "on the server; `pulumi refresh` then `pulumi up` picks it up again."
    )


# waiter: a scripted server and a fake clock -------------------------------------------------------


class Server:
    """Revision statuses by id, consumed one per GET (the last one stays); a deployment row; logs."""

    def __init__(self, revisions: dict[str, list[Any]], deployment: dict[str, Any] | None = None) -> None:
        self.revisions = revisions
        self.deployment = deployment or {}
        self.deployments: list[Any] = []  # statuses for `gone`: 404 ends it
        self.logs: dict[str, list[str]] = {}
        self.calls: list[tuple[str, ...]] = []
        self.logs_fail = False

    @staticmethod
    def _check(dep: str) -> None:
        assert dep == "d1", f"a call for deployment {dep!r}"

    def get_revision(self, dep: str, revision_id: str) -> dict[str, Any]:
        self._check(dep)
        self.calls.append(("revision", dep, revision_id))
        script = self.revisions[revision_id]
        status = script.pop(0) if len(script) > 1 else script[0]
        if status == 404:
            raise APIError("GET", f"/v2/deployments/{dep}/revisions/{revision_id}", 404, "not found")
        return {"id": revision_id, "status": status}

    def get_deployment(self, dep: str) -> dict[str, Any]:
        self._check(dep)
        self.calls.append(("deployment", dep))
        if self.deployments:
            status = self.deployments.pop(0) if len(self.deployments) > 1 else self.deployments[0]
            if status == 404:
                raise APIError("GET", f"/v2/deployments/{dep}", 404, "not found")
            if status == 500:
                raise APIError("GET", f"/v2/deployments/{dep}", 500, "boom")
            return {"id": dep, "status": status}
        return self.deployment

    def shape(self, dep: str) -> str:
        self._check(dep)
        self.calls.append(("shape", dep))
        return "current"

    def revision_logs(self, dep: str, revision_id: str, kind: str, *, limit: int = 50) -> list[str]:
        self._check(dep)
        self.calls.append(("logs", dep, revision_id, kind, str(limit)))
        if self.logs_fail:
            raise APIError("GET", "/logs", 500, "log store down")
        return self.logs.get(kind, [])


class Clock:
    def __init__(self, step: float = 0.0) -> None:
        self.now = 100.0
        self.step = step  # time each GET takes
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Run:
    def __init__(self, server: Server, timeout: float = 60.0, step: float = 0.0) -> None:
        self.server = server
        self.clock = Clock(step)
        self.reports: list[tuple[str, bool]] = []
        self.polls: list[tuple[str, str]] = []
        self.waiter = Waiter(
            server,  # type: ignore[arg-type]
            Polling(timeout=timeout, poll_min=0.5, poll_max=5.0),
            clock=self.clock,
            sleep=self.clock.sleep,
            report=lambda message, live: self.reports.append((message, live)),
            on_poll=lambda revision_id, status: self.polls.append((revision_id, status)),
        )


def test_each_transition_is_reported_once_as_live_status_and_deployed_stays() -> None:
    run = Run(Server({"rev-0001-abcdef": ["QUEUED", "QUEUED", "BUILDING", None, "DEPLOYED"]}))
    assert run.waiter.revision("d1", "agent", "rev-0001-abcdef") == {"id": "rev-0001-abcdef", "status": "DEPLOYED"}
    assert run.reports == [
        ("agent: revision rev-0001 QUEUED (0.0s)", True),
        ("agent: revision rev-0001 BUILDING (1.0s)", True),
        ("agent: revision rev-0001 UNKNOWN (1.5s)", True),  # no status: unknown, waited through
        ("agent: revision rev-0001 DEPLOYED (2.0s)", False),
    ]
    assert run.clock.sleeps == [0.5, 0.5, 0.5, 0.5]
    assert run.polls == [
        ("rev-0001-abcdef", "QUEUED"),
        ("rev-0001-abcdef", "QUEUED"),
        ("rev-0001-abcdef", "BUILDING"),
        ("rev-0001-abcdef", "UNKNOWN"),
        ("rev-0001-abcdef", "DEPLOYED"),
    ]
    assert {c[1] for c in run.server.calls} == {"d1"}


def test_polls_slow_down_with_the_time_in_a_status_and_stop_at_the_deadline() -> None:
    run = Run(Server({"r1": ["BUILDING"]}), timeout=30.3)
    with pytest.raises(WaitTimeout) as info:
        run.waiter.revision("d1", "agent", "r1")
    assert (info.value.revision_id, info.value.status) == ("r1", "BUILDING")
    assert str(info.value).startswith("agent: revision r1 is still BUILDING after 30s")
    sleeps = run.clock.sleeps
    assert sleeps[:4] == [0.5, 0.5, 0.5, 0.5] and max(sleeps) == 5.0
    assert sum(sleeps) == pytest.approx(30.3)  # the last sleep (0.3 s) ends exactly at the deadline


def test_a_skipped_revision_is_followed_to_the_newer_one() -> None:
    server = Server({"old-rev-123456": ["SKIPPED"], "new-rev-654321": ["DEPLOYED"]})
    server.deployment = {"latest_revision_id": "new-rev-654321"}
    run = Run(server)
    assert run.waiter.revision("d1", "agent", "old-rev-123456")["id"] == "new-rev-654321"
    assert ("agent: revision old-rev- was superseded by new-rev-", False) in run.reports
    assert run.reports[-1] == ("agent: revision new-rev- DEPLOYED (0.0s)", False)
    assert ("deployment", "d1") in server.calls


@pytest.mark.parametrize("latest", [None, "r1"])
def test_a_skipped_revision_without_a_newer_one_is_a_failure(latest: str | None) -> None:
    run = Run(Server({"r1": ["SKIPPED"]}, {"latest_revision_id": latest}))
    with pytest.raises(RevisionFailed) as info:
        run.waiter.revision("d1", "agent", "r1")
    assert (info.value.revision_id, info.value.status) == ("r1", "SKIPPED")
    assert str(info.value).startswith("agent: revision r1 ended in SKIPPED. Last log lines:\n    (no log lines)")


def test_a_pruned_revision_superseded_by_the_latest_is_followed_and_said() -> None:
    server = Server(
        {"pruned-rev-1": [404], "latest-rev-2": ["BUILDING", "BUILDING", "DEPLOYED"]},
        {"latest_revision_id": "latest-rev-2"},
    )
    run = Run(server)
    assert run.waiter.revision("d1", "agent", "pruned-rev-1")["id"] == "latest-rev-2"
    assert run.reports[0] == ("agent: revision pruned-r was superseded by latest-r", False)
    assert [c[2] for c in server.calls if c[0] == "revision"] == ["pruned-rev-1", *["latest-rev-2"] * 3]


def test_a_pruned_revision_with_no_newer_one_is_unknown_until_the_deadline() -> None:
    run = Run(Server({"r1": [404]}, {"active_revision_id": "r0", "latest_revision_id": "r1"}), timeout=3)
    with pytest.raises(WaitTimeout) as info:
        run.waiter.revision("d1", "agent", "r1")
    assert info.value.status == "UNKNOWN"


def test_a_failure_reads_the_build_log_first_for_build_phase_failures() -> None:
    server = Server({"r1": ["BUILD_FAILED"]})
    server.logs = {"build": ["compile error"], "deploy": ["never read"]}
    with pytest.raises(RevisionFailed) as info:
        Run(server).waiter.revision("d1", "agent", "r1")
    assert str(info.value).startswith("agent: revision r1 ended in BUILD_FAILED. Last log lines:\n    compile error\n")
    assert "never read" not in str(info.value)
    assert [c for c in server.calls if c[0] == "logs"] == [("logs", "d1", "r1", "build", str(LOG_TAIL_LINES))]


def test_a_build_failure_with_an_empty_build_log_shows_the_deploy_log() -> None:
    server = Server({"r1": ["BUILD_FAILED"]})
    server.logs = {"deploy": ["image pull failed"]}
    with pytest.raises(RevisionFailed) as info:
        Run(server).waiter.revision("d1", "agent", "r1")
    assert [c[3] for c in server.calls if c[0] == "logs"] == ["build", "deploy"]
    assert "    image pull failed\n" in str(info.value)


def test_a_deploy_failure_reads_the_deploy_log_then_the_build_log_and_keeps_the_tail() -> None:
    server = Server({"r1": ["DEPLOY_FAILED"]})
    server.logs = {"build": [f"line {i}" for i in range(LOG_TAIL_LINES + 5)]}
    with pytest.raises(RevisionFailed) as info:
        Run(server).waiter.revision("d1", "agent", "r1")
    assert [c[3] for c in server.calls if c[0] == "logs"] == ["deploy", "build"]
    assert "line 4\n" not in str(info.value) and "    line 5\n" in str(info.value)
    assert f"    line {LOG_TAIL_LINES + 4}\n" in str(info.value)


def test_logs_that_cannot_be_read_do_not_hide_the_failure() -> None:
    server = Server({"r1": ["CREATE_FAILED"]})
    server.logs_fail = True
    with pytest.raises(RevisionFailed) as info:
        Run(server).waiter.revision("d1", "agent", "r1")
    assert info.value.status == "CREATE_FAILED"
    assert "    (logs unavailable: GET /logs failed (HTTP 500): log store down)\n" in str(info.value)


def test_a_revision_read_error_other_than_404_is_not_swallowed() -> None:
    class Broken(Server):
        def get_revision(self, dep: str, revision_id: str) -> dict[str, Any]:
            raise APIError("GET", "/r", 500, "boom")

    with pytest.raises(APIError, match="HTTP 500"):
        Run(Broken({})).waiter.revision("d1", "agent", "r1")


# waiter: deletes ----------------------------------------------------------------------------------


def test_gone_polls_until_404_and_says_how_long_it_took() -> None:
    server = Server({})
    server.deployments = ["AWAITING_DELETE", "AWAITING_DELETE", "AWAITING_DELETE", 404]
    run = Run(server, step=0.25)
    run.waiter.gone("d1", "agent")
    assert run.clock.sleeps == [0.5, 0.5, 0.5]
    assert run.reports == [("agent: deleted (2.5s)", False)]  # 1.5 s of sleeps, 4 clock reads of 0.25 s each
    assert server.calls == [("deployment", "d1")] * 4


def test_gone_times_out_naming_the_deployment_status() -> None:
    server = Server({})
    server.deployments = ["AWAITING_DELETE"]
    run = Run(server, timeout=60.3)
    with pytest.raises(WaitTimeout) as info:
        run.waiter.gone("d1", "agent")
    assert (info.value.revision_id, info.value.status) == ("-", "deployment AWAITING_DELETE")
    assert str(info.value).startswith("agent: revision - is still deployment AWAITING_DELETE after 60s")
    assert sum(run.clock.sleeps) == pytest.approx(60.3) and max(run.clock.sleeps) == 5.0


def test_gone_does_not_swallow_other_errors() -> None:
    server = Server({})
    server.deployments = [500]
    with pytest.raises(APIError, match="HTTP 500"):
        Run(server).waiter.gone("d1", "agent")


# waiter with a watcher (a fleet): the watcher's row stands in for reads ----------------------------


class FakeWatch:
    def __init__(self, watcher: FakeWatcher, deployment_id: str, revision_id: str | None) -> None:
        self.watcher = watcher
        self.deployment_id = deployment_id
        self.revision_id = revision_id
        self.deployment: dict[str, Any] | None = None
        self.closed = False

    def wait(self, interval: float, until: float) -> str:
        self.watcher.waits.append((self.revision_id, interval, until))
        self.watcher.clock.now = min(until, self.watcher.clock.now + interval)
        if self.watcher.rows:
            self.deployment = self.watcher.rows.pop(0)
        return "changed"

    def close(self) -> None:
        self.closed = True


class FakeWatcher:
    def __init__(self, clock: Clock, crowded: bool, rows: list[dict[str, Any]]) -> None:
        self.clock = clock
        self._crowded = crowded
        self.rows = rows
        self.waits: list[tuple[str | None, float, float]] = []
        self.watches: list[FakeWatch] = []
        self.streaming: list[bool] = []

    def register(self, deployment_id: str, revision_id: str | None, interval: float = 0.5) -> FakeWatch:
        assert deployment_id == "d1", f"a watch for deployment {deployment_id!r}"
        self.watches.append(FakeWatch(self, deployment_id, revision_id))
        return self.watches[-1]

    def crowded(self) -> bool:
        return self._crowded

    def own_read_every(self, streaming: bool) -> float:
        self.streaming.append(streaming)
        return 7.0


def watched(
    server: Server, crowded: bool, rows: list[dict[str, Any]], timeout: float = 60.0
) -> tuple[Run, FakeWatcher]:
    run = Run(server, timeout=timeout)
    watcher = FakeWatcher(run.clock, crowded, rows)
    run.waiter._watcher = watcher  # type: ignore[assignment]
    return run, watcher


def test_in_a_fleet_the_watchers_row_says_deployed_without_a_read() -> None:
    server = Server({"r1": ["BUILDING"]})
    row = {"id": "d1", "active_revision_id": "r1", "latest_revision_id": "r1"}
    run, watcher = watched(server, crowded=True, rows=[{"active_revision_id": "r0"}, row])
    assert run.waiter.revision("d1", "agent", "r1") == {"id": "r1", "status": "DEPLOYED"}
    assert run.waiter.deployment_seen is row
    first = watcher.waits[0]
    assert first == ("r1", min(0.5, FAST_INTERVAL), 100.0 + CHECK_EVERY)  # a fleet waits first
    assert watcher.watches[0].closed
    assert run.polls == []  # no live logs for a fleet
    assert [c for c in server.calls if c[0] == "revision"] == [("revision", "d1", "r1")]


def test_a_few_waits_read_at_once_then_wait_on_the_watcher_up_to_their_own_read() -> None:
    server = Server({"r1": ["BUILDING", "BUILDING", "DEPLOYED"]})
    run, watcher = watched(server, crowded=False, rows=[])
    assert run.waiter.revision("d1", "agent", "r1")["status"] == "DEPLOYED"
    assert [w[0] for w in watcher.waits] == ["r1", "r1"]
    assert watcher.waits[0][1] == 0.5  # just after the transition: the shortest interval
    assert watcher.waits[0][2] == pytest.approx(100.0 + 7.0)  # now + own_read_every
    assert watcher.streaming == [True, True]  # live logs on, and the server has the log route
    assert run.polls[-1] == ("r1", "DEPLOYED")
    assert watcher.watches[0].revision_id == "r1"


def test_a_watched_wait_follows_a_skipped_revision_and_keeps_the_deadline() -> None:
    server = Server({"r1": ["SKIPPED"], "r2": ["BUILDING"]}, {"latest_revision_id": "r2"})
    run, watcher = watched(server, crowded=False, rows=[], timeout=10.0)
    with pytest.raises(WaitTimeout) as info:
        run.waiter.revision("d1", "agent", "r1")
    assert info.value.revision_id == "r2"
    assert watcher.watches[0].revision_id == "r2"
    assert all(until <= 110.0 for _r, _i, until in watcher.waits)


def test_a_watched_delete_waits_for_the_watcher_before_its_first_read() -> None:
    server = Server({})
    server.deployments = ["AWAITING_DELETE", 404]
    run, watcher = watched(server, crowded=False, rows=[])
    run.waiter.gone("d1", "agent")
    assert watcher.waits[0] == (None, min(0.5, FAST_INTERVAL), 100.0 + CHECK_EVERY)
    assert len(watcher.waits) == 2 and watcher.watches[0].closed
    second = watcher.waits[1]
    assert second[1] == min(0.5, FAST_INTERVAL) and second[2] == pytest.approx(100.0 + 0.5 + CHECK_EVERY)
    assert run.reports == [(f"agent: deleted ({run.clock.now - 100.0:.1f}s)", False)]


def test_without_live_logs_a_watched_wait_does_not_ask_for_stream_reads() -> None:
    server = Server({"r1": ["BUILDING", "DEPLOYED"]})
    run, watcher = watched(server, crowded=False, rows=[])
    run.waiter._on_poll = None
    assert run.waiter.revision("d1", "agent", "r1")["status"] == "DEPLOYED"
    assert watcher.streaming == [False]
    assert ("shape", "d1") not in server.calls


def test_the_last_sleep_is_cut_to_the_deadline_even_below_a_second() -> None:
    run = Run(Server({"r1": ["BUILDING"]}), timeout=2.2)
    with pytest.raises(WaitTimeout):
        run.waiter.revision("d1", "agent", "r1")
    assert run.clock.sleeps == [0.5, 0.5, 0.5, 0.5, pytest.approx(0.2)]
    server = Server({})
    server.deployments = ["AWAITING_DELETE"]
    run = Run(server, timeout=2.2)
    with pytest.raises(WaitTimeout):
        run.waiter.gone("d1", "agent")
    assert run.clock.sleeps == [0.5, 0.5, 0.5, 0.5, pytest.approx(0.2)]
