"""Pure functions that turn inputs and server state into API payloads and diff decisions.

Each API quirk is handled by one small function with the reason next to it. Nothing here does I/O,
so all of it is unit- and property-tested without a server.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import secrets as secrets_module
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.schema import Change
from ..core.statuses import DEPLOYED, failed
from ..core.values import JSON, is_unknown
from ..source_archive import SOURCE_HASH_ENV
from . import fields
from .model import OWNERSHIP_ENV

REPLACE_PATHS = fields.paths(Change.REPLACE)
PATCH_PATHS = fields.PATCH_PATHS
NEWER_API_PATHS = fields.NEWER_API_PATHS
LOCAL_PATHS = fields.STATE_PATHS
INPUT_KEYS = fields.INPUT_KEYS
OUTPUT_KEYS = fields.OUTPUTS
#: Revision fields inside source_config sent as they are (resource_spec is merged with the server's).
REVISION_SOURCE_CONFIG_PATHS = tuple(p for p in fields.REVISION_VALUE_PATHS if p.startswith("source_config."))


def get_path(data: Mapping[str, Any] | None, path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def declared(props: Mapping[str, Any] | None, path: str) -> Any:
    """The value at `path`, or the documented default the provider sends on create when it is
    unset: state written before the defaults existed then compares equal to an explicit default."""
    value = get_path(props, path)
    if value is None and props:
        value = fields.defaults(str(props.get("source"))).get(path)
    return value


def secrets_hash(secrets: Mapping[str, str] | None) -> str | None:
    """SHA-256 of the sorted JSON map: lets refresh see remote changes without storing values."""
    if secrets is None:
        return None
    canonical = json.dumps(dict(sorted(secrets.items())), separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def masked(value: Any) -> bool:
    """Some servers leave secret values out of GET answers or mask them (`****`): such a value is
    unknown, never a value to compare with or to write back."""
    return not isinstance(value, str) or (value != "" and set(value) <= {"*", "\u2022"})


def server_secrets(deployment: Mapping[str, Any]) -> dict[str, str] | None:
    """The user's env vars as the server holds them, without the provider's ownership tag;
    None when the server does not tell the values."""
    items = [s for s in deployment.get("secrets") or [] if s.get("name") not in (OWNERSHIP_ENV, SOURCE_HASH_ENV)]
    if any(masked(s.get("value")) for s in items):
        return None
    return {str(s["name"]): str(s["value"]) for s in items}


def source_hash_on(deployment: Mapping[str, Any]) -> str | None:
    """The content hash the latest internal_source PATCH carried (env `SOURCE_HASH_ENV`); None when
    absent or masked, so a rerun cannot prove the revision holds this code and uploads again."""
    for item in deployment.get("secrets") or []:
        if item.get("name") == SOURCE_HASH_ENV:
            value = item.get("value")
            return None if masked(value) else str(value)
    return None


def refreshed_source_hash(declared: Any, deployment: Mapping[str, Any]) -> Any:
    """What refresh records as `source_hash`: the hash the server's env carries, so code rolled out
    from elsewhere (`langgraph deploy`, which drops the env var) shows as a change. A server that
    masks env values cannot tell: the declared hash is assumed to hold."""
    env = deployment.get("secrets") or []
    if declared is None or any(masked(item.get("value")) for item in env):
        return declared
    return source_hash_on(deployment)


def declared_env(props: Mapping[str, Any]) -> dict[str, str] | None:
    """`env` and `secrets` together, as the API's one `secrets` list holds them; None when neither
    is declared (the environment is unmanaged)."""
    if props.get("env") is None and props.get("secrets") is None:
        return None
    return {**(props.get("env") or {}), **(props.get("secrets") or {})}


def split_env(held: Mapping[str, str], props: Mapping[str, Any]) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """The server's env split back into (`env`, `secrets`) as declared: a name declared in `env`
    is env; any other name counts as a secret when `secrets` is declared, else as env (so an
    added name shows as drift of whichever input manages the environment)."""
    env_keys = set(props.get("env") or {})
    if props.get("secrets") is None:
        return (dict(held) if props.get("env") is not None else None), None
    env = {k: v for k, v in held.items() if k in env_keys}
    return (env if props.get("env") is not None else None), {k: v for k, v in held.items() if k not in env_keys}


def ownership_tag_on(deployment: Mapping[str, Any]) -> str | None:
    """The ownership tag's value; None when absent or masked (ownership cannot be proven)."""
    for item in deployment.get("secrets") or []:
        if item.get("name") == OWNERSHIP_ENV:
            value = item.get("value")
            return None if masked(value) else str(value)
    return None


def ownership_id(project: str, stack: str, resource_name: str) -> str:
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


def ownership_tag(news: Mapping[str, Any]) -> str | None:
    """The ownership tag this deployment carries: the resource's ownership id (its `owner` input) plus its
    replace-triggering fields. A retried create recognises the deployment an earlier attempt made
    (whatever its autoname), and a replacement never mistakes the deployment it replaces for its own."""
    owner = news.get("owner")
    if not owner:
        return None
    keyed = [str(owner)] + [json.dumps(get_path(news, p), sort_keys=True) for p in fields.REPLACE_BEHIND_NAME]
    return f"{owner}-{hashlib.sha256('|'.join(keyed).encode()).hexdigest()[:8]}"


def fixed_field_clashes(news: Mapping[str, Any], deployment: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(path, server value, declared value) of each field that cannot change in place and differs
    on a deployment about to be adopted; only fields the server reports (it does not echo
    listener_config reliably)."""
    out = []
    for path in fields.REPLACE_BEHIND_NAME:
        theirs, ours = get_path(deployment, path), declared(news, path)
        if path.endswith("k8s_namespace") or theirs is None or ours is None or is_unknown(ours):
            continue
        if theirs != ours:
            out.append((path, theirs, ours))
    return out


def replace_fields_changed(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    return any(_differs(declared(olds, p), declared(news, p)) for p in fields.REPLACE_BEHIND_NAME)


# Payloads ---------------------------------------------------------------------------------------


def _prune(value: Any) -> Any:
    """Drop None recursively: the API treats omitted and null alike, and null cannot clear a field."""
    if isinstance(value, Mapping):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def secrets_payload(secrets: Mapping[str, str] | None, tag: str | None) -> list[JSON]:
    """Env list with the ownership tag; never empty, because `[]` on update means 'unchanged'."""
    items = [{"name": k, "value": v} for k, v in sorted((secrets or {}).items())]
    if tag:
        items.append({"name": OWNERSHIP_ENV, "value": tag})
    return items


def create_payload(news: Mapping[str, Any]) -> JSON:
    """POST /v2/deployments body. display_name is not accepted on create; it is PATCHed after.
    The documented defaults are filled in (`fields.create_defaults`): the
    service answers 400 to a github create without deployment_type or build_on_push, and to an
    external_docker create without resource_spec. `secrets` is required by the spec: always sent."""
    sc = dict(news.get("source_config") or {})
    source = str(news.get("source"))
    for path, default in fields.create_defaults(source).items():
        key = path.split(".", 1)[1]
        if sc.get(key) is None:
            sc[key] = copy.deepcopy(default)
    body: JSON = {
        "name": news["name"],
        "source": news["source"],
        "source_config": _prune(sc),
        "source_revision_config": _prune(news.get("source_revision_config") or {}),
        "secrets": secrets_payload(declared_env(news), ownership_tag(news)),
    }
    if source == fields.INTERNAL_SOURCE:
        # The CLI creates with an empty revision config: the revision comes with the uploaded archive.
        body["source_revision_config"] = {}
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
    """PATCH /v2/deployments/{id} body that rolls out a revision: everything a revision is built
    from (each of these fields "will trigger creation of a new revision", spec)."""
    body: JSON = {"source_revision_config": _prune(news.get("source_revision_config") or {})}
    spec = merged_resource_spec(
        get_path(news, "source_config.resource_spec"), get_path(current, "source_config.resource_spec")
    )
    if spec is not None:
        body["source_config"] = {"resource_spec": spec}
    for path in REVISION_SOURCE_CONFIG_PATHS:
        if (value := get_path(news, path)) is not None:  # the API cannot clear these: unset keeps the last
            body.setdefault("source_config", {})[path.split(".", 1)[1]] = value
    tag = ownership_tag(news)
    if (env := declared_env(news)) is not None:
        body["secrets"] = secrets_payload(env, tag)
    elif tag and ownership_tag_on(current) != tag and (carried := server_secrets(current)) is not None:
        # Unmanaged env: carry the server's values forward, adding the ownership tag. When the
        # server masks the values, `secrets` is left out (the env is kept as it is) and the ownership tag
        # cannot be added without destroying them.
        body["secrets"] = secrets_payload(carried, tag)
    if news.get("secret_references") is not None:
        body["secret_references"] = _prune(news["secret_references"])
    return body


def internal_source_payload(
    news: Mapping[str, Any], current: Mapping[str, Any], object_path: str, config_path: str
) -> JSON:
    """The PATCH that rolls out an uploaded archive (`host_backend.update_deployment_internal_source`).
    Secrets are always sent: they carry the content hash a rerun checks (`source_hash_on`)."""
    body = revision_payload(news, current)
    body["revision_source"] = fields.INTERNAL_SOURCE
    body["source_revision_config"] = {"source_tarball_path": object_path, "langgraph_config_path": config_path}
    declared_env = news.get("secrets")
    if declared_env is None:
        declared_env = server_secrets(current) or {}
    items = [i for i in secrets_payload(declared_env, ownership_tag(news)) if i["name"] != SOURCE_HASH_ENV]
    body["secrets"] = [*items, {"name": SOURCE_HASH_ENV, "value": str(news["source_hash"])}]
    return body


def without_newer_api(paths: tuple[str, ...], shape: str) -> tuple[str, ...]:
    """The PATCH fields a server of this API shape understands."""
    return paths if shape == "current" else tuple(p for p in paths if p not in NEWER_API_PATHS)


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
class ChangeSet:
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
    a killed run, INTERRUPTED and UNKNOWN included (wait for it, unless waiting is disabled): either
    way `up` has work to do. None (not known, e.g. a pruned revision) is not work."""
    if failed(status):
        return True
    waits = not isinstance(wait, Mapping) or wait.get("enabled", True) is not False
    return waits and status not in (None, DEPLOYED)


def change_set(olds: Mapping[str, Any], news: Mapping[str, Any]) -> ChangeSet:
    """Classify each changed input per the mutability matrix. `olds` are the previous outputs
    (inputs echoed back, with server-owned values refreshed by `read`)."""
    # An autoname is chosen by check (kept across updates, new on replacement), so only the fields
    # behind it decide a replacement.
    paths = fields.REPLACE_BEHIND_NAME if is_auto_named(news) else REPLACE_PATHS
    replaces = tuple(p for p in paths if _differs(declared(olds, p), declared(news, p)))
    patch = tuple(
        p for p in PATCH_PATHS if get_path(news, p) is not None and _differs(declared(olds, p), declared(news, p))
    )
    revision = [
        p
        for p in fields.REVISION_VALUE_PATHS
        if _differs(get_path(olds, p), get_path(news, p))
        and not (p in REVISION_SOURCE_CONFIG_PATHS and get_path(news, p) is None)  # unset: keeps the last
    ]
    new_secrets = news.get("secrets")
    old_hash = olds.get("secrets_hash")
    if new_secrets is not None and (is_unknown(new_secrets) or secrets_hash(new_secrets) != old_hash):
        revision.append("secrets")
    if spec_drift(get_path(news, "source_config.resource_spec"), get_path(olds, "source_config.resource_spec")):
        revision.append("source_config.resource_spec")
    if not revision and _unsettled(olds.get("revision_status"), news.get("wait")):
        revision.append("revision_status")
    local = tuple(p for p in LOCAL_PATHS if _differs(olds.get(p), news.get(p)))
    same_name = not is_auto_named(news) and not _differs(olds.get("name"), news.get("name"))
    return ChangeSet(
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
    if (env := declared_env(news)) is not None and server_secrets(deployment) != env:
        return False  # differs, or masked: not known to match
    if news.get("source") == fields.INTERNAL_SOURCE and source_hash_on(deployment) != news.get("source_hash"):
        return False  # the latest revision was built from other files (or none was uploaded yet)
    return not spec_drift(
        get_path(news, "source_config.resource_spec"), get_path(deployment, "source_config.resource_spec")
    )
