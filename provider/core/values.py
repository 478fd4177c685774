"""Values shared by every resource: the engine's unknown, the JSON body alias, the UUID and Kubernetes name patterns."""

from __future__ import annotations

import re
from typing import Any

JSON = dict[str, Any]
K8S_NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")  # a Kubernetes (DNS label) name
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# The value the Pulumi engine sends for a not-yet-known input during preview.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def with_unknown_sentinel(value: Any) -> Any:
    """The dynamic host (pulumi 3.272) passes unknowns to check/diff as `pulumi.output.Unknown`
    objects, not as the sentinel string: turn them into `UNKNOWN`, which everything here checks for."""
    from pulumi.output import Unknown

    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: with_unknown_sentinel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_unknown_sentinel(v) for v in value]
    return value


def unknown_at(raw: Any, loc: tuple[int | str, ...]) -> bool:
    """True when the value at `loc` (or one of its parents) is not known yet."""
    node = raw
    for part in loc:
        if node == UNKNOWN:
            return True
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if not (in_dict or in_list):
            return False
        node = node[part]
    return bool(node == UNKNOWN)


def is_unknown(raw: Any) -> bool:
    """True when the value, or anything inside it, is not known yet (preview)."""
    if raw == UNKNOWN:
        return True
    if isinstance(raw, dict):
        return any(is_unknown(v) for v in raw.values())
    if isinstance(raw, list):
        return any(is_unknown(v) for v in raw)
    return False
