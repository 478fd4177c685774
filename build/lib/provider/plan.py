"""Pure functions that turn inputs and server state into API payloads and diff decisions.

Each API quirk is handled by one small function with the reason next to it. Nothing here does I/O,
so all of it is unit- and property-tested without a server.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets as secrets_module
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .inputs import OWNER_ENV, UNKNOWN

JSON = dict[str, Any]

# Changing one of these needs a new deployment (docs/control-plane-api.md §4.4).
REPLACE_PATHS: tuple[str, ...] = (
    "name",
    "source",
    "source_config.deployment_type",
    "source_config.integration_id",
    "source_config.listener_id",
    "source_config.listener_config.k8s_namespace",
)
# Applied by PATCH without a revision. repo_url is PATCH-able on current servers (docs §3.1); the
# next revision, which a repo change always comes with here, builds from it.
PATCH_PATHS: tuple[str, ...] = (
    "display_name",
    "source_config.build_on_push",
    "source_config.custom_url",
    "source_config.repo_url",
)
# Each change here is rolled out as a new revision.
REVISION_PATHS: tuple[str, ...] = (
    "source_revision_config.repo_ref",
    "source_revision_config.langgraph_config_path",
    "source_revision_config.image_uri",
    "secret_references",
)
# A latest revision in one of these never reached DEPLOYED: the next `up` rolls out a new one.
FAILED_STATUSES = frozenset({"CREATE_FAILED", "BUILD_FAILED", "DEPLOY_FAILED", "INTERRUPTED"})
# Provider-side settings: stored in state, never sent to the API.
LOCAL_PATHS: tuple[str, ...] = ("adopt", "delete_tracing_project", "wait")

INPUT_KEYS: tuple[str, ...] = (
    "name",
    "display_name",
    "source",
    "source_config",
    "source_revision_config",
    "secrets",
    "secret_references",
    "adopt",
    "delete_tracing_project",
    "wait",
    "owner",
    "name_prefix",
)
OUTPUT_KEYS: tuple[str, ...] = (
    "deployment_id",
    "url",
    "latest_revision_id",
    "active_revision_id",
    "revision_status",
    "status",
    "created_at",
    "updated_at",
    "secrets_hash",
)


def get_path(data: Mapping[str, Any] | None, path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def is_unknown(value: Any) -> bool:
    if value == UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(is_unknown(v) for v in value)
    return False


def secrets_hash(secrets: Mapping[str, str] | None) -> str | None:
    """SHA-256 of the sorted JSON map: lets refresh see remote changes without storing values."""
    if secrets is None:
        return None
    canonical = json.dumps(dict(sorted(secrets.items())), separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def server_secrets(deployment: Mapping[str, Any]) -> dict[str, str]:
    """The user's env vars as the server holds them, without the provider's ownership marker."""
    items = deployment.get("secrets") or []
    return {s["name"]: s.get("value") or "" for s in items if s.get("name") != OWNER_ENV}


def owner_of(deployment: Mapping[str, Any]) -> str | None:
    for item in deployment.get("secrets") or []:
        if item.get("name") == OWNER_ENV:
            return str(item.get("value"))
    return None


def owner_token(project: str, stack: str, resource_name: str) -> str:
    """Stable per resource: a retried create recognises what it created earlier, and nothing else."""
    return hashlib.sha256(f"{project}/{stack}/{resource_name}".encode()).hexdigest()[:16]


def slug(text: str) -> str:
    """Lowercase [a-z0-9-], starting with a letter, as LangSmith names require."""
    s = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    s = re.sub(r"-{2,}", "-", s)
    if not s or not s[0].isalpha():
        s = f"d-{s}".rstrip("-")
    return s[:48].rstrip("-")


def auto_name(prefix: str) -> str:
    """Autoname = prefix + a random suffix, as Pulumi's autonaming does. A name is never reused, so
    a stack destroyed and brought up again does not collide with the tracing project the old
    deployment left behind."""
    return f"{slug(prefix)}-{secrets_module.token_hex(4)[:7]}"


def is_auto_named(props: Mapping[str, Any]) -> bool:
    return bool(props.get("name_prefix"))


def marker(news: Mapping[str, Any]) -> str | None:
    """The ownership marker this deployment carries: the resource's owner token plus its
    replace-triggering fields. A retried create recognises the deployment an earlier attempt made
    (whatever its autoname), and a replacement never mistakes the deployment it replaces for its own."""
    owner = news.get("owner")
    if not owner:
        return None
    keyed = [str(owner)] + [json.dumps(get_path(news, p), sort_keys=True) for p in REPLACE_PATHS[1:]]
    return f"{owner}-{hashlib.sha256('|'.join(keyed).encode()).hexdigest()[:8]}"


def replace_fields_changed(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    return any(_differs(get_path(olds, p), get_path(news, p)) for p in REPLACE_PATHS[1:])


# Payloads ---------------------------------------------------------------------------------------


def _prune(value: Any) -> Any:
    """Drop None recursively: the API treats omitted and null alike, and null cannot clear a field."""
    if isinstance(value, Mapping):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def secrets_payload(secrets: Mapping[str, str] | None, mark: str | None) -> list[JSON]:
    """Env list with the ownership marker; never empty, because `[]` on update means 'unchanged'."""
    items = [{"name": k, "value": v} for k, v in sorted((secrets or {}).items())]
    if mark:
        items.append({"name": OWNER_ENV, "value": mark})
    return items


def create_payload(news: Mapping[str, Any]) -> JSON:
    """POST /v2/deployments body. display_name is not accepted on create; it is PATCHed after."""
    sc = dict(news.get("source_config") or {})
    if news.get("source") == "github":
        sc.setdefault("build_on_push", False)  # some servers reject a github create without it
    body: JSON = {
        "name": news["name"],
        "source": news["source"],
        "source_config": _prune(sc),
        "source_revision_config": _prune(news.get("source_revision_config") or {}),
        "secrets": secrets_payload(news.get("secrets"), marker(news)),
    }
    if news.get("secret_references") is not None:
        body["secret_references"] = _prune(news["secret_references"])
    return body


def merged_resource_spec(declared: Mapping[str, Any] | None, current: Mapping[str, Any] | None) -> JSON | None:
    """The API replaces resource_spec whole, so unsent keys would be wiped: overlay the declared keys
    on what the server has now."""
    if declared is None:
        return None
    merged = {k: v for k, v in (current or {}).items() if v is not None}
    merged.update(_prune(declared))
    return merged


def revision_payload(news: Mapping[str, Any], current: Mapping[str, Any]) -> JSON:
    """POST /v2/deployments/{id}/revisions body: everything a revision is built from."""
    body: JSON = {"source_revision_config": _prune(news.get("source_revision_config") or {})}
    spec = merged_resource_spec(
        get_path(news, "source_config.resource_spec"), get_path(current, "source_config.resource_spec")
    )
    if spec is not None:
        body["source_config"] = {"resource_spec": spec}
    mark = marker(news)
    if news.get("secrets") is not None:
        body["secrets"] = secrets_payload(news.get("secrets"), mark)
    elif mark and owner_of(current) != mark:
        # Unmanaged env: carry the server's values forward, adding the ownership marker.
        body["secrets"] = secrets_payload(server_secrets(current), mark)
    if news.get("secret_references") is not None:
        body["secret_references"] = _prune(news["secret_references"])
    return body


def patch_payload(paths: list[str] | tuple[str, ...], news: Mapping[str, Any]) -> JSON:
    """PATCH body for the no-revision fields in `paths` (only those; other fields may trigger builds)."""
    body: JSON = {}
    for path in paths:
        value = get_path(news, path)
        if value is None:
            continue  # the API cannot clear these; removing the input leaves the last value
        if path.startswith("source_config."):
            body.setdefault("source_config", {})[path.split(".", 1)[1]] = value
        else:
            body[path] = value
    return body


# Diff -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What an update has to do; `changes` is False only when nothing at all differs."""

    replaces: tuple[str, ...] = ()
    patch: tuple[str, ...] = ()
    revision: tuple[str, ...] = ()
    local: tuple[str, ...] = ()
    delete_before_replace: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def changes(self) -> bool:
        return bool(self.replaces or self.patch or self.revision or self.local)


def _differs(old: Any, new: Any) -> bool:
    return is_unknown(new) or old != new


def spec_drift(declared: Mapping[str, Any] | None, actual: Mapping[str, Any] | None) -> bool:
    """Only keys the user set count: the server fills in defaults for the rest."""
    if declared is None:
        return False
    if is_unknown(declared):
        return True
    return any((actual or {}).get(k) != v for k, v in _prune(declared).items())


def _unsettled(status: Any, wait: Any) -> bool:
    """The latest revision failed (roll a new one), or refresh saw it still rolling out, e.g. after
    a killed run (wait for it, unless waiting is disabled): either way `up` has work to do."""
    if status in FAILED_STATUSES:
        return True
    waits = not isinstance(wait, Mapping) or wait.get("enabled", True) is not False
    return waits and status not in (None, "DEPLOYED")


def plan_update(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Plan:
    """Classify each changed input per the mutability matrix. `olds` are the previous outputs
    (inputs echoed back, with server-owned values refreshed by `read`)."""
    # An autoname is chosen by check (kept across updates, new on replacement), so only the fields
    # behind it decide a replacement.
    paths = REPLACE_PATHS[1:] if is_auto_named(news) else REPLACE_PATHS
    replaces = tuple(p for p in paths if _differs(get_path(olds, p), get_path(news, p)))
    patch = tuple(
        p for p in PATCH_PATHS if get_path(news, p) is not None and _differs(get_path(olds, p), get_path(news, p))
    )
    revision = [p for p in REVISION_PATHS if _differs(get_path(olds, p), get_path(news, p))]
    new_secrets = news.get("secrets")
    if new_secrets is not None and (is_unknown(new_secrets) or secrets_hash(new_secrets) != olds.get("secrets_hash")):
        revision.append("secrets")
    if spec_drift(get_path(news, "source_config.resource_spec"), get_path(olds, "source_config.resource_spec")):
        revision.append("source_config.resource_spec")
    if not revision and _unsettled(olds.get("revision_status"), news.get("wait")):
        revision.append("revision_status")
    local = tuple(p for p in LOCAL_PATHS if _differs(olds.get(p), news.get(p)))
    same_name = not is_auto_named(news) and not _differs(olds.get("name"), news.get("name"))
    return Plan(
        replaces=replaces,
        patch=() if replaces else patch,
        revision=() if replaces else tuple(revision),
        local=local,
        delete_before_replace=bool(replaces) and same_name,
    )


def revision_matches(news: Mapping[str, Any], deployment: Mapping[str, Any]) -> bool:
    """Whether the server's latest revision already carries what `news` asks for (used on adoption)."""
    src_new = _prune(news.get("source_revision_config") or {})
    src_cur = deployment.get("source_revision_config") or {}
    if any(src_cur.get(k) != v for k, v in src_new.items()):
        return False
    if news.get("secrets") is not None and server_secrets(deployment) != dict(news["secrets"]):
        return False
    return not spec_drift(
        get_path(news, "source_config.resource_spec"), get_path(deployment, "source_config.resource_spec")
    )
