"""A process-wide request budget: at most `rate` requests a second to the control plane, shared fairly.

Why: a `pulumi up` of 100 deployments runs 100 creates, updates or deletes in one provider host; left
alone their calls arrive in bursts the real API answers with 429s. Every request passes `acquire()`:
- slots are handed out `1/rate` seconds apart (with a small `burst` allowance), oldest caller first;
- the priority lane (calls not made while waiting: a create's, update's or delete's own calls) is served
  before any routine poll, so a new create never queues behind the fleet's polls;
- a 429 pauses every caller until its `Retry-After` has passed (`pause()`), not just the one that got it.
Waits mark their polls routine with `with routine():`.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator

from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from . import engine_watch

DEFAULT_RATE = 20.0
DEFAULT_BURST = 5
# A routine poll that has waited this long goes before the priority lane: 100 creates starting at once
# must not starve the one watcher poll that tells every wait it is done.
STARVE_AFTER = 1.0

_local = threading.local()


@contextlib.contextmanager
def routine() -> Iterator[None]:
    """Requests made by this thread inside the block are routine polls (served after priority ones)."""
    before = getattr(_local, "routine", False)
    _local.routine = True
    try:
        yield
    finally:
        _local.routine = before


def in_routine() -> bool:
    return bool(getattr(_local, "routine", False))


def _wait(cond: threading.Condition, timeout: float | None) -> None:
    cond.wait(timeout)


class Budget:
    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        burst: int = DEFAULT_BURST,
        *,
        clock: Callable[[], float] = time.monotonic,
        wait: Callable[[threading.Condition, float | None], None] = _wait,
    ) -> None:
        self._cond = threading.Condition()
        self._clock = clock
        self._wait = wait
        self._tickets = itertools.count()
        self._queues: tuple[deque[int], deque[int]] = (deque(), deque())  # priority, routine
        self._since: dict[int, float] = {}  # ticket -> when it started waiting
        self._tat = 0.0  # theoretical arrival time of the next request (GCRA)
        self._paused_until = 0.0
        self.granted = 0
        self.pauses = 0
        self.configure(rate, burst)

    def configure(self, rate: float, burst: int = DEFAULT_BURST) -> None:
        """`rate` <= 0 turns the budget off (every request goes at once)."""
        with self._cond:
            self.rate = rate
            self.burst = max(1, burst)
            self._cond.notify_all()

    def _ready_at(self) -> float:
        window = (self.burst - 1) / self.rate
        return max(self._tat - window, self._paused_until)

    def acquire(self, priority: bool | None = None) -> None:
        """Block until this request may go. `priority` defaults to "not inside `routine()`"."""
        if priority is None:
            priority = not in_routine()
        with self._cond:
            if self.rate <= 0 and self._clock() >= self._paused_until:
                self.granted += 1
                return
            ticket = next(self._tickets)
            queue = self._queues[0 if priority else 1]
            queue.append(ticket)
            self._since[ticket] = self._clock()
            try:
                while True:
                    now = self._clock()
                    head = self._head(now)
                    ready = self._ready_at() if self.rate > 0 else self._paused_until
                    if head == ticket and now >= ready:
                        if self.rate > 0:
                            self._tat = max(self._tat, now) + 1.0 / self.rate
                        self.granted += 1
                        return
                    self._wait(self._cond, ready - now if head == ticket else self._until_starved(now))
            finally:
                queue.remove(ticket)
                del self._since[ticket]
                self._cond.notify_all()

    def _until_starved(self, now: float) -> float | None:
        """Not our turn: wake when the head may change without a grant (a routine call starving)."""
        priority, normal = self._queues
        if not (normal and priority):
            return None
        left = self._since[normal[0]] + STARVE_AFTER - now
        return left if left > 0 else None

    def _head(self, now: float) -> int:
        """Whose turn it is: the priority lane's oldest, unless a routine call has starved."""
        priority, normal = self._queues
        if normal and (not priority or now - self._since[normal[0]] >= STARVE_AFTER):
            return normal[0]
        return priority[0]

    def pause(self, seconds: float) -> None:
        """A 429: nobody sends anything for `seconds` (the server's Retry-After)."""
        with self._cond:
            self._paused_until = max(self._paused_until, self._clock() + max(0.0, seconds))
            self.pauses += 1
            self._cond.notify_all()


_shared: Budget | None = None
_shared_lock = threading.Lock()


def shared(rate: float | None = None) -> Budget:
    """The process's budget; `rate` (from the provider's settings) reconfigures it."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Budget(DEFAULT_RATE if rate is None else rate)
        elif rate is not None and rate != _shared.rate:
            _shared.configure(rate)
        return _shared


class BudgetRetry(Retry):
    """urllib3's `Retry` that, on a 429, pauses the whole process's budget for the `Retry-After`
    (urllib3 alone only delays the one request), and spends a slot on each retry too. No retry once
    the engine is gone (`engine_watch`): a request in flight then ends with its current attempt."""

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        budget = shared()
        if response is not None and response.status == 429:
            budget.pause(self.get_retry_after(response) or 1.0)
        engine_watch.check()
        super().sleep(response)
        budget.acquire()
        engine_watch.check()
