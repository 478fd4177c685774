"""In-memory log of public API requests, so tests can count calls and see injected faults.

Entries get their sequence number when they are appended (when the response is about to be
sent), so `since=SEQ` never misses an entry that completed after an earlier poll.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from typing import Any

API_HOST_PREFIX = "/api-host"
MAX_ENTRIES = 100_000
_UUID_SEGMENT = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def strip_prefix(path: str) -> str:
    """The path as the cloud API would see it: the self-hosted `/api-host` prefix removed."""
    if path == API_HOST_PREFIX or path.startswith(API_HOST_PREFIX + "/"):
        return path[len(API_HOST_PREFIX) :] or "/"
    return path


def route_of(path: str) -> str:
    """`/api-host/v2/deployments/<uuid>/revisions` -> `/v2/deployments/{id}/revisions`."""
    parts = strip_prefix(path).split("/")
    return "/".join("{id}" if _UUID_SEGMENT.match(part) else part for part in parts)


class RequestLog:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=max_entries)
        self._seq = 0
        self._lock = threading.Lock()

    def append(self, entry: dict[str, Any]) -> int:
        with self._lock:
            self._seq += 1
            self._entries.append({"seq": self._seq, **entry})
            return self._seq

    def since(self, seq: int | None = None) -> list[dict[str, Any]]:
        with self._lock:
            if seq is None:
                return list(self._entries)
            return [e for e in self._entries if e["seq"] > seq]

    def clear(self) -> None:
        """Forget the entries but keep counting, so earlier `since` values stay meaningful."""
        with self._lock:
            self._entries.clear()

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
            self._seq = 0
