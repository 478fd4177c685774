"""The redactor itself (`core/redact.py`): what it hides, what it leaves alone, and that it holds
under many threads at once. Where it is used, each failure path: tests/test_redaction.py."""

from __future__ import annotations

import json
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_langsmith.core.redact import MIN_LENGTH, REDACTED, Redactor, forms, strings_in
from pulumi_langsmith.core.values import UNKNOWN

#: Any text, newlines, quotes, backslashes, `*` and non-ASCII included (no lone surrogates: no
#: message of the provider can hold one).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
SECRET = TEXT.filter(lambda s: len(s.strip()) >= MIN_LENGTH)


@given(secrets=st.lists(SECRET, min_size=1, max_size=4), around=st.lists(TEXT, min_size=2, max_size=6))
@settings(max_examples=300)
def test_no_registered_value_survives_in_any_text(secrets: list[str], around: list[str]) -> None:
    """Secrets side by side, inside each other, overlapping, next to `***`: none is left, and the
    text between them is kept."""
    redactor = Redactor()
    redactor.add(*secrets)
    text = "".join(part + secrets[i % len(secrets)] for i, part in enumerate(around))
    out = redactor.redact(text)
    assert all(s not in out for s in secrets), (secrets, out)
    assert REDACTED in out


@given(secret=SECRET, text=TEXT)
def test_text_without_a_secret_is_left_as_it_is(secret: str, text: str) -> None:
    redactor = Redactor()
    redactor.add(secret)
    if not any(f in text for f in forms(secret)):
        assert redactor.redact(text) == text


@given(secret=SECRET, before=TEXT, after=TEXT)
def test_a_value_quoted_as_json_or_by_repr_is_hidden_too(secret: str, before: str, after: str) -> None:
    """An API error body is JSON; a pydantic or Python message quotes with `repr`."""
    redactor = Redactor()
    redactor.add(secret)
    for quoted in (json.dumps(secret), json.dumps(secret, ensure_ascii=False), repr(secret)):
        out = redactor.redact(f"{before}{quoted}{after}")
        assert quoted[1:-1] not in out and secret not in out, out


@given(lines=st.lists(SECRET.filter(lambda s: s.splitlines() == [s]), min_size=2, max_size=4))
def test_each_line_of_a_multi_line_value_is_hidden_on_its_own(lines: list[str]) -> None:
    """A log holds one line of a PEM key, not the whole key."""
    redactor = Redactor()
    redactor.add("\n".join(lines))
    for line in lines:
        assert line.strip() not in redactor.redact(f"log: {line} end")


def test_short_values_are_left_alone() -> None:
    """A secret under 4 characters would turn every "a" or "1" of every message into `***`."""
    redactor = Redactor()
    redactor.add("a", "12", "   x  ", "", "abc\nde")
    assert redactor.known() == frozenset({"abc\nde", "abc\\nde"})
    assert redactor.redact("a 12 x abc de") == "a 12 x abc de"
    assert redactor.redact("abc\nde") == REDACTED
    assert Redactor(min_length=1).redact("anything") == "anything"  # nothing registered: unchanged


def test_what_is_registered_and_what_is_not() -> None:
    """A map's values, a list's items, at any depth; not a map's keys (names are not secret), not a
    number, not the engine's unknown."""
    assert set(strings_in({"NAME": "value-1", "n": [{"k": "value-2"}, 3, None]})) == {"value-1", "value-2"}
    redactor = Redactor()
    redactor.add({"OPENAI_API_KEY": "sk-1234"}, UNKNOWN, 12345)
    assert redactor.redact("OPENAI_API_KEY=sk-1234 12345 " + UNKNOWN) == f"OPENAI_API_KEY=*** 12345 {UNKNOWN}"


def test_extra_values_are_hidden_for_one_call_only() -> None:
    redactor = Redactor()
    assert redactor.redact("token-1 token-2", ["token-2"]) == "token-1 ***"
    assert redactor.redact("token-2") == "token-2"


def test_a_value_made_again_by_a_replacement_is_hidden_too() -> None:
    """`x***` in `xx***`: replacing it leaves `x***` again."""
    redactor = Redactor()
    redactor.add("x***")
    assert redactor.redact("xx***") == REDACTED


def test_many_threads_register_and_redact_at_once() -> None:
    """The provider host serves calls on many threads: a value registered by one is hidden at once
    for every thread, and no registration is lost to another made at the same time."""
    redactor = Redactor()
    failures: list[str] = []
    start = threading.Barrier(8)

    def worker(n: int) -> None:
        start.wait()
        for i in range(150):
            value = f"secret-{n}-{i}-value"
            redactor.add(value)
            out = redactor.redact(f"[{value}] and secret-{(n + 1) % 8}-{i}-valu")
            if value in out or not out.startswith(f"[{REDACTED}]"):
                failures.append(out)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(redactor.known()) == 8 * 150
