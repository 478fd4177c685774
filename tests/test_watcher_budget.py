"""The watcher, the request budget and the shared name search, with fake clocks and fake clients."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from pulumi_langsmith.core.budget import Budget, routine
from pulumi_langsmith.core.finder import NameSearch, common_prefix
from pulumi_langsmith.core.watcher import CHANGED, FAILED, GONE, QUIET, Watcher


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def wait(self, _cond: threading.Condition, timeout: float | None) -> None:
        assert timeout is not None, "a lone caller must never wait without a deadline"
        self.now += timeout


# budget -----------------------------------------------------------------------------------------


def test_budget_spaces_requests_after_the_burst() -> None:
    clock = Clock()
    budget = Budget(rate=10, burst=3, clock=clock, wait=clock.wait)
    times = []
    for _ in range(8):
        budget.acquire()
        times.append(round(clock.now, 3))
    assert times == [0.0, 0.0, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    assert budget.granted == 8


def test_a_429_pauses_every_caller_for_its_retry_after() -> None:
    clock = Clock()
    budget = Budget(rate=10, burst=1, clock=clock, wait=clock.wait)
    budget.acquire()
    budget.pause(3.0)
    budget.acquire()
    assert clock.now == pytest.approx(3.0)
    budget.acquire(priority=True)  # the priority lane waits out a pause too
    assert clock.now == pytest.approx(3.1)
    assert budget.pauses == 1


def test_zero_rate_is_off() -> None:
    clock = Clock()
    budget = Budget(rate=0, clock=clock, wait=clock.wait)
    for _ in range(50):
        budget.acquire()
    assert clock.now == 0.0


def test_priority_lane_goes_before_waiting_polls() -> None:
    """Three routine polls queue on an exhausted budget; a create's call arriving later goes first."""
    budget = Budget(rate=20, burst=1)
    budget.acquire()  # the burst is spent: the next slot is 50 ms away
    order: list[str] = []
    lock = threading.Lock()

    def call(name: str, priority: bool) -> None:
        budget.acquire(priority=priority)
        with lock:
            order.append(name)

    polls = [threading.Thread(target=call, args=(f"poll{i}", False)) for i in range(3)]
    for t in polls:
        t.start()
    while len(budget._queues[1]) < 3:  # all three polls are queued
        threading.Event().wait(0.001)
    create = threading.Thread(target=call, args=("create", True))
    create.start()
    for t in [*polls, create]:
        t.join(5)
    assert order[0] == "create"
    assert sorted(order[1:]) == ["poll0", "poll1", "poll2"]


def test_routine_marks_the_thread_only_inside_the_block() -> None:
    from pulumi_langsmith.core.budget import in_routine

    assert not in_routine()
    with routine():
        assert in_routine()
    assert not in_routine()


# watcher ----------------------------------------------------------------------------------------


class Lister:
    def __init__(self) -> None:
        self.deployments: dict[str, dict[str, Any]] = {}
        self.calls: list[list[str]] = []
        self.fail = 0

    def request(self, method: str, path: str, *, params: Any = None) -> Any:
        assert (method, path) == ("GET", "/v2/deployments")
        ids = params["deployment_ids"].split(",")
        self.calls.append(ids)
        if self.fail:
            self.fail -= 1
            raise RuntimeError("HTTP 500")
        return {"resources": [self.deployments[i] for i in ids if i in self.deployments]}


def dep(i: str, latest: str, active: str | None = None, updated: str = "t0") -> dict[str, Any]:
    return {
        "id": i,
        "latest_revision_id": latest,
        "active_revision_id": active,
        "status": "READY",
        "updated_at": updated,
    }


def test_one_batched_call_answers_for_every_wait_in_batches_of_100() -> None:
    lister = Lister()
    for i in range(250):
        lister.deployments[f"d{i}"] = dep(f"d{i}", f"r{i}")
    watcher = Watcher(lister, clock=Clock(), background=False)
    watches = [watcher.register(f"d{i}", f"r{i}") for i in range(250)]
    watcher.poll()
    assert [len(c) for c in lister.calls] == [100, 100, 50]
    assert all(w.news is None for w in watches)  # nothing happened: nobody is woken


def test_waits_are_woken_only_for_their_own_news() -> None:
    lister = Lister()
    lister.deployments = {"a": dep("a", "ra"), "b": dep("b", "rb"), "c": dep("c", "rc")}
    watcher = Watcher(lister, clock=Clock(), background=False)
    a, b, c = (watcher.register(i, f"r{i}") for i in "abc")
    watcher.poll()
    lister.deployments["a"] = dep("a", "ra", active="ra", updated="t1")  # deployed
    lister.deployments["b"] = dep("b", "rb2", updated="t1")  # superseded
    del lister.deployments["c"]
    watcher.poll()
    assert (a.news, b.news, c.news) == (CHANGED, CHANGED, GONE)
    assert a.deployment is not None and a.deployment["active_revision_id"] == "ra"
    assert len(lister.calls) == 2


def test_an_already_deployed_revision_is_news_at_the_first_look() -> None:
    lister = Lister()
    lister.deployments = {"a": dep("a", "ra", active="ra")}
    watcher = Watcher(lister, clock=Clock(), background=False)
    a = watcher.register("a", "ra")
    watcher.poll()
    assert a.news == CHANGED


def test_a_failed_watcher_request_hands_every_wait_back_to_its_own_read() -> None:
    lister = Lister()
    lister.deployments = {"a": dep("a", "ra"), "b": dep("b", "rb")}
    lister.fail = 1
    watcher = Watcher(lister, clock=Clock(), background=False)
    a, b = watcher.register("a", "ra"), watcher.register("b", "rb")
    watcher.poll()
    assert (a.news, b.news) == (FAILED, FAILED)
    assert a.wait(0.5, until=10.0) == FAILED and a.news is None
    watcher.poll()
    assert b.wait(0.5, until=0.0) == FAILED  # news first, even past its deadline
    assert b.wait(0.5, until=0.0) == QUIET
    assert watcher.failures == 1


def test_polls_follow_the_most_urgent_wait_and_are_shared() -> None:
    clock = Clock()
    lister = Lister()
    watcher = Watcher(lister, clock=clock, background=False)
    slow = watcher.register("a", "ra", interval=5.0)
    assert watcher.next_poll() == 5.0
    clock.now = 0.3
    watcher.register("b", "rb", interval=1.0)  # registered later, more urgent
    assert watcher.next_poll() == pytest.approx(1.3)
    clock.now = 1.3
    watcher.poll()
    clock.now = 1.4
    watcher.register("c", "rc", interval=0.5)  # its own look is due at 1.9, after the shared 1.8
    assert watcher.next_poll() == pytest.approx(1.9)
    clock.now = 1.45
    watcher.register("d", "rd", interval=0.1)  # due at 1.55, but polls stay 0.1 s apart at least
    assert watcher.next_poll() == pytest.approx(1.55)
    slow.close()
    assert len(lister.calls) == 1


# shared name search -----------------------------------------------------------------------------


def test_common_prefix() -> None:
    assert common_prefix(["agent-1", "agent-10", "agent-2"]) == "agent-"
    assert common_prefix(["x"]) == "x"


def test_concurrent_searches_share_one_listing() -> None:
    names = [f"agent-{i}" for i in range(30)] + ["other"]
    gate = threading.Event()
    listed: list[str] = []

    def list_all(text: str) -> list[dict[str, Any]]:
        listed.append(text)
        if len(listed) == 1:
            gate.wait(5)  # the first search is in flight while the others arrive
        return [{"name": n} for n in names if text in n]

    search = NameSearch(list_all)
    results: dict[str, list[str]] = {}

    def find(text: str) -> None:
        results[text] = [d["name"] for d in search.search(text)]

    first = threading.Thread(target=find, args=("agent-1",))
    first.start()
    while not listed:
        threading.Event().wait(0.001)
    others = [threading.Thread(target=find, args=(f"agent-{i}",)) for i in (2, 3, 25)]
    for t in others:
        t.start()
    while len(search._pending) < 3:
        threading.Event().wait(0.001)
    gate.set()
    for t in [first, *others]:
        t.join(5)
    assert listed == ["agent-1", "agent-"]
    assert results["agent-1"] == [f"agent-{i}" for i in (1, *range(10, 20))]
    assert results["agent-25"] == ["agent-25"]
    assert results["agent-3"] == ["agent-3"]


def test_a_listing_error_reaches_its_callers() -> None:
    def list_all(_text: str) -> list[dict[str, Any]]:
        raise RuntimeError("HTTP 503")

    with pytest.raises(RuntimeError, match="503"):
        NameSearch(list_all).search("agent-1")


def test_live_logs_for_a_few_waits_and_none_for_a_fleet() -> None:
    """Up to 10 revision waits read their revision and logs every 2 s; an 11th makes it a fleet, whose
    waits lean on the watcher alone (the 15 s check)."""
    watcher = Watcher(Lister(), clock=Clock(), background=False)
    assert watcher.own_read_every(streaming=False) == 15.0
    few = [watcher.register(f"d{i}", f"r{i}") for i in range(10)]
    watcher.register("gone", None)  # a deletion wait streams nothing: not counted
    assert not watcher.crowded() and watcher.own_read_every(streaming=True) == 2.0
    eleventh = watcher.register("d10", "r10")
    assert watcher.crowded() and watcher.own_read_every(streaming=True) == 15.0
    eleventh.close()
    assert watcher.own_read_every(streaming=True) == 2.0
    for watch in few:
        watch.close()
