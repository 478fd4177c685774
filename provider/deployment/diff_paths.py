"""The property paths a diff names, as deep as the values go: `env.MODE`,
`source_config.resource_spec.min_scale`, each with whether it replaces and how it changes.

Why: the engine matches `replaceOnChanges` paths against the detailed diff's keys
(`resource/deploy/step_generator.go` `applyReplaceOnChanges`: a rule `env` covers `env.MODE`, a rule
`env.MODE` does not cover a key `env`), and `pulumi preview --diff` shows these keys. A diff that
names only top-level properties makes a nested rule a no-op. The change set (`changes.change_set`)
decides what changes; this module only says where, from the same typed inputs. The dynamic host
sends no detailed diff at all (its `DiffResult` has no such field): only the plugin uses this.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

from pydantic import BaseModel

from ..core.schema import Compare
from ..core.values import UNKNOWN
from . import fields
from .changes import ChangeSet
from .model import Props, value_at

#: A map key that a property path can name without quoting (`env.MODE`); other keys stop the path at
#: their map (a Kubernetes label `app.kubernetes.io/name` is reported as `...labels`).
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Not an input: a rollout an earlier run left unfinished (`changes.change_set`).
UNSETTLED = "revision_status"


class Kind(Enum):
    ADD = "add"
    DELETE = "delete"
    UPDATE = "update"


def _plain(value: Any) -> Any:
    """A sub-object as the map `_leaves` walks (a list is never walked: only whether it is None counts)."""
    return value.model_dump(exclude_none=True) if isinstance(value, BaseModel) else value


def kind_of(old: Any, new: Any) -> Kind:
    if old is None and new is not None:
        return Kind.ADD
    if new is None and old is not None:
        return Kind.DELETE
    return Kind.UPDATE


def _leaves(path: str, old: Any, new: Any, declared_only: bool = False) -> dict[str, Kind]:
    """The paths below `path` whose values differ; `path` itself where the values are not both maps."""
    if not (isinstance(old, Mapping) or old is None) or not isinstance(new, Mapping) or (old is None and not new):
        return {path: kind_of(old, new)}
    held = old or {}
    keys = list(new) if declared_only else sorted({*held, *new}, key=str)
    out: dict[str, Kind] = {}
    for key in keys:
        a, b = held.get(key), new.get(key)
        if a == b:
            continue
        if not _PLAIN_KEY.match(str(key)):
            return {path: kind_of(old, new)}
        out.update(_leaves(f"{path}.{key}", a, b))  # below the top, every key of either side counts
    return out or {path: kind_of(old, new)}


def changed_paths(old: Props, new: Props, change: ChangeSet) -> dict[str, tuple[Kind, bool]]:
    """Each changed path with (how it changes, whether it replaces the deployment)."""
    out: dict[str, tuple[Kind, bool]] = {}
    for replace, group in ((False, (*change.patch, *change.revision, *change.local)), (True, change.replaces)):
        for path in group:
            if path == UNSETTLED:
                out[path] = (Kind.UPDATE, replace)
                continue
            a, b = _plain(value_at(old.inputs, path)), _plain(value_at(new.inputs, path))
            f = fields.BY_PATH.get(path)
            if new.unknown_at(path):
                found = {path: kind_of(a, UNKNOWN)}  # a value not known yet is never a delete
            elif f is not None and f.compare is Compare.HASH:
                found = {path: kind_of(a, b)}
            else:
                found = _leaves(path, a, b, f is not None and f.compare is Compare.DECLARED_KEYS)
            out.update({p: (k, replace) for p, k in found.items()})
    return out
