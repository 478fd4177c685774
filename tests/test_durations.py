"""Durations in messages (`core/durations.py`): a limit reads as the program set it, a measured
time with two significant digits under 10 s and whole seconds above."""

from __future__ import annotations

from hypothesis import given as for_all
from hypothesis import strategies as st

from pulumi_langsmith.core.durations import given, seconds


def test_a_limit_reads_as_it_was_set() -> None:
    assert [given(v) for v in (0.5, 2, 2.0, 1800, 86400, 0.25, 1e6, 0.1)] == [
        "0.5s",
        "2s",
        "2s",
        "1800s",
        "86400s",
        "0.25s",
        "1000000s",
        "0.1s",
    ]


@for_all(st.floats(min_value=0.001, max_value=1e7, allow_nan=False))
def test_a_limit_reads_back_as_the_same_number(value: float) -> None:
    text = given(value)
    assert text.endswith("s") and "e" not in text
    assert float(text[:-1]) == value


def test_a_measured_time_has_sensible_precision() -> None:
    assert [seconds(v) for v in (0.0, 0.004, 0.01, 0.534, 2.14, 9.94, 9.95, 10.4, 42.6, 1800.2)] == [
        "0s",
        "0s",
        "0.01s",
        "0.53s",
        "2.1s",
        "9.9s",
        "10s",
        "10s",
        "43s",
        "1800s",
    ]
