"""Durations in messages: a limit the user set exactly as given (`timeout_seconds: 0.5` reads `0.5s`,
never `1s`), a measured one with sensible precision (two significant digits under 10 s, whole
seconds above), so a short wait is never rounded to a value nobody set."""

from __future__ import annotations


def given(value: float) -> str:
    """A duration as it was set: `0.5s`, `2s`, `1800s`, `86400s` (the shortest text that reads back as
    the same number, which is what the program wrote; never an exponent)."""
    number = float(value)
    return f"{int(number)}s" if number.is_integer() else f"{number!r}s"


def seconds(value: float) -> str:
    """A measured duration: `0.53s`, `2.1s`, `42s`."""
    if value >= 9.95:
        return f"{value:.0f}s"
    if value < 0.01:
        return "0s"
    return f"{value:.2g}s"
