"""One watcher per provider process: every wait learns from one batched list call, not its own polls.

Why: 100 deployments waiting side by side, each polling its revision every 0.5-5 s, send 200 requests a
second. `GET /v2/deployments?deployment_ids=a,b,c&limit=100` answers for 100 deployments at once, with
`latest_revision_id`, `active_revision_id`, `status` and `updated_at`. The watcher polls it on the
schedule of the most urgent wait and wakes a waiter only when its deployment says something happened:
- the revision it waits for became active, or a newer one became the latest (superseded);
- anything in that summary moved since the last poll (a status change, `updated_at`);
- the deployment is absent from the answer (deleted: the waiter confirms with its own GET).
The waiter then reads the revision itself and reports as before. A failed build changes none of these
fields on some servers, so each waiter also reads its revision every `CHECK_EVERY` seconds.
A watcher request that fails wakes its waiters with `FAILED`: they fall back to their own read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from . import engine_watch
from .budget import routine

BATCH = 100
# How often a blocked wait looks whether the gate closed (Ctrl-C, engine gone): a cancel ends it this soon.
GATE_LOOK = 1.0
# A wait's own read of its revision, however quiet its deployment looks: catches failures that move
# nothing in the deployment's summary.
CHECK_EVERY = 15.0
# While a status is young (most revisions finish within minutes), the watcher polls at least every
# second so a DEPLOYED is noticed within 1 s; a longer wait falls back to the wait's own schedule.
FAST_INTERVAL = 1.0
FAST_FOR = 120.0
# Live logs are for a person watching a few deployments: while at most FEW_WAITS revisions are
# awaited, each wait reads its revision and new log lines (2 requests) every STREAM_EVERY seconds, so
# lines show as they arrive (at most 10 requests a second in all). A fleet beyond that streams no
# logs and leans on the watcher alone: 100 waits cost a few batched lists, not 100 reads a second.
FEW_WAITS = 10
STREAM_EVERY = 2.0

CHANGED = "changed"
GONE = "gone"
FAILED = "failed"
QUIET = "quiet"

SUMMARY_FIELDS = ("latest_revision_id", "active_revision_id", "status", "updated_at")


class Lister(Protocol):
    def request(self, method: str, path: str, *, params: Any = None) -> Any: ...


def summary(deployment: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(deployment.get(key) for key in SUMMARY_FIELDS)


def relevant(deployment: dict[str, Any], revision_id: str | None) -> bool:
    """Worth the waiter's read even if nothing moved since the last poll: its revision is active
    (DEPLOYED) or was superseded."""
    if revision_id is None:
        return False
    return deployment.get("active_revision_id") == revision_id or deployment.get("latest_revision_id") != revision_id


def chunks(ids: Sequence[str], size: int = BATCH) -> Iterable[list[str]]:
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


@dataclass(eq=False)
class Watch:
    """One waiter's registration."""

    watcher: Watcher
    deployment_id: str
    revision_id: str | None  # None: a deletion wait
    interval: float = 0.5
    due: float = 0.0
    last: tuple[Any, ...] | None = None
    news: str | None = None
    deployment: dict[str, Any] | None = field(default=None, repr=False)

    def wait(self, interval: float, until: float) -> str:
        return self.watcher.wait(self, interval, until)

    def close(self) -> None:
        self.watcher.unregister(self)


class Watcher:
    def __init__(
        self,
        client: Lister,
        *,
        clock: Callable[[], float] = time.monotonic,
        batch: int = BATCH,
        background: bool = True,
    ) -> None:
        self._client = client
        self._clock = clock
        self._batch = batch
        self._background = background
        self._cond = threading.Condition()
        self._watches: list[Watch] = []
        self._thread: threading.Thread | None = None
        self._last_poll = float("-inf")
        self.polls = 0
        self.failures = 0

    def register(self, deployment_id: str, revision_id: str | None, interval: float = 0.5) -> Watch:
        with self._cond:
            watch = Watch(self, deployment_id, revision_id, interval, self._clock() + interval)
            self._watches.append(watch)
            if self._background and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._run, name="langsmith-watcher", daemon=True)
                self._thread.start()
            self._cond.notify_all()
            return watch

    def crowded(self) -> bool:
        """More revision waits than FEW_WAITS: no live logs, no read before the watcher's first poll."""
        with self._cond:
            return sum(1 for w in self._watches if w.revision_id is not None) > FEW_WAITS

    def own_read_every(self, streaming: bool) -> float:
        """How long a wait may lean on the watcher before reading its revision itself."""
        return STREAM_EVERY if streaming and not self.crowded() else CHECK_EVERY

    def unregister(self, watch: Watch) -> None:
        with self._cond:
            if watch in self._watches:
                self._watches.remove(watch)
            self._cond.notify_all()

    def wait(self, watch: Watch, interval: float, until: float) -> str:
        """Block until the watcher has news for `watch` or `until`; `interval` is how soon this wait
        wants the next look (the watcher polls for the most urgent one)."""
        with self._cond:
            watch.interval = interval
            watch.due = min(watch.due, self._clock() + interval)
            self._cond.notify_all()
            while watch.news is None:
                left = until - self._clock()
                if left <= 0 or engine_watch.gone():  # gone or cancelled: the waiter's check() raises
                    return QUIET
                self._cond.wait(min(left, GATE_LOOK))
            news, watch.news = watch.news, None
            return news

    def _run(self) -> None:
        while True:
            with self._cond:
                if engine_watch.gone():  # nobody to report to: stop polling (the process exits soon)
                    self._thread = None
                    return
                if not self._watches:
                    self._cond.wait(30.0)
                    if not self._watches:
                        self._thread = None
                        return
                    continue
                now = self._clock()
                due = self.next_poll()
                if due > now:
                    self._cond.wait(due - now)
                    continue
            self.poll()

    def next_poll(self) -> float:
        """When the most urgent wait wants a look, but never sooner after the last poll than the
        shortest interval any wait asked for: waits that registered at different moments share polls."""
        with self._cond:
            if not self._watches:
                return float("inf")
            soonest = min(w.due for w in self._watches)
            return max(soonest, self._last_poll + min(w.interval for w in self._watches))

    def poll(self) -> None:
        """One round over every registered wait, in batches of `batch` ids."""
        with self._cond:
            self._last_poll = self._clock()
            watches = list(self._watches)
        by_id: dict[str, list[Watch]] = {}
        for watch in watches:
            by_id.setdefault(watch.deployment_id, []).append(watch)
        for ids in chunks(list(by_id), self._batch):
            self.polls += 1
            try:
                with routine():
                    page = self._client.request(
                        "GET", "/v2/deployments", params={"deployment_ids": ",".join(ids), "limit": self._batch}
                    )
                found = {str(d.get("id")): d for d in (page.get("resources") or []) if isinstance(d, dict)}
            except Exception:  # each waiter falls back to its own read
                self.failures += 1
                found = None
            with self._cond:
                now = self._clock()
                for dep_id in ids:
                    for watch in by_id[dep_id]:
                        self._observe(watch, None if found is None else found.get(dep_id), found is None)
                        watch.due = now + watch.interval
                self._cond.notify_all()

    @staticmethod
    def _observe(watch: Watch, deployment: dict[str, Any] | None, failed: bool) -> None:
        if failed:
            watch.news = FAILED
            return
        if deployment is None:
            watch.news = GONE
            return
        seen = summary(deployment)
        if (watch.last is not None and seen != watch.last) or (
            watch.last is None and relevant(deployment, watch.revision_id)
        ):
            watch.news = CHANGED
        watch.last = seen
        watch.deployment = deployment


def interval_for(base: float, in_status: float) -> float:
    """How soon a wait wants the watcher's next look (see FAST_INTERVAL)."""
    return min(base, FAST_INTERVAL) if in_status < FAST_FOR else base


_watchers: dict[Any, Watcher] = {}
_lock = threading.Lock()


def watcher_for(client: Lister) -> Watcher:
    """The process's watcher for this control plane and key: the host unpickles one provider (and so one
    client) per resource, and all of them share it."""
    key = getattr(client, "_settings", client)
    with _lock:
        found = _watchers.get(key)
        if found is None:
            found = _watchers[key] = Watcher(client)
        return found
