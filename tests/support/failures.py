"""Check failures as the tests read them: (the property path a failure names, why)."""

from __future__ import annotations

import re

#: A failure about a nested path comes without a property, its message naming the path and the value
#: given there (`provider/core/failures.py`): `env.OTHER (given "x"): is also set in secrets`.
_NESTED = re.compile(r"^(?P<path>[^\s(:]+)(?: \(given (?P<given>.*?)\))?: (?P<reason>.*)$", re.S)


def named(prop: str, reason: str) -> tuple[str, str]:
    """(property path, reason) of a failure, whichever way it was sent."""
    if prop:
        return prop, reason
    m = _NESTED.match(reason)
    return (m.group("path"), m.group("reason")) if m else (prop, reason)


def given(reason: str) -> str | None:
    """The value a nested failure's message shows as given (JSON), if any."""
    m = _NESTED.match(reason)
    return m.group("given") if m else None
