"""Send a request that creates something at most once, and reconcile after a lost answer.

Creating a deployment (POST) and creating a revision (PATCH with revision fields) must never happen
twice. The client's transport only retries them when the server cannot have acted (refused connection,
429). When the answer is lost (no response, or a 5xx), `landed` looks at the server to see whether the
request took effect; only when it did not is the request sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from . import engine_watch
from .client import APIError, outcome_unknown

T = TypeVar("T")
ATTEMPTS = 6


def pause_before_retry(attempt: int) -> None:
    """A server that just failed or dropped a request is likely to do so again right away
    (0.5, 1, 2, 4, 8 s)."""
    engine_watch.sleep(min(8.0, 0.5 * 2**attempt))  # a cancel ends the pause


def at_most_once(
    send: Callable[[], T],
    landed: Callable[[], T | None],
    *,
    retry_if: Callable[[APIError], bool] = outcome_unknown,
    give_up: Callable[[APIError], None] = lambda _err: None,
    attempts: int = ATTEMPTS,
    pause: Callable[[int], None] = pause_before_retry,
) -> T:
    """`send()`; after an error `retry_if` accepts, `landed()` returns what the lost request made (or
    None), then `give_up(error)` may raise instead of sending again."""
    error: APIError | None = None
    for attempt in range(attempts):
        if attempt:
            pause(attempt - 1)
        try:
            return send()
        except APIError as exc:
            if not retry_if(exc):
                raise
            error = exc
        found = landed()
        if found is not None:
            return found
        give_up(error)
    assert error is not None
    raise error
