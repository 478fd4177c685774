"""What the engine says about the call being served, for code far below the frontend that gets it.

Why: a real provider plugin (`pulumi_langsmith.plugin`) is told the resource's URN and the
`customTimeouts` of each Create/Update/Delete in the request; the dynamic host tells neither. The
frontend sets them here for the duration of one call (contextvars: each call runs in its own copied
context on a worker thread), and `engine_log` (progress on the resource's row) and
`WaitOptions.polling` (the wait's deadline) read them. Unset, everything behaves as before.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

URN: contextvars.ContextVar[str | None] = contextvars.ContextVar("langsmith_urn", default=None)
#: The call's `customTimeouts` value in seconds (the engine sends 0 when none is set).
TIMEOUT: contextvars.ContextVar[float | None] = contextvars.ContextVar("langsmith_timeout", default=None)


@contextlib.contextmanager
def serving(urn: str | None, timeout: float | None = None) -> Iterator[None]:
    """Within this block the call is `urn`'s, bounded by `timeout` seconds when it is set (> 0)."""
    tokens = (URN.set(urn or None), TIMEOUT.set(timeout if timeout and timeout > 0 else None))
    try:
        yield
    finally:
        URN.reset(tokens[0])
        TIMEOUT.reset(tokens[1])


def timeout() -> float | None:
    """The call's `customTimeouts` in seconds, or None (not set, or not known to this host)."""
    return TIMEOUT.get()
