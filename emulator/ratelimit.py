"""The gateway's request-rate limit: one token bucket per API key, checked before the service runs.

LangSmith documents its limits per API key (or access token) at its load balancer, which answers
429 before the application sees the request (see emulator/README.md, "Rate limit"). A client that
polls a fleet of deployments must survive that, so tests need a control plane that enforces one.
A token bucket (rather than the real fixed one-minute window) keeps `Retry-After` exact and small.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


def default_burst(rate: float) -> int:
    """Without `rate_burst`, a bucket holds one second's worth of requests (at least one)."""
    return max(1, math.ceil(rate))


def retry_after_seconds(tokens: float, rate: float) -> int:
    """Whole seconds until the bucket holds a full token again; HTTP wants an integer, at least 1."""
    return max(1, math.ceil((1.0 - tokens) / rate))


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Thread-safe buckets per key; a refused request takes no token (it never reached the service)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}
        self._config: tuple[float, int] | None = None

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._config = None

    def check(self, key: str, rate: float | None, burst: int | None) -> int | None:
        """Take a token for `key`: None when the request may pass, else its `Retry-After` in seconds."""
        if not rate or rate <= 0:
            return None
        capacity = burst if burst is not None and burst >= 1 else default_burst(rate)
        now = self._clock()
        with self._lock:
            if self._config != (rate, capacity):  # a new limit starts every key with a full bucket
                self._buckets.clear()
                self._config = (rate, capacity)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(tokens=float(capacity), updated=now)
            else:
                bucket.tokens = min(float(capacity), bucket.tokens + (now - bucket.updated) * rate)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return retry_after_seconds(bucket.tokens, rate)
