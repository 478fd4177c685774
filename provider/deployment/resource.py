"""The `Deployment` resource users write in their Pulumi programs.

Arguments are typed (`SourceConfigArgs`, ...) and plain dicts are accepted too, as in Pulumi's own
SDKs. `secrets` is always wrapped as a Pulumi secret here, and every output derived from it is
listed in `additional_secret_outputs`, because the engine only keeps an output secret on its own
when an input of the same name was.

`source_dir` works like a Lambda function's `FileArchive`: the archive is computed here, in the
program (a relative path means what the user sees, and a bad directory fails the preview before any
request), and only its content hash, file count and size, plus the absolute directory the provider
re-reads at apply, become inputs. The tarball itself never enters state.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

import pulumi
from pulumi.dynamic import Resource

from ..core.values import UNKNOWN
from ..core.waiter import Polling
from ..source_archive import SourceArchive, SourceDirError
from .changes import INPUT_KEYS, OUTPUT_KEYS, ownership_id
from .fields import INTERNAL_INPUTS, INTERNAL_SOURCE, SECRET_OUTPUTS
from .provider import DeploymentProvider


class ResourceSpecArgs(TypedDict, total=False):
    """Self-hosted sizing and pod settings (external_docker), the spec's ResourceSpec. Only the keys you
    set are managed. The Kubernetes objects take the API's camelCase keys (`{"name": "cfg",
    "mountPath": "/etc/agent"}`); tests/test_plugin_contract.py keeps these keys the model's."""

    min_scale: pulumi.Input[int]
    max_scale: pulumi.Input[int]
    cpu: pulumi.Input[float]
    cpu_limit: pulumi.Input[float]
    memory_mb: pulumi.Input[int]
    memory_limit_mb: pulumi.Input[int]
    queue_min_scale: pulumi.Input[int]
    queue_max_scale: pulumi.Input[int]
    queue_cpu: pulumi.Input[float]
    queue_cpu_limit: pulumi.Input[float]
    queue_memory_mb: pulumi.Input[int]
    queue_memory_limit_mb: pulumi.Input[int]
    orchestrator_cpu: pulumi.Input[float]
    orchestrator_cpu_limit: pulumi.Input[float]
    orchestrator_memory_mb: pulumi.Input[int]
    orchestrator_memory_limit_mb: pulumi.Input[int]
    orchestrator_min_scale: pulumi.Input[int]
    orchestrator_max_scale: pulumi.Input[int]
    executor_cpu: pulumi.Input[float]
    executor_cpu_limit: pulumi.Input[float]
    executor_memory_mb: pulumi.Input[int]
    executor_memory_limit_mb: pulumi.Input[int]
    redis_cpu: pulumi.Input[float]
    redis_cpu_limit: pulumi.Input[float]
    redis_memory_mb: pulumi.Input[int]
    redis_memory_limit_mb: pulumi.Input[int]
    labels: Mapping[str, pulumi.Input[str]]
    annotations: Mapping[str, pulumi.Input[str]]
    service_account_name: pulumi.Input[str]
    image_pull_secrets: Sequence[Mapping[str, Any]]
    volumes: Sequence[Mapping[str, Any]]
    volume_mounts: Sequence[Mapping[str, Any]]
    init_containers: Sequence[Mapping[str, Any]]
    sidecars: Sequence[Mapping[str, Any]]
    db_cpu: pulumi.Input[float]
    db_cpu_limit: pulumi.Input[float]
    db_memory_mb: pulumi.Input[int]
    db_memory_limit_mb: pulumi.Input[int]
    db_storage_gi: pulumi.Input[int]
    db_max_connections: pulumi.Input[int]


@dataclasses.dataclass
class ListenerConfigArgs:
    k8s_namespace: pulumi.Input[str]


@dataclasses.dataclass
class SourceConfigArgs:
    """`integration_id`, `repo_url`, `deployment_type` and `listener_id` force a replacement when
    changed. Unset on github: `deployment_type="prod"` and `build_on_push=False` are sent."""

    integration_id: pulumi.Input[str] | None = None
    repo_url: pulumi.Input[str] | None = None
    deployment_type: pulumi.Input[str] | None = None
    build_on_push: pulumi.Input[bool] | None = None
    custom_url: pulumi.Input[str] | None = None
    resource_spec: ResourceSpecArgs | Mapping[str, Any] | None = None
    listener_id: pulumi.Input[str] | None = None
    listener_config: ListenerConfigArgs | Mapping[str, Any] | None = None
    install_command: pulumi.Input[str] | None = None
    build_command: pulumi.Input[str] | None = None


@dataclasses.dataclass
class SourceRevisionConfigArgs:
    """Any change here rolls out a new revision."""

    repo_ref: pulumi.Input[str] | None = None
    langgraph_config_path: pulumi.Input[str] | None = None
    image_uri: pulumi.Input[str] | None = None


@dataclasses.dataclass
class SecretReferenceArgs:
    name: pulumi.Input[str]
    secret_name: pulumi.Input[str]
    secret_key: pulumi.Input[str]


@dataclasses.dataclass
class WaitArgs:
    """`custom_timeouts` never reach a dynamic provider, so the wait is configured here."""

    enabled: bool = True
    timeout_seconds: float = Polling.timeout
    poll_min_seconds: float = Polling.poll_min
    poll_max_seconds: float = Polling.poll_max
    stream_logs: bool = True
    health_check: bool = True
    """After DEPLOYED, wait (within `timeout_seconds`) until `GET {url}/ok` answers 200."""


class SourceDirInvalid(pulumi.RunError):
    """A `source_dir` that cannot be deployed: the program stops at preview, nothing written, and
    Pulumi prints the message alone (no traceback)."""


@dataclasses.dataclass
class DeploymentArgs:
    source: pulumi.Input[Literal["github", "external_docker", "internal_source"]] | None = None
    source_config: SourceConfigArgs | Mapping[str, Any] | None = None
    source_revision_config: SourceRevisionConfigArgs | Mapping[str, Any] | None = None
    name: pulumi.Input[str] | None = None
    display_name: pulumi.Input[str] | None = None
    secrets: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None
    env: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None
    secret_references: Sequence[SecretReferenceArgs | Mapping[str, Any]] | None = None
    source_dir: str | os.PathLike[str] | None = None
    """A local LangGraph project (holding `langgraph.json`, or the file
    `source_revision_config.langgraph_config_path` names, relative to it) to upload as
    `source="internal_source"`, like `langgraph deploy --remote`; `source` may be left out."""
    adopt: bool | None = None
    adopt_id: pulumi.Input[str] | None = None
    delete_tracing_project: bool | None = None
    wait: WaitArgs | Mapping[str, Any] | None = None


def plain(value: Any) -> Any:
    """Dataclass args -> dicts, dropping None; Outputs are left for the engine to resolve."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class Deployment(Resource, module="langsmith", name="Deployment"):
    """A LangSmith Deployment (LangGraph Platform) kept live and in sync by `pulumi up`.

    `create` and every revision-creating `update` wait until the revision is DEPLOYED.
    """

    deployment_id: pulumi.Output[str]
    name: pulumi.Output[str]
    url: pulumi.Output[str | None]
    latest_revision_id: pulumi.Output[str | None]
    active_revision_id: pulumi.Output[str | None]
    revision_status: pulumi.Output[str | None]
    status: pulumi.Output[str]
    created_at: pulumi.Output[str]
    updated_at: pulumi.Output[str]
    secrets_hash: pulumi.Output[str | None]
    source_hash: pulumi.Output[str | None]
    source_file_count: pulumi.Output[int | None]
    source_archive_bytes: pulumi.Output[int | None]
    tenant_id: pulumi.Output[str | None]
    dashboard_url: pulumi.Output[str | None]
    health: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: DeploymentArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        """`Deployment(name, DeploymentArgs(...))` or `Deployment(name, source=..., ...)`.

        `name` defaults to the resource name plus a stable suffix. Credentials come from stack config
        (`langsmith:apiKey`, ...) or the environment, never from arguments.
        """
        values = plain(args) if args is not None else {}
        if opts is not None and opts.id is not None and not values:
            # Deployment.get: the engine reads the deployment by id; nothing is created or managed.
            super().__init__(DeploymentProvider(), resource_name, dict.fromkeys((*INPUT_KEYS, *OUTPUT_KEYS)), opts)
            return
        values.update(plain({k: v for k, v in kwargs.items()}))
        unknown = set(values) - {f.name for f in dataclasses.fields(DeploymentArgs)}
        if unknown:
            raise TypeError(f"Deployment got unexpected arguments: {', '.join(sorted(unknown))}")
        if "secrets" in values:
            values["secrets"] = pulumi.Output.secret(values["secrets"])
        props: dict[str, Any] = {key: None for key in OUTPUT_KEYS}
        props.update(
            program_inputs(values, pulumi.get_project(), pulumi.get_stack(), resource_name, pulumi.get_organization())
        )
        props.setdefault("name", None)
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=SECRET_OUTPUTS))
        super().__init__(DeploymentProvider(), resource_name, props, opts)

    @staticmethod
    def get(resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None) -> Deployment:
        """Read an existing deployment into the program by its id, without managing it: `pulumi up`
        never changes or deletes it, and `refresh` keeps its outputs current."""
        return Deployment(resource_name, opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id)))


#: Inputs a program never sets: the provider's own (ownership id, autoname prefix) and what a
#: `source_dir` stands for.
SET_BY_PROVIDER: tuple[str, ...] = (
    *INTERNAL_INPUTS,
    "source_hash",
    "source_file_count",
    "source_archive_bytes",
)


def program_inputs(
    values: Mapping[str, Any], project: str, stack: str, resource_name: str, organization: str | None
) -> dict[str, Any]:
    """What a program's declaration stands for, in every language (this constructor for Python, the
    plugin's check for the others): the declared values, the ownership id (`changes.ownership_id`),
    the autoname's prefix when no name is set, and the `source_dir` archive's hash (a directory not
    known yet at preview is checked at `up`). Raises `SourceDirInvalid`."""
    out = {k: v for k, v in values.items() if k not in SET_BY_PROVIDER}
    if out.get("source_dir") == UNKNOWN:
        out["source_hash"] = UNKNOWN
    elif "source_dir" in out or out.get("source") == INTERNAL_SOURCE:
        out.update(source_dir_inputs(out))
    out["owner"] = ownership_id(project, stack, resource_name, organization)
    if out.get("name") is None:
        out["name_prefix"] = resource_name
    return out


def source_dir_inputs(values: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs a `source_dir` stands for: the archive is built and checked here, at preview."""
    source = values.get("source", INTERNAL_SOURCE)
    if source != INTERNAL_SOURCE:
        raise SourceDirInvalid(f"source_dir: only applies to source 'internal_source', got source {source!r}")
    raw = values.get("source_dir")
    if raw is None:
        raise SourceDirInvalid("source_dir: is required when source is 'internal_source'")
    if not isinstance(raw, str | os.PathLike):
        raise SourceDirInvalid("source_dir: must be a plain path (str or pathlib.Path), not an Output")
    revision = dict(values.get("source_revision_config") or {})
    config_path = revision.setdefault("langgraph_config_path", "langgraph.json")
    if not isinstance(config_path, str):
        raise SourceDirInvalid("source_revision_config.langgraph_config_path: must be a plain string with source_dir")
    try:
        archive = SourceArchive.from_dir(os.fspath(raw), config_path)
    except SourceDirError as exc:
        raise SourceDirInvalid(str(exc)) from None
    return {
        "source": INTERNAL_SOURCE,
        "source_dir": str(archive.source_dir),
        "source_revision_config": revision,
        "source_hash": archive.content_hash,
        "source_file_count": archive.file_count,
        "source_archive_bytes": archive.size_bytes,
    }
