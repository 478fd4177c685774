"""Pure functions from the typed inputs (`model.Props`) and the server's answers to API payloads and
diff decisions.

Each API concept is computed in exactly one function, which every source uses:
- the env list (`env`, `secrets`, the ownership tag, the source hash, masked servers): `env_list`;
- the create body: `create_body`; the revision body, per source: `revision_body`; the PATCH body of
  the fields that roll out nothing: `patch_body`;
- the revision to wait for after a PATCH: `revision_after_patch`;
- what an update has to do: `change_set`.
Nothing here does I/O or reads a raw input dict, so all of it is unit- and property-tested without a
server.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import secrets as secrets_module
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.schema import Change, Compare, Field, Removal
from ..core.statuses import DEPLOYED, failed
from ..core.values import JSON
from ..source_archive import SOURCE_HASH_ENV
from . import fields
from .model import OWNERSHIP_ENV, DeploymentInputs, Props, WaitOptions, value_at

REPLACE_PATHS = fields.paths(Change.REPLACE)
PATCH_PATHS = fields.PATCH_PATHS
NEWER_API_PATHS = fields.NEWER_API_PATHS
LOCAL_PATHS = fields.STATE_PATHS
INPUT_KEYS = fields.INPUT_KEYS
OUTPUT_KEYS = fields.OUTPUTS
#: Revision fields inside source_config sent as they are (resource_spec is merged with the server's).
REVISION_SOURCE_CONFIG_PATHS = tuple(p for p in fields.REVISION_VALUE_PATHS if p.startswith("source_config."))


def server_value(deployment: Mapping[str, Any] | None, f: Field) -> Any:
    """The server's value of a field (a deployment as the API answers it), None when absent."""
    node: Any = deployment
    for part in f.path.split(".")[:-1]:
        node = node.get(part) if isinstance(node, Mapping) else None
    return node.get(f.key) if isinstance(node, Mapping) else None


def secrets_hash(secrets: Mapping[str, str] | None) -> str | None:
    """SHA-256 of the sorted JSON map: lets refresh see remote changes without storing values."""
    if secrets is None:
        return None
    canonical = json.dumps(dict(sorted(secrets.items())), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def masked(value: Any) -> bool:
    """Some servers leave secret values out of GET answers or mask them (`****`): such a value is
    unknown, never a value to compare with or to write back."""
    return not isinstance(value, str) or (value != "" and set(value) <= {"*", "\u2022"})


def _provider_env(deployment: Mapping[str, Any], name: str) -> str | None:
    """The value of an env var the provider itself writes; None when absent or masked."""
    for item in deployment.get("secrets") or []:
        if item.get("name") == name:
            value = item.get("value")
            return None if masked(value) else str(value)
    return None


def server_secrets(deployment: Mapping[str, Any]) -> dict[str, str] | None:
    """The user's env vars as the server holds them, without the provider's own two; None when the
    server does not tell the values."""
    items = [s for s in deployment.get("secrets") or [] if s.get("name") not in (OWNERSHIP_ENV, SOURCE_HASH_ENV)]
    if any(masked(s.get("value")) for s in items):
        return None
    return {str(s["name"]): str(s["value"]) for s in items}


def source_hash_on(deployment: Mapping[str, Any]) -> str | None:
    """The content hash the latest internal_source PATCH carried (env `SOURCE_HASH_ENV`); None when
    absent or masked, so a rerun cannot prove the revision holds this code and uploads again."""
    return _provider_env(deployment, SOURCE_HASH_ENV)


def ownership_tag_on(deployment: Mapping[str, Any]) -> str | None:
    """The ownership tag's value; None when absent or masked (ownership cannot be proven)."""
    return _provider_env(deployment, OWNERSHIP_ENV)


def refreshed_source_hash(declared: str | None, deployment: Mapping[str, Any]) -> str | None:
    """What refresh records as `source_hash`: the hash the server's env carries, so code rolled out
    from elsewhere (`langgraph deploy`, which drops the env var) shows as a change. A server that
    masks env values cannot tell: the declared hash is assumed to hold."""
    env = deployment.get("secrets") or []
    if declared is None or any(masked(item.get("value")) for item in env):
        return declared
    return source_hash_on(deployment)


def declared_env(d: DeploymentInputs) -> dict[str, str] | None:
    """`env` and `secrets` together, as the API's one `secrets` list holds them; None when neither
    is declared (the environment is unmanaged)."""
    if d.env is None and d.secrets is None:
        return None
    return {**(d.env or {}), **(d.secrets or {})}


def split_env(held: Mapping[str, str], d: DeploymentInputs) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """The server's values of the names `d` declares, as (`env`, `secrets`): what refresh mirrors, so
    drift of a declared value shows, and `ignoreChanges` (which copies the old inputs into the new)
    keeps the server's value. A declared name the server lacks is left out (drift too). A name neither
    input declares (set in the UI) is in neither: it is unmanaged, never stored (it could be a
    secret, and `env` is plain text in state), and carried forward by every revision (`env_list`)."""
    env = None if d.env is None else {k: held[k] for k in d.env if k in held}
    secrets = None if d.secrets is None else {k: held[k] for k in d.secrets if k in held}
    return env, secrets


def unmanaged_env(deployment: Mapping[str, Any], d: DeploymentInputs, gone: Removed) -> dict[str, str]:
    """The server's env vars that neither input of `d` declares, nor the last `up` declared (`gone`:
    taken out of the program now, so they go); {} when the server masks its values."""
    held = server_secrets(deployment) or {}
    declared = declared_env(d) or {}
    return {k: v for k, v in held.items() if k not in declared and k not in gone.env_names}


def declared_from_server(deployment: Mapping[str, Any]) -> JSON:
    """The inputs that declare exactly what the server holds (`pulumi import`): every field of the
    table that applies to the deployment's source and has a value there, and its env as `secrets`
    (the API's name; their values are secrets). A program written from them previews no change."""
    source = str(deployment.get("source"))
    out: JSON = {"name": deployment.get("name"), "source": source}
    for f in fields.FIELDS:
        if f.change is Change.STATE or f.api or f.path in out or source not in f.sources:
            continue
        value = server_value(deployment, f)
        if value is None or value == {} or f.compare is Compare.HASH:
            continue
        node = out
        for part in f.path.split(".")[:-1]:
            node = node.setdefault(part, {})
        node[f.key] = copy.deepcopy(value)
    held = server_secrets(deployment)
    if held:
        out["secrets"] = held
    return out


# Ownership ---------------------------------------------------------------------------------------

#: What `pulumi.get_organization()` answers on a backend without organizations (file, S3, ...).
NO_ORGANIZATION = ("", "organization")


def ownership_id(project: str, stack: str, resource_name: str, organization: str | None = None) -> str:
    """Stable per resource: a retried create recognises what it created earlier, and nothing else.
    The Pulumi organization is part of it (two organizations may both have an `agents/dev` stack);
    on a backend without organizations it is left out, so the tags written before it counted hold."""
    scope = f"{project}/{stack}/{resource_name}"
    if organization and organization not in NO_ORGANIZATION:
        scope = f"{organization}/{scope}"
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


def slug(text: str) -> str:
    """Lowercase [a-z0-9-], starting with a letter (autonames keep the stricter rule every server takes)."""
    s = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    s = re.sub(r"-{2,}", "-", s)
    if not s or not s[0].isalpha():
        s = f"d-{s}".rstrip("-")
    return s[:48].rstrip("-")


def auto_name(prefix: str, seed: bytes | None = None) -> str:
    """Autoname = prefix + a random suffix, as Pulumi's autonaming does. A name is never reused, so
    a stack destroyed and brought up again does not collide with the tracing project the old
    deployment left behind. A provider plugin gets the engine's `random_seed`, random per run unless an
    update plan (`pulumi up --plan`) pins it, so a planned preview and its `up` show one name; the caller
    mixes the replaced name into it, so a replacement's name differs."""
    suffix = hashlib.sha256(seed).hexdigest() if seed else secrets_module.token_hex(4)
    return f"{slug(prefix)}-{suffix[:7]}"


def is_auto_named(d: DeploymentInputs) -> bool:
    return bool(d.name_prefix)


def ownership_tag(d: DeploymentInputs) -> str | None:
    """The ownership tag this deployment carries: the resource's ownership id (its `owner` input) plus its
    replace-triggering fields. A retried create recognises the deployment an earlier attempt made
    (whatever its autoname), and a replacement never mistakes the deployment it replaces for its own."""
    if not d.owner:
        return None
    keyed = [d.owner] + [json.dumps(value_at(d, p)) for p in fields.REPLACE_BEHIND_NAME]  # scalars
    return f"{d.owner}-{hashlib.sha256('|'.join(keyed).encode()).hexdigest()[:8]}"


def fixed_field_clashes(d: DeploymentInputs, deployment: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(path, server value, declared value) of each field that cannot change in place and differs
    on a deployment about to be adopted; only fields the server reports (it does not echo
    listener_config reliably)."""
    out = []
    for path in fields.REPLACE_BEHIND_NAME:
        theirs, ours = server_value(deployment, fields.BY_PATH[path]), value_at(d, path)
        if path.endswith("k8s_namespace") or theirs is None or ours is None:
            continue
        if theirs != ours:
            out.append((path, theirs, ours))
    return out


def _differs(old: Props, new: Props, path: str) -> bool:
    return new.unknown_at(path) or value_at(old.inputs, path) != value_at(new.inputs, path)


def replace_fields_changed(old: Props, new: Props) -> bool:
    return any(_differs(old, new, p) for p in fields.REPLACE_BEHIND_NAME)


# Payloads ---------------------------------------------------------------------------------------


def _prune(value: Any) -> Any:
    """Drop None recursively: the API treats omitted and null alike, and null cannot clear a field."""
    if isinstance(value, Mapping):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _dump(value: Any) -> Any:
    """A model part (or a list of them) as the API takes it: only what was declared, never a null."""
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value.model_dump(exclude_none=True)


@dataclass(frozen=True)
class Removed:
    """What an update takes off the server: the inputs the old inputs declared and the new ones do
    not, whose removal CLEARS (`Field.removal`), and the env names the old `env`/`secrets` declared
    that the new ones do not. Only the change set knows the old inputs, so it makes this."""

    paths: tuple[str, ...] = ()
    env_names: frozenset[str] = frozenset()


NOTHING_REMOVED = Removed()


def removed(old: Props, new: Props) -> Removed:
    """The removals of `new` against `old` that clear something on the server (from the table)."""
    paths = tuple(p for p in _API_PATHS if _removed(old, new, p) and _removal(new, p) is Removal.CLEARS)
    gone: frozenset[str] = frozenset()
    if not any(new.unknown_at(p) for p in fields.ENV_INPUTS):  # a name removed from either input goes
        gone = frozenset(declared_env(old.inputs) or {}) - set(declared_env(new.inputs) or {})
    return Removed(paths, gone)


def env_list(
    d: DeploymentInputs, current: Mapping[str, Any] | None = None, gone: Removed = NOTHING_REMOVED
) -> list[JSON] | None:
    """The API's one `secrets` list, for every request of every source; None: leave `secrets` out
    (the server keeps the env it has, since an absent list, and `[]`, mean 'unchanged' on PATCH:
    control-plane-api.md 6, the emulator).

    - `env` and `secrets` are sent together (LangChain's Terraform provider's `secretsPayload`).
    - The ownership tag is always added; a `source_dir` revision adds the content hash of its code,
      which a rerun checks (`source_hash_on`). Neither is sent on create (`current` None): the spec
      requires the list there, and the hash comes with the first revision.
    - The names neither input declares (set in the UI) are carried forward beside the declared ones
      (`unmanaged_env`), so that a revision never wipes them.
    - An unmanaged env is carried forward from the server when the provider has something to add or
      to take away: the names `gone` (declared before, removed from the program now) are left out,
      and since the tag is in the list it is never the `[]` that would change nothing. When the
      server masks its values nothing is sent, so nothing is wiped.
    """
    tag = ownership_tag(d)
    code = d.source_hash if d.source == fields.INTERNAL_SOURCE and current is not None else None
    env = declared_env(d)
    if env is not None and current is not None:  # the names set outside the program stay (`split_env`)
        env = {**unmanaged_env(current, d, gone), **env}
    if env is None and current is not None:
        held = server_secrets(current)
        if held is None:
            return None  # masked: sending would wipe values the provider cannot see
        env = {k: v for k, v in held.items() if k not in gone.env_names}
        if (
            env == held
            and (not tag or ownership_tag_on(current) == tag)
            and (code is None or source_hash_on(current) == code)
        ):
            return None  # nothing to add or take away: the env stays as it is
    items: list[JSON] = [{"name": k, "value": v} for k, v in sorted((env or {}).items())]
    if tag:
        items.append({"name": OWNERSHIP_ENV, "value": tag})
    if code:
        items.append({"name": SOURCE_HASH_ENV, "value": code})
    return items


def create_body(d: DeploymentInputs) -> JSON:
    """POST /v2/deployments body. display_name is not accepted on create; it is PATCHed after.
    The documented defaults are filled in (`fields.create_defaults`): the service answers 400 to a
    github create without deployment_type or build_on_push, and to an external_docker create
    without resource_spec. `secrets` is required by the spec: always sent."""
    sc = _dump(d.source_config)
    for path, default in fields.create_defaults(d.source).items():
        key = fields.BY_PATH[path].key
        if sc.get(key) is None:
            sc[key] = copy.deepcopy(default)
    body: JSON = {
        "name": d.name,
        "source": d.source,
        "source_config": sc,
        # The CLI creates a source_dir deployment with an empty revision config: the revision comes
        # with the uploaded archive.
        "source_revision_config": {} if d.source == fields.INTERNAL_SOURCE else _dump(d.source_revision_config),
        "secrets": env_list(d),
    }
    if d.secret_references is not None:
        body["secret_references"] = _dump(d.secret_references)
    return body


def merged_resource_spec(declared: Mapping[str, Any] | None, current: Mapping[str, Any] | None) -> JSON | None:
    """The API replaces resource_spec whole, so unsent keys would be wiped: overlay the declared keys
    on what the server has now."""
    if declared is None:
        return None
    merged = {k: v for k, v in (current or {}).items() if v is not None}
    merged.update(_prune(declared))
    return merged


@dataclass(frozen=True)
class Uploaded:
    """A `source_dir` archive stored by a 2xx PUT: what its revision PATCH names."""

    object_path: str
    config_path: str


def revision_body(
    d: DeploymentInputs, current: Mapping[str, Any], uploaded: Uploaded | None = None, gone: Removed = NOTHING_REMOVED
) -> JSON:
    """PATCH /v2/deployments/{id} body that rolls out a revision: everything a revision is built
    from (each of these fields "will trigger creation of a new revision", spec). A `source_dir`
    revision names its uploaded archive (`host_backend.update_deployment_internal_source`). What
    `gone` removes is sent as the API clears it: the env list without those names, and
    `secret_references: []`."""
    if d.source == fields.INTERNAL_SOURCE:
        if uploaded is None:
            raise ValueError("a source_dir revision needs its uploaded archive")
        body: JSON = {
            "revision_source": fields.INTERNAL_SOURCE,
            "source_revision_config": {
                "source_tarball_path": uploaded.object_path,
                "langgraph_config_path": uploaded.config_path,
            },
        }
    else:
        body = {"source_revision_config": _dump(d.source_revision_config)}
    spec = merged_resource_spec(_spec(d), server_value(current, fields.BY_PATH["source_config.resource_spec"]))
    if spec is not None:
        body["source_config"] = {"resource_spec": spec}
    for path in REVISION_SOURCE_CONFIG_PATHS:
        if (value := value_at(d, path)) is not None:  # the API cannot clear these: unset keeps the last
            body.setdefault("source_config", {})[fields.BY_PATH[path].key] = value
    if (env := env_list(d, current, gone)) is not None:
        body["secrets"] = env
    if d.secret_references is not None:
        body["secret_references"] = _dump(d.secret_references)
    elif "secret_references" in gone.paths:
        body["secret_references"] = []  # the API: `[]` removes all, omission keeps the previous
    return body


def without_newer_api(paths: tuple[str, ...], shape: str) -> tuple[str, ...]:
    """The PATCH fields a server of this API shape understands."""
    return paths if shape == "current" else tuple(p for p in paths if p not in NEWER_API_PATHS)


def patch_body(paths: Iterable[str], d: DeploymentInputs) -> JSON:
    """PATCH body for the no-revision fields in `paths` (only those; other fields may trigger builds)."""
    body: JSON = {}
    for path in paths:
        value = value_at(d, path)
        if value is None:
            continue  # the API cannot clear these; removing the input leaves the last value
        f = fields.BY_PATH[path]
        if f.parent:
            body.setdefault(f.parent, {})[f.key] = value
        else:
            body[path] = value
    return body


def patch_alone(paths: tuple[str, ...], rolls_out: bool) -> tuple[str, ...]:
    """The no-revision fields an update sends in a PATCH of their own: all of them when no revision
    goes out, none when one does (they ride in its PATCH, `revision_patch`). Never two PATCHes in a
    row for one update: the service checks a rule between fields against the stored values merged
    with one request's (tag + `build_on_push`), so each order of two requests has a change it
    refuses (plain first: a tag -> a branch with build_on_push on; revision first: the way back)."""
    return () if rolls_out else paths


def revision_patch(revision: JSON, paths: Iterable[str], d: DeploymentInputs) -> JSON:
    """The revision's PATCH body with the no-revision fields of `paths` in it, as the official example
    sends `source_config.build_on_push` with `source_revision_config` in one PATCH (the docs' control
    plane example script, langchain-ai/docs `api-ref-control-plane.mdx`; control-plane-api.md 4.2).
    The service validates the merged result of the one request: the spec's `SourceConfig.build_on_push`
    "Cannot be enabled when `source_revision_config.repo_ref` specifies a tag". These fields make no
    revision of their own, so the body still makes exactly one."""
    body = copy.deepcopy(revision)
    for key, value in patch_body(paths, d).items():
        held = body.get(key)
        body[key] = {**held, **value} if isinstance(held, Mapping) and isinstance(value, Mapping) else value
    return body


def revision_after_patch(before: str | None, *latest: Any) -> str | None:
    """The revision a revision PATCH created: the first `latest_revision_id` seen (in the PATCH's
    answer, a GET of the deployment, the newest of its revisions listed, as the vendor's example
    script and `langgraph deploy` read it) that is not the one before the PATCH. None: not visible
    yet, and never the old revision, whose DEPLOYED status would end the wait on a rollout that
    did not happen."""
    for seen in latest:
        if seen and str(seen) != str(before):
            return str(seen)
    return None


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
    removed: Removed = NOTHING_REMOVED  # what the revision takes off the server (`removed`)

    @property
    def changes(self) -> bool:
        return bool(self.replaces or self.patch or self.revision or self.local)


def spec_drift(declared: Mapping[str, Any] | None, actual: Mapping[str, Any] | None) -> bool:
    """Only keys the user set count: the server fills in defaults for the rest. A null inside the
    server's value (a container's unset `imagePullPolicy`) is an unset key, as in the declared one."""
    if declared is None:
        return False
    return any(_prune((actual or {}).get(k)) != v for k, v in _prune(declared).items())


def _spec(d: DeploymentInputs) -> JSON | None:
    spec = d.source_config.resource_spec
    return None if spec is None else _dump(spec)


def _unsettled(status: str | None, wait: WaitOptions) -> bool:
    """The latest revision failed (roll a new one), or refresh saw it still rolling out, e.g. after
    a killed run, INTERRUPTED and UNKNOWN included (wait for it, unless waiting is disabled): either
    way `up` has work to do. None (not known, e.g. a pruned revision) is not work."""
    if failed(status):
        return True
    return wait.enabled and status not in (None, DEPLOYED)


#: What state holds of a `source_dir` besides its hash (the directory, the archive's counts).
CODE_PATHS = tuple(f.path for f in fields.FIELDS if f.change is Change.STATE and f.sources == {fields.INTERNAL_SOURCE})


def _code_first_seen(old: Props, new: Props, path: str) -> bool:
    """An imported internal_source deployment's state holds the server's hash and no `source_dir`
    (`pulumi import` cannot know the directory): the program's directory whose files hash to it is
    no change."""
    return path in CODE_PATHS and old.inputs.source_dir is None and not _differs(old, new, "source_hash")


#: The fields the server holds (a removal there may clear something), in table order.
_API_PATHS = tuple(f.path for f in fields.FIELDS if f.change is not Change.STATE)


def _removed(old: Props, new: Props, path: str) -> bool:
    """Declared in the old inputs, not in the new (and not merely unknown yet)."""
    return value_at(new.inputs, path) is None and not new.unknown_at(path) and value_at(old.inputs, path) is not None


def _removal(new: Props, path: str) -> Removal:
    return fields.BY_PATH[path].removal_for(new.inputs.source)


def _kept(old: Props, new: Props, path: str) -> bool:
    """A removal the service cannot carry out (`Removal.KEEPS`): no change, the last value stays."""
    return _removed(old, new, path) and _removal(new, path) is Removal.KEEPS


def change_set(old: Props, new: Props) -> ChangeSet:
    """Classify each changed input per the mutability matrix. `old` holds the previous outputs
    (inputs echoed back, with server-owned values refreshed by `read`)."""
    # An autoname is chosen by check (kept across updates, new on replacement), so only the fields
    # behind it decide a replacement.
    d = new.inputs
    paths = fields.REPLACE_BEHIND_NAME if is_auto_named(d) else REPLACE_PATHS
    replaces = tuple(p for p in paths if _differs(old, new, p))
    # A removal does what the field table says (`Field.removal`): KEEPS is no change at all.
    patch = tuple(p for p in PATCH_PATHS if _differs(old, new, p) and not _kept(old, new, p))
    revision = [p for p in fields.REVISION_VALUE_PATHS if _differs(old, new, p) and not _kept(old, new, p)]
    gone = removed(old, new)
    if (
        new.unknown_at("secrets")
        or (d.secrets is not None and secrets_hash(d.secrets) != old.outputs.secrets_hash)
        or "secrets" in gone.paths
    ):
        revision.append("secrets")
    if new.unknown_at("source_config.resource_spec") or spec_drift(_spec(d), _spec(old.inputs)):
        revision.append("source_config.resource_spec")
    if not revision and _unsettled(old.outputs.revision_status, d.wait):
        revision.append("revision_status")
    local = tuple(p for p in LOCAL_PATHS if _differs(old, new, p) and not _code_first_seen(old, new, p))
    same_name = not is_auto_named(d) and not _differs(old, new, "name")
    return ChangeSet(
        replaces=replaces,
        patch=() if replaces else patch,
        revision=() if replaces else tuple(revision),
        local=local,
        delete_before_replace=bool(replaces) and same_name,
        removed=NOTHING_REMOVED if replaces else gone,
    )


def revision_matches(d: DeploymentInputs, deployment: Mapping[str, Any], gone: Removed = NOTHING_REMOVED) -> bool:
    """Whether the server's latest revision already carries what `d` asks for (used on adoption and
    to resume a rollout an interrupted run started): every field of the table that rolls out a
    revision and applies to the source, compared as the table says, and nothing `gone` removes
    still there. Unknown (masked) counts as not matching, so a doubt rolls out a revision rather
    than report an old one as this one."""
    revision_fields = (f for f in fields.FIELDS if f.change is Change.REVISION and d.source in f.sources)
    return all(_revision_field_matches(d, deployment, f, gone) for f in revision_fields)


def _revision_field_matches(d: DeploymentInputs, deployment: Mapping[str, Any], f: Field, gone: Removed) -> bool:
    if f.path == "source_hash":
        return source_hash_on(deployment) == d.source_hash  # the files the latest revision was built from
    if f.api == "secrets" or f.compare is Compare.HASH:  # env and secrets: the API's one list
        env = declared_env(d)
        held = server_secrets(deployment)
        if held is None:  # masked: nothing is proven
            return env is None and not gone.env_names
        # The declared names as declared, none of the names just removed; any other name is unmanaged.
        return all(held.get(k) == v for k, v in (env or {}).items()) and not gone.env_names & set(held)
    declared = value_at(d, f.path)
    if declared is None:
        # not declared: whatever the server holds, unless its removal clears it
        return f.path not in gone.paths or not server_value(deployment, f)
    if f.compare is Compare.DECLARED_KEYS:
        return not spec_drift(_spec(d), server_value(deployment, f))
    held = server_value(deployment, f)
    return bool(_prune(_plain(declared)) == _prune(held))


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.model_dump(exclude_none=True) if hasattr(value, "model_dump") else value
