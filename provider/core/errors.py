"""Errors the provider raises on purpose reach `pulumi up` as their message alone; others keep their traceback.

Why: the dynamic-provider host (`python -m pulumi.dynamic`, pulumi 3.272) wraps every RPC in
`_abort_with_traceback`, which aborts the call with `traceback.format_exc()`. A failed build then
reaches the user as about 20 lines of frames with the useful sentence at the bottom. A traceback
helps only when the error is a bug; a `ProviderError` already says what failed and what to do.

How: when this package is imported inside that host (it is, when the pickled provider is loaded),
the host module's global `traceback` is replaced by a proxy whose `format_exc()` returns the
message alone while a `ProviderError` is being handled, and the real traceback otherwise.

Relies on (tests/test_host_errors.py fails loudly if any of these change):
- the host runs as `__main__`, imports the `traceback` module under that name, and its
  `_abort_with_traceback` reports `traceback.format_exc()` from inside its `except` block;
- `format_exc()` runs while the exception is current, so `sys.exc_info()` holds it.
Nothing happens outside the host (the Pulumi program, tests that import the package).
"""

from __future__ import annotations

import sys
import traceback
import types
from typing import Any

from . import process
from .redact import redact


class ProviderError(Exception):
    """An error the user can act on: the message says what failed and what to do, so no traceback.
    Its text never holds a secret value the process knows (`redact`): redacted when it is made, and
    again when it is shown, for a value registered in between."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(a) if isinstance(a, str) else a for a in args))

    def __str__(self) -> str:
        return redact(super().__str__())


class _QuietTraceback(types.ModuleType):
    """The `traceback` module, except that `format_exc` shows a `ProviderError` as its message."""

    def __init__(self) -> None:
        super().__init__("traceback", traceback.__doc__)

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def format_exc(limit: int | None = None, chain: bool = True) -> str:
        return message_or_traceback(sys.exc_info()[1], limit, chain)


def message_or_traceback(exc: BaseException | None, limit: int | None = None, chain: bool = True) -> str:
    """What the host reports for the exception being handled: a `ProviderError`'s message, any
    other's traceback; either without a secret value (`redact`)."""
    if isinstance(exc, ProviderError):
        return str(exc)
    return redact(traceback.format_exc(limit, chain))


_installed = False


def quiet_tracebacks() -> bool:
    """Install the proxy in the provider host; returns whether it is in place."""
    global _installed
    main = sys.modules.get("__main__")
    if _installed or not process.in_provider_host() or main is None:
        return _installed
    if getattr(main, "traceback", None) is traceback:
        setattr(main, "traceback", _QuietTraceback())  # noqa: B010 (mypy: ModuleType has no such attribute)
        _installed = True
    else:
        print(
            "[langsmith] warning: the provider host changed; errors keep their Python traceback",
            file=sys.stderr,
            flush=True,
        )
    return _installed
