"""A Listener's validated inputs and the pure decisions about them (diff, PATCH body).

What a change to each field does is declared in `fields.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from ..core.schema import Change, Removal
from ..core.values import JSON, K8S_NAME_RE, UNKNOWN, is_unknown
from .fields import FIELDS, OUTPUTS, paths

# The spec only says "user assigned unique ID of the compute infrastructure" (e.g. a cluster name):
# refuse what cannot be such a name (blank, whitespace), nothing more.
COMPUTE_ID_RE = re.compile(r"^\S{1,253}$")

REPLACE_FIELDS = paths(Change.REPLACE)
BY_PATH = {f.path: f for f in FIELDS}
IN_PLACE_FIELDS = (*paths(Change.PATCH), *paths(Change.STATE))
LISTENER_OUTPUTS = OUTPUTS


class ListenerInputs(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    compute_id: Annotated[str, StringConstraints(min_length=1, max_length=253)]
    k8s_namespaces: list[str] | None = None
    version: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    adopt: bool = False

    @field_validator("compute_id")
    @classmethod
    def _compute_id(cls, v: str) -> str:
        if v != UNKNOWN and not COMPUTE_ID_RE.match(v):
            raise PydanticCustomError("format", "must be the compute's name (no whitespace), e.g. the cluster name")
        return v

    @field_validator("k8s_namespaces")
    @classmethod
    def _namespaces(cls, v: list[str] | None) -> list[str] | None:
        for ns in v or []:
            if ns != UNKNOWN and not K8S_NAME_RE.match(ns):
                raise PydanticCustomError("format", "each must be a Kubernetes namespace name, got {ns!r}", {"ns": ns})
        if v is not None and len(set(v)) != len(v):
            raise PydanticCustomError("unique", "must not repeat a namespace")
        return v

    def create_body(self) -> JSON:
        body: JSON = {
            "compute_type": "k8s",
            "compute_id": self.compute_id,
            "compute_config": {"k8s_namespaces": list(self.k8s_namespaces or [])},
        }
        if self.version is not None:
            body["version"] = self.version
        return body


def listener_changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fields whose change replaces, fields changed in place). An unknown value counts as a change.
    A removal is what the field table says (`Field.removal`): KEEPS is no change (the PATCH would
    send nothing), RESETS compares the default."""

    def changed(field: str) -> bool:
        old, new = olds.get(field), news.get(field)
        if new is None:
            f = BY_PATH[field]
            if f.removal is Removal.KEEPS:
                return False
            if f.removal is Removal.RESETS:
                old, new = f.reset_value if old is None else old, f.reset_value
        return is_unknown(new) or old != new

    replaces = tuple(f for f in REPLACE_FIELDS if changed(f))
    updates = tuple(f for f in IN_PLACE_FIELDS if changed(f))
    return replaces, () if replaces else updates


def patch_body(wanted: ListenerInputs, current: Mapping[str, Any]) -> JSON:
    """Only the declared fields that differ from the server; undeclared ones stay unmanaged."""
    body: JSON = {}
    server_ns = (current.get("compute_config") or {}).get("k8s_namespaces")
    if wanted.k8s_namespaces is not None and list(wanted.k8s_namespaces) != list(server_ns or []):
        body["compute_config"] = {"k8s_namespaces": list(wanted.k8s_namespaces)}
    if wanted.version is not None and wanted.version != current.get("version"):
        body["version"] = wanted.version
    return body
