"""One redactor for every string that leaves the provider: no secret value in an error, a log line or
a progress line, in either frontend.

Fed where secret values are decoded, once each:
- the Deployment's `secrets` values: the model's field registers them (`model.DeploymentInputs`), so
  every decode does (check, the engine's props, state);
- the LangSmith API key (`config.resolve_settings`);
- in the plugin, every value the engine sent marked secret, whatever the field (`convert.to_plain`).

Used where a string leaves: the message of every `ProviderError` (its `__str__`, which both frontends'
error boundaries show: `errors.message_or_traceback` in the dynamic host, `plugin/server.py` in the
plugin, which also redact any other error's text), the live log stream and `RevisionFailed`'s log tail
(both quote the server's logs), the server's error text in `APIError` (before it is shortened), and
every progress or diagnostic line (`progress`, `engine_log`).

What is redacted: each registered value, each of its lines (a log line holds one line of a multi-line
key), and the forms it takes when quoted as JSON or by Python's `repr` (an API error body, a pydantic
message). Every character of every occurrence is covered, overlapping ones merged into one `***`, so
neither a value inside another nor two overlapping values are half shown.

Short values are not redacted: a form shorter than `MIN_LENGTH` characters (surrounding whitespace not
counted) is not registered. A one-character secret "a" would otherwise turn every "a" of every message
into `***` and make errors unreadable, while hiding nothing: a value that short is guessed in a few
tries. The README says so.

Thread safety: the provider host serves calls on many threads at once. `add` builds a new immutable
set of values under a lock and swaps it in; `redact` reads the current set once, without the lock.
The registry lives as long as the process (one `pulumi` command) and only grows: a value once secret
stays hidden even after the resource that declared it is gone.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import TypeVar

from .values import UNKNOWN

REDACTED = "***"
#: Forms shorter than this (after stripping surrounding whitespace) are not redacted: see above.
MIN_LENGTH = 4

T = TypeVar("T")


def forms(value: str, min_length: int = MIN_LENGTH) -> set[str]:
    """The strings a secret value may show up as in text, each long enough to redact."""
    if value == UNKNOWN:
        return set()
    pieces = {value, *(line.strip() for line in value.splitlines())}
    out: set[str] = set()
    for piece in pieces:
        out |= {piece, json.dumps(piece)[1:-1], json.dumps(piece, ensure_ascii=False)[1:-1], repr(piece)[1:-1]}
    return {f for f in out if len(f.strip()) >= min_length}


def strings_in(value: object) -> Iterator[str]:
    """Every string inside a value: a map's values (not its keys: names are not secret), list items."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from strings_in(item)


class Redactor:
    """A registry of secret values and the function that hides them in text."""

    def __init__(self, min_length: int = MIN_LENGTH) -> None:
        self._min_length = max(min_length, len(REDACTED) + 1)  # a form never shorter than `***`
        self._lock = threading.Lock()
        self._values: frozenset[str] = frozenset()

    def add(self, *values: object) -> None:
        """Register every string inside `values` (see `strings_in`) as secret."""
        new = {f for value in values for s in strings_in(value) for f in forms(s, self._min_length)}
        with self._lock:  # read, extend and swap in as one step: no other thread's value is lost
            self._values = self._values | new

    def known(self) -> frozenset[str]:
        return self._values

    def redact(self, text: str, extra: Iterable[str] = ()) -> str:
        """`text` with every registered value (and every value of `extra`) replaced by `***`."""
        values = self._values | {f for s in extra for f in forms(s, self._min_length)}
        # Again until nothing is found: a value holding `***` could be made anew by a replacement
        # next to it. Each replacement shortens the text (forms are longer than `***`), so this ends.
        while spans := _occurrences(text, values):
            out: list[str] = []
            at = 0
            for start, end in _merged(spans):
                out.append(text[at:start])
                out.append(REDACTED)
                at = end
            out.append(text[at:])
            text = "".join(out)
        return text


def _occurrences(text: str, values: Iterable[str]) -> list[tuple[int, int]]:
    """Where each value occurs in `text`, overlapping occurrences too, as (start, end)."""
    spans: list[tuple[int, int]] = []
    for value in values:
        at = text.find(value)
        while at != -1:
            spans.append((at, at + len(value)))
            at = text.find(value, at + 1)
    return spans


def _merged(spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Overlapping spans as one (two values side by side stay two `***`, as the log stream showed them)."""
    spans.sort()
    start, end = spans[0]
    for s, e in spans[1:]:
        if s < end:
            end = max(end, e)
        else:
            yield start, end
            start, end = s, e
    yield start, end


#: The process's redactor: every registration and every redaction of this package goes through it.
REDACTOR = Redactor()


def add(*values: object) -> None:
    """Register secret values (strings, or maps and lists of them) for the whole process."""
    REDACTOR.add(*values)


def registered(value: T) -> T:
    """`value`, after registering the strings inside it as secret (a pydantic `BeforeValidator`)."""
    REDACTOR.add(value)
    return value


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """`text` with every secret value this process knows (and those of `extra`) replaced by `***`."""
    return REDACTOR.redact(text, extra)
