"""The validated shape of a Deployment's inputs (what `check` accepts).

pydantic does the type and bound checks; the rules the API enforces per source live in
`rule_failures`. Every rule reports the property path it is about, so `check` can
return one `CheckFailure` per bad property before anything is written.
"""

from __future__ import annotations

import copy
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..core import operation, redact
from ..core.values import JSON, K8S_NAME_RE, UNKNOWN, UUID_RE, is_unknown, unknown_at
from ..core.waiter import Polling
from ..source_archive import SOURCE_HASH_ENV
from .fields import FIELDS, INPUT_KEYS, OUTPUTS, SOURCES, defaults

OWNERSHIP_ENV = "PULUMI_LANGSMITH_OWNER"
"""Env var the provider writes into every deployment it creates: proof of ownership for adoption."""

# Env var names the control plane manages itself, per langgraph-cli 0.4.40 `RESERVED_ENV_VARS`:
# its "LANGCHAIN_RESERVED_ENV_VARS from host-backend" group is reserved everywhere, its
# "ALLOWED_SELF_HOSTED_ENV_VARS (rejected for non-self-hosted)" group only outside self-hosted
# (`external_docker`) deployments.
_RESERVED_EVERYWHERE = frozenset(
    """LANGCHAIN_TRACING_V2 LANGSMITH_TRACING_V2 LANGCHAIN_ENDPOINT LANGCHAIN_PROJECT LANGSMITH_PROJECT
    LANGSMITH_LANGGRAPH_GIT_REPO LANGGRAPH_GIT_REPO_PATH LANGCHAIN_API_KEY LANGSMITH_CONTROL_PLANE_API_KEY
    POSTGRES_URI POSTGRES_PASSWORD DATABASE_URI LANGSMITH_LANGGRAPH_GIT_REF LANGSMITH_LANGGRAPH_GIT_REF_SHA
    LANGGRAPH_AUTH_TYPE LANGSMITH_AUTH_ENDPOINT LANGSMITH_TENANT_ID LANGSMITH_AUTH_VERIFY_TENANT_ID
    LANGSMITH_HOST_PROJECT_ID LANGSMITH_HOST_PROJECT_NAME LANGSMITH_HOST_REVISION_ID LOG_JSON
    LOG_DICT_TRACEBACKS REDIS_URI LANGCHAIN_CALLBACKS_BACKGROUND DD_TRACE_PSYCOPG_ENABLED
    DD_TRACE_REDIS_ENABLED LANGSMITH_DEPLOYMENT_NAME LANGGRAPH_CLOUD_LICENSE_KEY""".split()
)
_ALLOWED_SELF_HOSTED = frozenset(
    """LANGSMITH_API_KEY LANGSMITH_ENDPOINT POSTGRES_URI_CUSTOM REDIS_URI_CUSTOM PATH PORT MOUNT_PREFIX
    LSD_ENV LSD_DD_API_KEY LSD_DD_ENDPOINT LSD_DEPLOYMENT_TYPE""".split()
)
SELF_HOSTED_SOURCES = frozenset({"external_docker"})


def reserved_env(source: str) -> frozenset[str]:
    """Env var names the control plane refuses for a deployment of this source."""
    return _RESERVED_EVERYWHERE if source in SELF_HOSTED_SOURCES else _RESERVED_EVERYWHERE | _ALLOWED_SELF_HOSTED


# LangChain's Terraform provider's list; the spec's enum holds the first three.
DEPLOYMENT_TYPES = ("dev_free", "dev", "prod", "dev_zero", "dev_free_zero")
# langgraph-cli's --deployment-type names, which it maps before calling the API.
CLI_DEPLOYMENT_TYPES = {"serverless": "dev_zero", "dedicated": "prod"}

# What every source agrees on: langgraph-cli 0.4.40 `normalize_name` ("names only allow lowercase
# alphanumeric characters and hyphens"), a DNS label (at most 63, no hyphen at either end). A leading
# digit is allowed: `normalize_name` makes names like `2024-agent`, and only a third-party live
# experiment saw one refused (the local control plane keeps that stricter rule, emulator/README.md).
NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$")
SOURCE_HASH = re.compile(r"^[0-9a-f]{64}$")  # what `SourceArchive.content_hash` is: SHA-256, hex

NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=2048)]


def _invalid(kind: str, message: str) -> PydanticCustomError:
    """A validation error whose message is `message` as it is: pydantic formats a template with
    its context, so a value holding braces must come in through the context."""
    return PydanticCustomError(kind, "{message}", {"message": message})


def _check(pattern: re.Pattern[str], value: str, what: str) -> str:
    if value != UNKNOWN and not pattern.match(value):
        raise _invalid("format", f"{what}, got {value!r}")
    return value


Uuid = Annotated[str, StringConstraints(min_length=1)]


def _integral(value: Any) -> Any:
    """Pulumi sends every number as a float (protobuf Struct), so 2.0 must count as the integer 2."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _one_decimal(value: Any) -> Any:
    """The service rounds CPU values to 1 decimal place (spec), so 0.25 would come back as 0.2 and
    differ from the program on every run: refuse it rather than guess the rounding."""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value * 10 - round(value * 10)) > 1e-9:
        raise PydanticCustomError(
            "cpu_precision",
            "{value} has more than 1 decimal place; the control plane rounds CPU to 1 decimal",
            {"value": value},
        )
    return value


# The spec's ResourceSpec states CPU bounds (0.1..8, limits 0.1..16) and nothing for replica counts,
# memory, storage or the database's CPU: those are only refused below zero (a count or a size), and
# the server decides the rest.
Cpu = Annotated[float, BeforeValidator(_one_decimal), Field(ge=0.1, le=8)]
CpuLimit = Annotated[float, BeforeValidator(_one_decimal), Field(ge=0.1, le=16)]
MinScale = Annotated[int, BeforeValidator(_integral), Field(ge=0)]
MaxScale = Annotated[int, BeforeValidator(_integral), Field(ge=0)]
MemoryMb = Annotated[int, BeforeValidator(_integral), Field(ge=0)]
Count = Annotated[int, BeforeValidator(_integral), Field(ge=0)]
Cores = Annotated[float, Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ListenerConfig(_Strict):
    k8s_namespace: NonEmpty

    @field_validator("k8s_namespace")
    @classmethod
    def _ns(cls, v: str) -> str:
        return _check(K8S_NAME_RE, v, "must be a Kubernetes namespace name")


# Kubernetes sub-objects of resource_spec, as the spec's schemas of the same names define them. The
# API names their keys in camelCase already (`mountPath`), so the attributes are the API's names; an
# object the spec leaves open (`additionalProperties: true`, e.g. a volume's `configMap`) stays open.
Open = dict[str, Any]
DNS_LABEL = "must be a DNS label ([a-z0-9-], at most 63, a letter or digit at either end)"


def _dns_label(v: str | None) -> str | None:
    return None if v is None else _check(K8S_NAME_RE, v, DNS_LABEL)


class LocalObjectReference(_Strict):
    """Reference to an object in the same namespace (an image pull secret)."""

    name: NonEmpty


class EnvVar(_Strict):
    """Environment variable for a container."""

    name: NonEmpty
    value: str | None = None
    valueFrom: Open | None = None

    @field_validator("name")
    @classmethod
    def _c_identifier(cls, v: str) -> str:
        return _check(ENV_NAME_RE, v, "must be a C identifier ([A-Za-z_][A-Za-z0-9_]*)")


class ResourceRequirements(_Strict):
    """Compute resource requirements (Kubernetes quantities, e.g. `500m`, `1Gi`)."""

    limits: dict[str, str] | None = None
    requests: dict[str, str] | None = None


class VolumeMount(_Strict):
    """Kubernetes VolumeMount specification."""

    name: NonEmpty | None = None
    mountPath: NonEmpty | None = None
    subPath: str | None = None
    mountPropagation: str | None = None
    readOnly: bool | None = None
    subPathExpr: str | None = None


class Volume(_Strict):
    """Kubernetes Volume specification."""

    name: NonEmpty | None = None
    configMap: Open | None = None
    secret: Open | None = None
    emptyDir: Open | None = None
    persistentVolumeClaim: Open | None = None
    nfs: Open | None = None
    projected: Open | None = None
    downwardAPI: Open | None = None
    csi: Open | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return _dns_label(v)


class Container(_Strict):
    """Container specification for init and sidecar containers."""

    name: NonEmpty
    image: NonEmpty
    imagePullPolicy: Literal["Always", "Never", "IfNotPresent"] | None = None
    command: list[str] | None = None
    args: list[str] | None = None
    workingDir: str | None = None
    env: list[EnvVar] | None = None
    envFrom: list[Open] | None = None
    resources: ResourceRequirements | None = None
    volumeMounts: list[VolumeMount] | None = None
    securityContext: Open | None = None
    restartPolicy: Literal["Always", "OnFailure"] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _check(K8S_NAME_RE, v, DNS_LABEL)


class ResourceSpec(_Strict):
    """Self-hosted sizing and pod settings (the spec's ResourceSpec). Only the keys you set are
    managed; the server fills in the rest."""

    min_scale: MinScale | None = None
    max_scale: MaxScale | None = None
    cpu: Cpu | None = None
    cpu_limit: CpuLimit | None = None
    memory_mb: MemoryMb | None = None
    memory_limit_mb: MemoryMb | None = None
    queue_min_scale: MinScale | None = None
    queue_max_scale: MaxScale | None = None
    queue_cpu: Cpu | None = None
    queue_cpu_limit: CpuLimit | None = None
    queue_memory_mb: MemoryMb | None = None
    queue_memory_limit_mb: MemoryMb | None = None
    # The spec says "do not use" for these twelve; they are here because the spec defines them.
    orchestrator_cpu: Cores | None = None
    orchestrator_cpu_limit: Cores | None = None
    orchestrator_memory_mb: MemoryMb | None = None
    orchestrator_memory_limit_mb: MemoryMb | None = None
    orchestrator_min_scale: MinScale | None = None
    orchestrator_max_scale: MaxScale | None = None
    executor_cpu: Cores | None = None
    executor_cpu_limit: Cores | None = None
    executor_memory_mb: MemoryMb | None = None
    executor_memory_limit_mb: MemoryMb | None = None
    redis_cpu: Cpu | None = None
    redis_cpu_limit: CpuLimit | None = None
    redis_memory_mb: MemoryMb | None = None
    redis_memory_limit_mb: MemoryMb | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    service_account_name: NonEmpty | None = None
    image_pull_secrets: list[LocalObjectReference] | None = None
    volumes: list[Volume] | None = None
    volume_mounts: list[VolumeMount] | None = None
    init_containers: list[Container] | None = None
    sidecars: list[Container] | None = None
    db_cpu: Cores | None = None
    db_cpu_limit: Cores | None = None
    db_memory_mb: MemoryMb | None = None
    db_memory_limit_mb: MemoryMb | None = None
    db_storage_gi: Count | None = None
    db_max_connections: Count | None = None

    @model_validator(mode="after")
    def _pairs(self) -> ResourceSpec:
        for low, high in _REQUEST_LIMIT_PAIRS:
            lo, hi = getattr(self, low), getattr(self, high)
            if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
                raise PydanticCustomError("bounds", f"{low} ({lo}) must not exceed {high} ({hi})")
        return self


_SIZED = ("", "queue_", "redis_", "orchestrator_", "executor_", "db_")
#: (min, max) and (request, limit) pairs of ResourceSpec: a request above its limit cannot be scheduled.
_REQUEST_LIMIT_PAIRS: tuple[tuple[str, str], ...] = (
    *((f"{p}min_scale", f"{p}max_scale") for p in ("", "queue_", "orchestrator_")),
    *((f"{p}cpu", f"{p}cpu_limit") for p in _SIZED),
    *((f"{p}memory_mb", f"{p}memory_limit_mb") for p in _SIZED),
)


def declared_resource_spec(server: Any) -> JSON | None:
    """The part of a server's resource_spec a program can declare (`pulumi import`): the keys the
    spec defines, without nulls. A key a newer server adds is left to the server, which keeps it on
    every write (`changes.merged_resource_spec`)."""
    return _declarable(ResourceSpec, server) if isinstance(server, Mapping) else None


def _declarable(model: type[BaseModel], value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    out: JSON = {}
    for key, info in model.model_fields.items():
        item = value.get(key)
        if item is None:
            continue
        sub = _sub_model(info.annotation)
        if sub is not None and isinstance(item, list):
            out[key] = [_declarable(sub, v) for v in item]
        elif sub is not None:
            out[key] = _declarable(sub, item)
        else:
            out[key] = copy.deepcopy(item)
    return out


def _sub_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside `X | None` or `list[X] | None`, when X is one."""
    for arg in (annotation, *typing.get_args(annotation)):
        for inner in (arg, *typing.get_args(arg)):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


class SourceConfig(_Strict):
    integration_id: Uuid | None = None
    repo_url: NonEmpty | None = None
    deployment_type: str | None = None
    build_on_push: bool | None = None
    custom_url: NonEmpty | None = None
    resource_spec: ResourceSpec | None = None
    listener_id: Uuid | None = None
    listener_config: ListenerConfig | None = None
    install_command: NonEmpty | None = None
    build_command: NonEmpty | None = None

    @field_validator("deployment_type")
    @classmethod
    def _type(cls, v: str | None) -> str | None:
        if v is None or v == UNKNOWN or v in DEPLOYMENT_TYPES:
            return v
        hint = f" (langgraph-cli's {v!r} is {CLI_DEPLOYMENT_TYPES[v]!r})" if v in CLI_DEPLOYMENT_TYPES else ""
        raise _invalid("enum", f"must be one of {', '.join(DEPLOYMENT_TYPES)}{hint}, got {v!r}")

    @field_validator("integration_id", "listener_id")
    @classmethod
    def _uuid(cls, v: str | None) -> str | None:
        return None if v is None else _check(UUID_RE, v, "must be a UUID")

    @field_validator("repo_url", "custom_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        return None if v is None else _check(URL_RE, v, "must be an http(s) URL")


class SourceRevisionConfig(_Strict):
    repo_ref: NonEmpty | None = None
    langgraph_config_path: NonEmpty | None = None
    image_uri: NonEmpty | None = None

    @field_validator("image_uri")
    @classmethod
    def _image(cls, v: str | None) -> str | None:
        if v is not None and v != UNKNOWN and (any(c.isspace() for c in v) or "://" in v):
            raise PydanticCustomError("format", "must be an image reference like registry/repo:tag")
        return v


class SecretReference(_Strict):
    name: NonEmpty
    secret_name: NonEmpty
    secret_key: NonEmpty

    @field_validator("name")
    @classmethod
    def _env(cls, v: str) -> str:
        return _check(ENV_NAME_RE, v, "must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)")


class WaitOptions(_Strict):
    """How long create/update wait for DEPLOYED; `custom_timeouts` never reach a dynamic provider."""

    enabled: bool = True
    timeout_seconds: Annotated[float, Field(gt=0, le=86400)] = Polling.timeout
    poll_min_seconds: Annotated[float, Field(ge=0.05, le=300)] = Polling.poll_min
    poll_max_seconds: Annotated[float, Field(ge=0.05, le=600)] = Polling.poll_max
    stream_logs: bool = True
    health_check: bool = True

    def polling(self) -> Polling:
        """The wait's schedule; a `customTimeouts` value the engine sent with this call (a provider
        plugin gets it) bounds the wait instead of `timeout_seconds`."""
        told = operation.timeout()
        if told is not None:
            return Polling(told, self.poll_min_seconds, self.poll_max_seconds, "customTimeouts")
        return Polling(timeout=self.timeout_seconds, poll_min=self.poll_min_seconds, poll_max=self.poll_max_seconds)

    @model_validator(mode="after")
    def _order(self) -> WaitOptions:
        if self.poll_min_seconds > self.poll_max_seconds:
            raise PydanticCustomError("bounds", "poll_min_seconds must not exceed poll_max_seconds")
        return self


class DeploymentInputs(_Strict):
    name: NonEmpty
    source: Literal[SOURCES]  # type: ignore[valid-type]
    source_config: SourceConfig = SourceConfig()
    source_revision_config: SourceRevisionConfig = SourceRevisionConfig()
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = None
    secrets: Annotated[dict[str, str] | None, BeforeValidator(redact.registered)] = None  # each decode registers
    env: dict[str, str] | None = None
    secret_references: list[SecretReference] | None = None
    source_dir: NonEmpty | None = None
    source_hash: Annotated[str, StringConstraints(pattern=SOURCE_HASH.pattern)] | None = None
    source_file_count: Annotated[int, BeforeValidator(_integral), Field(ge=0)] | None = None
    source_archive_bytes: Annotated[int, BeforeValidator(_integral), Field(ge=0)] | None = None
    adopt: bool = False
    adopt_id: Uuid | None = None
    delete_tracing_project: bool = False
    wait: WaitOptions = WaitOptions()
    owner: str | None = None
    name_prefix: str | None = None

    @field_validator("adopt_id")
    @classmethod
    def _adopt_id(cls, v: str | None) -> str | None:
        return None if v is None else _check(UUID_RE, v, "must be a deployment UUID")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _check(NAME_RE, v, "must hold only [a-z0-9-], start and end with a letter or digit (max 63)")


def value_at(model: BaseModel, path: str) -> Any:
    """The model's value at a field table path (None when a parent is unset)."""
    node: Any = model
    for part in path.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return node


def rule_failures(d: DeploymentInputs) -> list[tuple[str, str]]:
    """Rules of the API that span fields or keys, each with the property it concerns."""
    out: list[tuple[str, str]] = []
    for input_ in ("env", "secrets"):
        for key in getattr(d, input_) or {}:
            if not ENV_NAME_RE.match(key):
                out.append((f"{input_}.{key}", "is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)"))
            elif key == OWNERSHIP_ENV:
                out.append((f"{input_}.{key}", "is set by the provider itself (the ownership tag)"))
            elif key == SOURCE_HASH_ENV:
                out.append((f"{input_}.{key}", "is set by the provider itself (the hash of source_dir)"))
            elif key in reserved_env(d.source):
                where = "" if d.source in SELF_HOSTED_SOURCES else " outside self-hosted (external_docker) deployments"
                out.append((f"{input_}.{key}", f"is reserved by the LangSmith control plane{where}"))
    for key in sorted(set(d.env or {}) & set(d.secrets or {})):
        out.append((f"env.{key}", "is also set in secrets; a name goes in one of env or secrets"))
    for f in FIELDS:
        if d.source in f.required_for and value_at(d, f.path) is None:
            out.append((f.path, f"is required when source is {d.source!r}"))
    for f in FIELDS:
        where = f.present_at or f.path
        if d.source not in f.sources and value_at(d, where) is not None:
            out.append((where, f"only applies to source {' or '.join(repr(s) for s in sorted(f.sources))}"))
    ref = d.source_revision_config.repo_ref or ""
    if d.source_config.build_on_push and ref.startswith("refs/tags/"):
        out.append(("source_config.build_on_push", "cannot be true when repo_ref is a tag (refs/tags/...)"))
    for ref_ in d.secret_references or []:
        for input_ in ("env", "secrets"):
            if ref_.name in (getattr(d, input_) or {}):
                out.append(("secret_references", f"{ref_.name!r} is also set in {input_}"))
    return out


def apply_defaults(inputs: dict[str, Any], filled: list[str] | None = None) -> dict[str, Any]:
    """Fill in the field table's defaults for the inputs' source (unknown values are left alone):
    the preview shows them, and the service answers 400 to a github create without them. The paths
    filled in are added to `filled`."""
    for path, default in defaults(str(inputs.get("source"))).items():
        parent, key = path.split(".")
        node = inputs.get(parent)
        if node is None:
            node = inputs[parent] = {}
        if isinstance(node, dict) and node.get(key) is None:
            node[key] = default
            if filled is not None:
                filled.append(path)
    return inputs


def _loc(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as the property path users write: `secret_references[0].name`."""
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int) and parts:
            parts[-1] = f"{parts[-1]}[{p}]"
        else:
            parts.append(str(p))
    return ".".join(parts)


def validate(raw: dict[str, Any]) -> tuple[DeploymentInputs | None, list[tuple[str, str]]]:
    """Validate raw inputs; returns the model (None if invalid) and (property, reason) failures.

    Failures about values that are not known yet (preview) are dropped: they are checked again
    at `up`, when the engine calls check with the real values.
    """
    try:
        model = DeploymentInputs.model_validate(raw)
    except ValidationError as exc:
        failures: list[tuple[str, str]] = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            if unknown_at(raw, loc):
                continue
            msg = "is not a known property" if err["type"] == "extra_forbidden" else err["msg"]
            failures.append((_loc(loc), msg))
        return None, failures
    # A rule is about names and declared presence, known at preview even where a value is not.
    failures = rule_failures(model)
    return (None if failures else model), failures


# The host boundary ------------------------------------------------------------------------------


class DeploymentOutputs(BaseModel):
    """The server-owned outputs as state holds them (`fields.OUTPUTS`, one attribute each)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    deployment_id: str | None = None
    url: str | None = None
    latest_revision_id: str | None = None
    active_revision_id: str | None = None
    revision_status: str | None = None
    status: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    secrets_hash: str | None = None
    tenant_id: str | None = None
    dashboard_url: str | None = None
    health: str | None = None


class PropsError(ValueError):
    """Props the engine passed that do not decode (state from an unknown future version, a bug)."""


@dataclass(frozen=True)
class Props:
    """What the engine passes to a provider method, decoded once: the inputs as the model, the
    outputs (olds only), and the input paths not known yet (preview). The methods use this, never
    the raw dict."""

    inputs: DeploymentInputs
    outputs: DeploymentOutputs = field(default_factory=DeploymentOutputs)
    unknown: frozenset[str] = frozenset()

    def unknown_at(self, path: str) -> bool:
        """Whether the value at `path`, a parent of it or anything inside it is not known yet."""
        return any(u == path or u.startswith(f"{path}.") or path.startswith(f"{u}.") for u in self.unknown)

    def to_inputs(self) -> dict[str, Any]:
        """The inputs as state holds them: exactly the keys that were given, in the table's order."""
        dumped = self.inputs.model_dump(exclude_unset=True, exclude_none=True)
        return {k: dumped[k] for k in INPUT_KEYS if k in dumped}


def _known(node: Any, prefix: str, unknown: set[str]) -> Any:
    """`node` without the values not known yet; their paths (field table paths, or the nearest
    parent a list or a leaf sits in) go into `unknown`."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict) and path not in _WHOLE:
                out[key] = _known(value, path, unknown)
            elif is_unknown(value):
                unknown.add(path)
            else:
                out[key] = value
        return out
    return node


#: The paths whose value is not known as a whole when anything inside it is not (a field's value, or
#: the object a field must be declared in).
_WHOLE: frozenset[str] = frozenset({f.path for f in FIELDS} | {f.present_at for f in FIELDS if f.present_at})


def load(raw: Mapping[str, Any]) -> Props:
    """Decode the engine's props (inputs, or previous outputs) into `Props`. Unknown values are left
    out and listed; state written before a default existed gets it, so it compares equal to the
    default the provider sent."""
    unknown: set[str] = set()
    known = _known(dict(raw), "", unknown)
    values = {k: known[k] for k in INPUT_KEYS if known.get(k) is not None}
    if "name" in unknown:
        values["name"] = UNKNOWN
    if "source" not in values:  # not known yet (left out above), or missing
        values["source"] = SOURCES[0]  # a placeholder: `unknown` says the source is not known
        unknown.add("source")
    apply_defaults(values)
    try:
        model = DeploymentInputs.model_validate(values)
    except ValidationError as exc:
        where = ", ".join(sorted({_loc(tuple(e["loc"])) for e in exc.errors()}))
        raise PropsError(f"the stored or planned values of {where} cannot be read") from None
    outputs = DeploymentOutputs.model_validate({k: known.get(k) for k in OUTPUTS if isinstance(known.get(k), str)})
    return Props(model, outputs, frozenset(unknown))
