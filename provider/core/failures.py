"""A check failure as the user reads it. The engine prints `property <path> value {<value>} has a
problem: <why>`, looking the value up among the program's top-level inputs only
(`resource/deploy/step_generator.go` `issueCheckFailures`: `new.Inputs[failure.Property]`), so a
failure about `env.OTHER` read "value {<nil>}" although a value was given. A failure about a nested
path is therefore sent without a property, its message naming the path and the value given there (a
secret one as `[secret]`): `env.OTHER (given "x"): is also set in secrets`. Both frontends use this.
No secret value the process knows is left in what is sent (`redact`: a reason may quote a value).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .redact import redact

SHOWN_SECRET = "[secret]"
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parts_of(path: str) -> list[str | int]:
    """`secret_references[0].name` -> ["secret_references", 0, "name"]."""
    return [int(m.group(2)) if m.group(2) is not None else m.group(1) for m in _PART.finditer(path)]


def value_at(raw: Any, path: str) -> Any:
    """The raw value at a property path (`env.OTHER`, `secret_references[0].name`); None when absent."""
    node = raw
    for part in parts_of(path):
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is None:
            return None
    return node


def reported(path: str, reason: str, value: Any, secret: bool) -> tuple[str, str]:
    """(property, reason) to send for a failure at `path` (as the program spells it) about `value`."""
    if "." not in path and "[" not in path:
        return path, redact(reason)  # a top-level input: the engine shows its value itself
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a schema language sends every number as a float
    shown = SHOWN_SECRET if secret and value is not None else value
    # Only a single value is shown: an object's keys are spelled differently in each language.
    given = f" (given {json.dumps(shown)})" if isinstance(shown, str | bool | int | float) else ""
    return "", redact(f"{path}{given}: {reason}")
