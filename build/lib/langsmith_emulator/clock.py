"""Time helpers: the store keeps epoch seconds, the API speaks ISO-8601 UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def ts(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def iso(epoch: float) -> str:
    return ts(epoch).isoformat().replace("+00:00", "Z")
