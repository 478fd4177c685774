"""Live build and deploy log lines while `pulumi up` waits for a revision, as `langgraph deploy` shows them.

The waiter calls `LogStream.poll` after each revision poll. New lines are read from the revision log
route (ascending, from the last cursor, like the vendor CLI's `_stream_build_logs`), de-duplicated by
entry id, rate-limited (a token bucket; lines over the budget are collapsed into one count line, but
the newest lines of each read are always shown: they say where the build is now) and stripped of the
deployment's secret values before they reach `progress`. A read follows the cursor over several pages,
so a pip install of hundreds of lines does not hide the lines after it. The route is not in the
official spec: against a server of that shape nothing is called and nothing is said.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import redact as redaction
from .client import CURRENT, ControlPlaneClient
from .progress import progress

ENV_SWITCH = "LANGSMITH_STREAM_LOGS"
REDACTED = redaction.REDACTED
PAGE = 100
#: Pages read per poll at most (a poll is every 2 s or more, and only while few revisions are awaited).
MAX_PAGES = 10
#: Statuses in which the build log is still being written; later ones read the deploy log.
BUILD_PHASE = frozenset({"CREATING", "QUEUED", "AWAITING_BUILD", "BUILDING"})


def enabled_by_env(environ: Mapping[str, str] = os.environ) -> bool:
    """`LANGSMITH_STREAM_LOGS=0` (or false/no/off) turns streaming off for every deployment."""
    return environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "false", "no", "off")


def redact(text: str, values: Iterable[str]) -> str:
    """`text` without `values` and without every secret value the process knows (`core/redact.py`:
    a value inside another is not half shown; values under 4 characters are left alone)."""
    return redaction.redact(text, values)


class RateLimit:
    """A token bucket: `per_second` lines a second on average, bursts up to `burst`."""

    def __init__(self, per_second: float, burst: int, clock: Callable[[], float]) -> None:
        self._rate, self._burst, self._clock = per_second, float(burst), clock
        self._tokens, self._at = float(burst), clock()

    def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False


class LogStream:
    """Follows one deployment's revision logs; `poll(revision_id, status)` prints what is new."""

    def __init__(
        self,
        client: ControlPlaneClient,
        deployment_id: str,
        label: str,
        secret_values: Iterable[str] = (),
        *,
        per_second: float = 10,
        burst: int = 20,
        keep_last: int = 5,
        clock: Callable[[], float] = time.monotonic,
        report: Callable[[str, bool], None] = progress,
    ) -> None:
        self._client, self._deployment_id, self._label = client, deployment_id, label
        self._secrets = tuple(secret_values)
        self._limit = RateLimit(per_second, burst, clock)
        self._keep_last = keep_last
        self._report = report
        self._seen: set[str] = set()
        self._cursor: dict[tuple[str, str], str | None] = {}
        self._build_drained: set[str] = set()
        self._off = False

    def poll(self, revision_id: str, status: str) -> None:
        if self._off:
            return
        try:
            if self._client.shape(self._deployment_id) != CURRENT:
                self._off = True  # a spec server has no log route: say nothing, call nothing
                return
            for kind in self._kinds(revision_id, status):
                self._emit(kind, self._fetch(revision_id, kind))
        except Exception:  # logs are a courtesy; the wait itself must not fail because of them
            self._off = True

    def _kinds(self, revision_id: str, status: str) -> list[str]:
        """The build log while building; once past it, the build log's last lines once, then the deploy log."""
        if status in BUILD_PHASE:
            return ["build"]
        kinds = [] if revision_id in self._build_drained else ["build"]
        self._build_drained.add(revision_id)
        return [*kinds, "deploy"]

    def _fetch(self, revision_id: str, kind: str) -> list[dict[str, Any]]:
        key = (revision_id, kind)
        entries: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"type": kind, "limit": PAGE, "order": "asc"}
            if self._cursor.get(key):
                params["offset"] = self._cursor[key]
            page = self._client.request(
                "GET", f"/v2/deployments/{self._deployment_id}/revisions/{revision_id}/logs", params=params
            )
            if not isinstance(page, dict):
                break
            logs = [e for e in page.get("logs") or [] if isinstance(e, dict)]
            entries.extend(logs)
            next_offset = page.get("next_offset")
            if not next_offset or next_offset == self._cursor.get(key) or len(logs) < PAGE:
                self._cursor[key] = next_offset or self._cursor.get(key)
                break
            self._cursor[key] = next_offset
        return entries

    def _emit(self, kind: str, entries: list[dict[str, Any]]) -> None:
        new: list[str] = []
        for entry in entries:
            key = str(entry.get("id") or f"{kind}|{entry.get('timestamp')}|{entry.get('message')}")
            if key in self._seen or not entry.get("message"):
                continue
            self._seen.add(key)
            new.append(str(entry["message"]))
        cut = max(len(new) - self._keep_last, 0)
        collapsed = 0
        for message in new[:cut]:
            if self._limit.take():
                self._say(kind, message)
            else:
                collapsed += 1
        if collapsed:
            self._report(f"{self._label}: [{kind}] ... {collapsed} more {kind} log line(s) not shown", False)
        for message in new[cut:]:  # the newest lines: always shown, and charged to the budget
            self._limit.take()
            self._say(kind, message)

    def _say(self, kind: str, message: str) -> None:
        self._report(f"{self._label}: [{kind}] {redact(message, self._secrets)}", False)
