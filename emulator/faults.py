"""Fault rules and the seeded random source deciding which public request misbehaves.

A provider's retry logic is only as good as the failures it was tested against, so faults are
explicit rules (method + path regex, with a count or a probability) plus an optional global
`fault_rate`. Everything random comes from one `random.Random(seed)` so a failing run can be
replayed with the same seed and the same request sequence.
"""

from __future__ import annotations

import random
import re
import threading
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FaultKind(StrEnum):
    TOO_MANY_REQUESTS = "429"
    #: What a server without the route answers to a known path (Starlette's router: `405 {"detail":
    #: "Method Not Allowed"}`), e.g. an older self-hosted control plane to `POST .../revisions`.
    #: Never drawn by `fault_rate`.
    METHOD_NOT_ALLOWED = "405"
    INTERNAL_ERROR = "500"
    BAD_GATEWAY = "502"
    UNAVAILABLE = "503"
    LATENCY = "latency"
    DROP = "drop"
    COMMIT_THEN_DROP = "commit_then_drop"


#: What the global `fault_rate` draws from; never commit_then_drop, which changes state.
RANDOM_KINDS = (
    FaultKind.TOO_MANY_REQUESTS,
    FaultKind.INTERNAL_ERROR,
    FaultKind.BAD_GATEWAY,
    FaultKind.UNAVAILABLE,
    FaultKind.DROP,
    FaultKind.LATENCY,
)
RANDOM_LATENCY_MS = 250
RANDOM_RETRY_AFTER = 1


@dataclass(frozen=True)
class Fault:
    """A decision for one request."""

    kind: FaultKind
    retry_after: int = RANDOM_RETRY_AFTER
    latency_ms: int = RANDOM_LATENCY_MS
    rule_id: str | None = None


@dataclass
class FaultRule:
    kind: FaultKind
    method: str = "*"
    path: str = ".*"
    count: int | None = None  # remaining firings; None means unlimited
    probability: float = 1.0
    retry_after: int = 1
    latency_ms: int = 500
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        self._regex = re.compile(self.path)

    def matches(self, method: str, paths: tuple[str, ...]) -> bool:
        return self.method in ("*", method.upper()) and any(self._regex.search(p) for p in paths)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path,
            "kind": str(self.kind),
            "count": self.count,
            "probability": self.probability,
            "retry_after": self.retry_after,
            "latency_ms": self.latency_ms,
        }


class FaultInjector:
    """Thread-safe rule list plus the seeded RNG; `pick` is called once per public request."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def reseed(self, seed: int) -> None:
        with self._lock:
            self._rng = random.Random(seed)

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pick(self, method: str, paths: tuple[str, ...], fault_rate: float) -> Fault | None:
        """First matching rule that fires wins; otherwise the global rate may draw a random fault."""
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, paths):
                    continue
                if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                    continue
                if rule.count is not None:
                    rule.count -= 1
                    if rule.count <= 0:
                        self._rules.remove(rule)
                return Fault(rule.kind, rule.retry_after, rule.latency_ms, rule.id)
            if fault_rate > 0 and self._rng.random() < fault_rate:
                return Fault(self._rng.choice(RANDOM_KINDS))
        return None
