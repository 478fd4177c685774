"""Waiting for a revision to reach DEPLOYED, and for a deleted deployment to disappear.

The wait has its own deadline because `custom_timeouts` and Cancel never reach a dynamic provider.
Polling adapts to how long the revision has been in its current status: right after a transition it
polls every `poll_min` seconds, and the interval grows to a quarter of the time spent in the status,
capped at `poll_max`. A short phase is noticed quickly; a long build costs about one request every
`poll_max` seconds. 429 `Retry-After` is honoured by the client's urllib3 `Retry`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import engine_watch
from .budget import routine
from .client import CURRENT, ControlPlaneClient, not_found
from .durations import given, seconds
from .errors import ProviderError
from .progress import progress
from .redact import redact
from .statuses import BUILD_PHASE_FAILED, DEPLOYED, SKIPPED, failed
from .watcher import CHECK_EVERY, Watcher, interval_for, watcher_for

LOG_TAIL_LINES = 15
NO_LOGS = "(logs are not available from this server: its API has no revision log route)"


@dataclass(frozen=True)
class Polling:
    timeout: float = 1800.0
    poll_min: float = 0.5
    poll_max: float = 5.0
    limit: str = "wait.timeout_seconds"  # what set `timeout`, named when it runs out

    def interval(self, in_status: float) -> float:
        return min(self.poll_max, max(self.poll_min, in_status / 4))


class RevisionFailed(ProviderError):
    def __init__(self, deployment: str, revision_id: str, status: str, log_tail: list[str]) -> None:
        self.revision_id = revision_id
        self.status = status
        # The server's log lines quote what the build printed, secret values too.
        tail = "\n".join(f"    {redact(line)}" for line in log_tail) or "    (no log lines)"
        super().__init__(
            f"{deployment}: revision {revision_id} ended in {status}. Last log lines:\n{tail}\n"
            "Fix the cause and run `pulumi up` again: it resumes this deployment, it does not create another."
        )


class WaitTimeout(ProviderError):
    def __init__(
        self,
        deployment: str,
        revision_id: str,
        status: str,
        waited: float,
        limit: str = Polling.limit,
        timeout: float | None = None,
    ) -> None:
        """`timeout`: the limit's value as set, shown beside its name (`wait.timeout_seconds: 0.5s`)."""
        self.revision_id = revision_id
        self.status = status
        bound = limit if timeout is None else f"{limit}: {given(timeout)}"
        super().__init__(
            f"{deployment}: revision {revision_id} is still {status} after {seconds(waited)} "
            f"({bound}). The revision keeps going on the server; `pulumi refresh` then "
            "`pulumi up` picks it up again."
        )


class Waiter:
    def __init__(
        self,
        client: ControlPlaneClient,
        polling: Polling,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = engine_watch.sleep,
        report: Callable[[str, bool], None] = progress,
        watcher: Watcher | None = None,
        on_poll: Callable[[str, str], None] | None = None,
    ) -> None:
        """`on_poll(revision_id, status)` runs after each revision poll (live logs: `log_stream`)."""
        self._on_poll = on_poll
        self._client = client
        # Real clients share the process's watcher (see `watcher`); fakes in tests poll on their own.
        self._watcher = watcher or (watcher_for(client) if isinstance(client, ControlPlaneClient) else None)
        self._polling = polling
        self._clock = clock
        self._sleep = sleep
        self._report = report
        # The deployment as the watcher last saw it when the wait ended: saves a GET for the outputs.
        self.deployment_seen: dict[str, Any] | None = None

    def revision(self, deployment_id: str, label: str, revision_id: str) -> dict[str, Any]:
        """Block until `revision_id` (or the revision that superseded it) is DEPLOYED. INTERRUPTED
        and UNKNOWN are waited through (see `statuses`); only `*_FAILED` and the deadline end it."""
        with routine():
            return self._revision(deployment_id, label, revision_id)

    def _revision(self, deployment_id: str, label: str, revision_id: str) -> dict[str, Any]:
        start = self._clock()
        deadline = start + self._polling.timeout
        watch = self._watcher.register(deployment_id, revision_id) if self._watcher else None
        try:
            if watch and self._watcher and self._watcher.crowded():  # a fleet: the watcher says when to read
                watch.wait(self._watch_interval(0.0), min(deadline, start + CHECK_EVERY))
            # Else one read right away: the row shows where the revision stands and live logs start.
            return self._follow(deployment_id, label, revision_id, start, deadline, watch)
        finally:
            if watch:
                watch.close()

    def _follow(
        self, deployment_id: str, label: str, revision_id: str, start: float, deadline: float, watch: Any
    ) -> dict[str, Any]:
        status, since = "", start
        while True:
            engine_watch.check()  # an orphaned wait ends here, not at its next request
            seen = watch.deployment if watch else None
            if seen and seen.get("active_revision_id") == revision_id:  # active means DEPLOYED: no read needed
                revision, self.deployment_seen = {"id": revision_id, "status": DEPLOYED}, seen
            else:
                revision = self._get(deployment_id, revision_id)
            if revision.get("id") != revision_id:  # pruned, and a newer one is the latest now
                self._report(f"{label}: revision {revision_id[:8]} was superseded by {str(revision['id'])[:8]}", False)
                revision_id, status = str(revision["id"]), ""
            now = self._clock()
            new_status = str(revision.get("status") or "UNKNOWN")
            if new_status != status:
                status, since = new_status, now
                # Transitions are live status; only the final DEPLOYED stays in the summary.
                self._report(f"{label}: revision {revision_id[:8]} {status} ({now - start:.1f}s)", status != DEPLOYED)
            if self._on_poll and not (self._watcher and self._watcher.crowded()):
                self._on_poll(revision_id, status)
            if status == DEPLOYED:
                return revision
            if status == SKIPPED:
                newer = self._client.get_deployment(deployment_id).get("latest_revision_id")
                if not newer or newer == revision_id:
                    raise RevisionFailed(label, revision_id, status, [])
                self._report(f"{label}: revision {revision_id[:8]} was superseded by {str(newer)[:8]}", False)
                revision_id, status = str(newer), ""
                if watch:
                    watch.revision_id = revision_id
                continue
            if failed(status):
                raise RevisionFailed(label, revision_id, status, self._log_tail(deployment_id, revision_id, status))
            if now >= deadline:
                raise WaitTimeout(label, revision_id, status, now - start, self._polling.limit, self._polling.timeout)
            if watch:
                watch.revision_id = revision_id
                own = self._watcher.own_read_every(self._streams(deployment_id)) if self._watcher else CHECK_EVERY
                watch.wait(self._watch_interval(now - since), min(deadline, now + own))
                continue
            self._sleep(min(self._polling.interval(now - since), max(0.0, deadline - now)))

    def _streams(self, deployment_id: str) -> bool:
        """Live logs are on and this server has the log route: worth reading more often."""
        return self._on_poll is not None and self._client.shape(deployment_id) == CURRENT

    def _watch_interval(self, in_status: float) -> float:
        return interval_for(self._polling.interval(in_status), in_status)

    def _get(self, deployment_id: str, revision_id: str) -> dict[str, Any]:
        """The revision; one that 404s while its deployment exists was pruned: it is DEPLOYED if it
        is the active one, superseded if the deployment has a newer latest one, else unknown yet."""
        try:
            return self._client.get_revision(deployment_id, revision_id)
        except Exception as exc:
            if not not_found(exc):
                raise
        deployment = self._client.get_deployment(deployment_id)  # a 404 here: the deployment is gone
        if deployment.get("active_revision_id") == revision_id:
            return {"id": revision_id, "status": DEPLOYED}
        latest = deployment.get("latest_revision_id")
        if latest and latest != revision_id:
            return self._client.get_revision(deployment_id, str(latest))
        return {"id": revision_id, "status": "UNKNOWN"}

    def _log_tail(self, deployment_id: str, revision_id: str, status: str) -> list[str]:
        # An early DEPLOY_FAILED may have happened in either phase: when the expected phase logged
        # nothing, the other phase's log holds the failure.
        kinds = ("build", "deploy") if status in BUILD_PHASE_FAILED else ("deploy", "build")
        try:
            if self._client.shape(deployment_id) != CURRENT:
                return [NO_LOGS]
            for kind in kinds:
                lines = self._client.revision_logs(deployment_id, revision_id, kind, limit=LOG_TAIL_LINES)
                if lines:
                    break
        except Exception as exc:  # the failure itself matters more than its logs
            return [f"(logs unavailable: {exc})"]
        return lines[-LOG_TAIL_LINES:]

    def gone(self, deployment_id: str, label: str) -> None:
        """Block until GET answers 404: the name is only free once deletion has finished."""
        with routine():
            watch = self._watcher.register(deployment_id, None) if self._watcher else None
            try:
                self._gone(deployment_id, label, watch)
            finally:
                if watch:
                    watch.close()

    def _gone(self, deployment_id: str, label: str, watch: Any) -> None:
        start = self._clock()
        deadline = start + self._polling.timeout
        if watch:  # absent from the watcher's answer: then confirmed by one GET
            watch.wait(self._watch_interval(0.0), min(deadline, start + CHECK_EVERY))
        while True:
            engine_watch.check()
            try:
                status = self._client.get_deployment(deployment_id).get("status")
            except Exception as exc:
                if not_found(exc):
                    self._report(f"{label}: deleted ({self._clock() - start:.1f}s)", False)
                    return
                raise
            now = self._clock()
            if now >= deadline:
                raise WaitTimeout(
                    label, "-", f"deployment {status}", now - start, self._polling.limit, self._polling.timeout
                )
            if watch:
                watch.wait(self._watch_interval(now - start), min(deadline, now + CHECK_EVERY))
                continue
            self._sleep(min(self._polling.interval(now - start), max(0.0, deadline - now)))
