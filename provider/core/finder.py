"""Concurrent name searches share one listing: 100 creates starting together look up their names
with a handful of `GET /v2/deployments?name_contains=` pages instead of 100 (or 200) calls.

Why: every create first looks for an earlier deployment of its name (no duplicates), and the API has
no exact-name filter. Searches that arrive while one is in flight wait for it, then the next caller
lists once for all of them by their longest common prefix (any name containing a search text contains
that prefix) and each keeps the names containing its own text. Callers then apply their exact checks,
as before. A prefix too short to narrow the listing, or a single search, lists by its own text.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
MIN_PREFIX = 3


@dataclass(eq=False)
class _Search:
    text: str
    done: bool = False
    result: list[JSON] = field(default_factory=list)
    error: BaseException | None = None


def contains(name: object, text: str) -> bool:
    """Superset of the server's `name_contains` (case-insensitive here, whatever the server does)."""
    return text.lower() in str(name or "").lower()


def common_prefix(texts: list[str]) -> str:
    first, last = min(texts), max(texts)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


class NameSearch:
    def __init__(self, list_all: Callable[[str], list[JSON]]) -> None:
        self._list_all = list_all
        self._cond = threading.Condition()
        self._pending: list[_Search] = []
        self._busy = False
        self.listings = 0

    def search(self, text: str) -> list[JSON]:
        """Every deployment whose name contains `text` (by the server's rule, or more)."""
        mine = _Search(text)
        with self._cond:
            self._pending.append(mine)
            while not mine.done and self._busy:
                self._cond.wait()
            if not mine.done:
                self._busy = True
                batch, self._pending = self._pending, []
        if not mine.done:
            try:
                self._run(batch)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
        if mine.error is not None:
            raise mine.error
        return mine.result

    def _run(self, batch: list[_Search]) -> None:
        prefix = common_prefix([s.text for s in batch])
        groups = [(prefix, batch)] if len(batch) > 1 and len(prefix) >= MIN_PREFIX else [(s.text, [s]) for s in batch]
        for text, searches in groups:
            try:
                self.listings += 1
                items = self._list_all(text)
            except BaseException as exc:  # each caller sees the listing's own error
                for s in searches:
                    s.error, s.done = exc, True
                continue
            for s in searches:
                s.result, s.done = [d for d in items if contains(d.get("name"), s.text)], True
