"""Messages in the program's own language: the core writes them with the Python names
(`min_scale (4) must not exceed max_scale (2)`, `set delete_tracing_project=True`); a YAML, TypeScript,
Go or C# program knows the schema's (`minScale`, `deleteTracingProject: true`). `speak` rewrites every
name the resource's schema declares, and nothing else (an env var's name, a source's value)."""

from __future__ import annotations

import re

from .shapes import ListOf, MapOf, Obj, Shape, camel

_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_FLAG = re.compile(r"\b([a-z][A-Za-z0-9]*)=(True|False)\b")


def _names(shape: Shape, seen: set[str]) -> set[str]:
    if isinstance(shape, Obj):
        if shape.name in seen:
            return set()
        seen.add(shape.name)
        out = set(shape.fields)
        for _, child in shape.fields.values():
            out |= _names(child, seen)
        return out
    if isinstance(shape, MapOf):
        return _names(shape.value, seen)
    if isinstance(shape, ListOf):
        return _names(shape.item, seen)
    return set()


def _declared(shape: Obj) -> tuple[frozenset[str], frozenset[str]]:
    """(the snake_case names with an underscore, every name as the program writes it): a walk of the
    shape (tens of microseconds), done per error or check-failure message."""
    names = _names(shape, set())
    return frozenset(n for n in names if "_" in n), frozenset(camel(n) for n in names)


def speak(text: str, shape: Obj) -> str:
    """`text` with each snake_case name `shape` declares in camelCase, and `name=True` as `name: true`."""
    snake, known = _declared(shape)
    text = _SNAKE.sub(lambda m: camel(m.group(0)) if m.group(0) in snake else m.group(0), text)
    return _FLAG.sub(lambda m: f"{m.group(1)}: {m.group(2).lower()}" if m.group(1) in known else m.group(0), text)
