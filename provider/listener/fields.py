"""The Listener's fields, each declared once (see `core.schema`); the diff and refresh come from it.

Mutability from the spec: `compute_type` and `compute_id` "cannot be changed once the listener is
created" (so a change replaces it); `version` and `compute_config` are PATCHable (ListenerPatchRequest).
"""

from __future__ import annotations

from ..core.schema import Change, Field, Removal

_PATCH = "the spec's ListenerPatchRequest"
#: ListenerPatchRequest's fields are optional and null (or absent) means no change: the listener
#: keeps what it has, and an undeclared field stays unmanaged (as README's Listener table says).
_KEEPS = "the spec's ListenerPatchRequest: an absent or null field is not changed; undeclared means unmanaged"

FIELDS: tuple[Field, ...] = (
    Field(
        "compute_id",
        Change.REPLACE,
        'the spec: "cannot be changed once the listener is created"',
        removal=Removal.REFUSED,
        removal_why="required (the spec's ListenerCreateRequest)",
    ),
    Field(
        "k8s_namespaces",
        Change.PATCH,
        _PATCH,
        drift=True,
        api="compute_config.k8s_namespaces",
        removal=Removal.KEEPS,
        removal_why=_KEEPS,
    ),
    Field("version", Change.PATCH, _PATCH, drift=True, removal=Removal.KEEPS, removal_why=_KEEPS),
    Field(
        "adopt",
        Change.STATE,
        "provider-side setting",
        removal=Removal.RESETS,
        removal_why="a provider-side setting: its model default",
        reset=False,
    ),
)


def paths(change: Change) -> tuple[str, ...]:
    return tuple(f.path for f in FIELDS if f.change is change)


#: The server-owned outputs, in the order state holds them, each with what it is (the schema, the
#: generated SDKs and docs/resources/listener.md show it).
OUTPUT_DOCS: dict[str, str] = {
    "listener_id": "The listener's UUID (also the resource's id); a self-hosted Deployment's `listener_id`.",
    "compute_type": "The compute type the control plane registered (`k8s`).",
    "server_k8s_namespaces": "The namespaces the control plane holds for the listener.",
    "server_version": "The listener version the control plane holds.",
    "created_at": "When the listener was created (server time).",
    "updated_at": "When the listener last changed (server time).",
}
OUTPUTS: tuple[str, ...] = tuple(OUTPUT_DOCS)
