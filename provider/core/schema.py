"""A resource field declared once, with what a change to it does (the field table's row type).

Like a Terraform schema attribute with its PlanModifiers, or pulumi-command's `replaceOnChanges`
tags, the behaviour lives on the field; each resource's `fields.py` lists its own.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

ALL: frozenset[str] = frozenset({"github", "external_docker", "internal_source"})


class Change(enum.Enum):
    """What a changed value makes `up` do."""

    REPLACE = 'replacement (the spec: "cannot be changed"; the Terraform provider marks it RequiresReplace)'
    PATCH = "PATCH in place, no revision"
    REVISION = "a new revision by `PATCH /v2/deployments/{id}`, awaited until DEPLOYED"
    STATE = "stored in state only"


class Removal(enum.Enum):
    """What removing an input from the program does (it was declared in the old inputs, is not now).
    The change set, the diff, the payloads and the pages read it from the table (issue 30)."""

    CLEARS = (
        "cleared: gone from the server after one `up` (by a replacement where the field cannot change in place; "
        "from state for a provider-side setting)"
    )
    KEEPS = "the last value is kept (the service cannot clear it): the preview shows no change"
    RESETS = "back to its documented default; the preview shows the change when the value differs"
    REFUSED = "refused at preview: it is required"


class Compare(enum.Enum):
    """How old and new values are compared."""

    VALUE = "value"
    HASH = "hash"  # secrets: state holds only the hash of the server's values
    DECLARED_KEYS = "declared keys"  # resource_spec: the server fills in the keys the user left out


_UNSET: Any = object()


@dataclass(frozen=True)
class Field:
    path: str  # the API path, dotted; also the property path in inputs and in check failures
    change: Change
    why: str  # the source of the rule, shown in the README
    drift: bool = False  # refresh reads it back from the server, so an outside change shows
    secret: bool = False
    default: Any = _UNSET  # filled in by check (shows in the preview) when unset, for `sources`
    create_default: Any = _UNSET  # sent on create only when unset, for `sources`
    sources: frozenset[str] = ALL  # the sources it applies to; set for another: refused at check
    required_for: frozenset[str] = frozenset()  # refused at check when unset for these sources
    newer_api: bool = False  # not in the official spec: never sent to a server of that shape
    compare: Compare = Compare.VALUE
    present_at: str = ""  # the property a "does not apply" failure names, when not `path`
    api: str = ""  # the API path, dotted, when it is not the property's own `path`
    removal: Removal = Removal.KEEPS  # what removing it does, for a source that does not require it
    removal_why: str = ""  # the source of the removal rule (every field says one; a test checks)
    reset: Any = _UNSET  # a RESETS field's value after removal, when it is not `default`

    def removal_for(self, source: str) -> Removal:
        """What removing it does on this source: refused where the source requires it (check says so)."""
        return Removal.REFUSED if source in self.required_for else self.removal

    @property
    def reset_value(self) -> Any:
        """The value a RESETS removal goes back to (`default`, else `reset`)."""
        return self.default if self.has_default else None if self.reset is _UNSET else self.reset

    @property
    def api_path(self) -> str:
        return self.api or self.path

    @property
    def key(self) -> str:
        """The field's key inside its parent object."""
        return self.path.rsplit(".", 1)[-1]

    @property
    def parent(self) -> str | None:
        return self.path.rsplit(".", 1)[0] if "." in self.path else None

    @property
    def has_default(self) -> bool:
        return self.default is not _UNSET

    @property
    def has_create_default(self) -> bool:
        return self.create_default is not _UNSET


def change_table(fields: tuple[Field, ...], name: Any = None) -> list[tuple[str, str]]:
    """(fields, effect) rows for the README, one per kind of change the resource has."""
    rows = []
    for change in Change:
        names = [f"`{name(f) if name else f.path}`" for f in fields if f.change is change]
        if names:
            rows.append((", ".join(names), change.value))
    return rows


def removal_table(fields: tuple[Field, ...], name: Any = None) -> list[tuple[str, str]]:
    """(fields, what removing one does) rows for the README, one per kind of removal; a field that a
    source requires is refused there (`removal_for`), which its row says."""
    rows = []
    for removal in Removal:
        names = []
        for f in fields:
            if f.removal is not removal:
                continue
            refused = sorted(f.required_for) if removal is not Removal.REFUSED else []
            names.append(f"`{name(f) if name else f.path}`" + (f" (refused: {', '.join(refused)})" if refused else ""))
        if names:
            rows.append((", ".join(names), removal.value))
    return rows
