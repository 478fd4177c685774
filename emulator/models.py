"""Pydantic request/response models mirroring the official control-plane OpenAPI spec.

Names follow the spec's component schemas so a reader can diff them side by side. Requests are
validated the way the real (FastAPI) server does: schema violations are 422s, business rules are
checked later by the service and become 400s. Kubernetes sub-objects are TypedDicts because the
spec makes their keys optional but not nullable, and echoing back only what was sent keeps the
responses valid against the spec.

Request and response models repeat each other's fields (`SourceConfigRequest` / `SourceConfig`,
`SourceRevisionConfigRequest` / `SourceRevisionConfig`, ...) on purpose: the spec declares them as
separate schemas with different types and nullability (a UUID in, a string out), and keeping one
class per schema lets each be diffed against the spec. `duplicates` reports them; they stay.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, NotRequired
from uuid import UUID

from pydantic import MISSING, BaseModel, ConfigDict, Field
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

Source = Literal["github", "external_docker", "internal_docker", "internal_source"]
RevisionSourceOverride = Literal["github", "internal_docker", "internal_source"]
# The spec (May 2026) lists dev_free/dev/prod; the newest official example sends `serverless`
# and the first-party Terraform provider accepts the *_zero types, so those are accepted too.
DeploymentType = Literal["dev_free", "dev", "prod", "serverless", "dedicated", "dev_zero", "dev_free_zero"]
DeploymentStatus = Literal["AWAITING_DATABASE", "READY", "UNUSED", "AWAITING_DELETE", "UNKNOWN"]
RevisionStatus = Literal[
    "CREATING",
    "QUEUED",
    "AWAITING_BUILD",
    "BUILDING",
    "AWAITING_DEPLOY",
    "DEPLOYING",
    "CREATE_FAILED",
    "BUILD_FAILED",
    "DEPLOY_FAILED",
    "DEPLOYED",
    "SKIPPED",
    "INTERRUPTED",
    "UNKNOWN",
]
CpuRequest = Annotated[float, Field(ge=0.1, le=8.0)]
CpuLimit = Annotated[float, Field(ge=0.1, le=16.0)]


# --- Kubernetes sub-objects of resource_spec ---------------------------------------------------


class LocalObjectReference(TypedDict):
    name: str


class EnvVar(TypedDict):
    name: str
    value: NotRequired[str | None]
    valueFrom: NotRequired[dict[str, Any] | None]


class ResourceRequirements(TypedDict, total=False):
    limits: dict[str, str] | None
    requests: dict[str, str] | None


class VolumeMount(TypedDict, total=False):
    name: str
    mountPath: str
    subPath: str | None
    mountPropagation: str | None
    readOnly: bool | None
    subPathExpr: str | None


class Volume(TypedDict, total=False):
    name: str
    configMap: dict[str, Any] | None
    secret: dict[str, Any] | None
    emptyDir: dict[str, Any] | None
    persistentVolumeClaim: dict[str, Any] | None
    nfs: dict[str, Any] | None
    projected: dict[str, Any] | None
    downwardAPI: dict[str, Any] | None
    csi: dict[str, Any] | None


class Container(TypedDict):
    name: str
    image: str
    imagePullPolicy: NotRequired[str | None]
    command: NotRequired[list[str] | None]
    args: NotRequired[list[str] | None]
    workingDir: NotRequired[str | None]
    env: NotRequired[list[EnvVar] | None]
    envFrom: NotRequired[list[dict[str, Any]] | None]
    resources: NotRequired[ResourceRequirements | None]
    volumeMounts: NotRequired[list[VolumeMount] | None]
    securityContext: NotRequired[dict[str, Any] | None]
    restartPolicy: NotRequired[str | None]


class ResourceSpec(BaseModel):
    """`ResourceSpec-Input`/`-Output`: identical in the spec, so one model serves both."""

    min_scale: int | None = None
    max_scale: int | None = None
    cpu: CpuRequest | None = None
    cpu_limit: CpuLimit | None = None
    memory_mb: int | None = None
    memory_limit_mb: int | None = None
    queue_min_scale: int | None = None
    queue_max_scale: int | None = None
    queue_cpu: CpuRequest | None = None
    queue_cpu_limit: CpuLimit | None = None
    queue_memory_mb: int | None = None
    queue_memory_limit_mb: int | None = None
    orchestrator_cpu: float | None = None
    orchestrator_cpu_limit: float | None = None
    orchestrator_memory_mb: int | None = None
    orchestrator_memory_limit_mb: int | None = None
    orchestrator_min_scale: int | None = None
    orchestrator_max_scale: int | None = None
    executor_cpu: float | None = None
    executor_cpu_limit: float | None = None
    executor_memory_mb: int | None = None
    executor_memory_limit_mb: int | None = None
    redis_cpu: CpuRequest | None = None
    redis_cpu_limit: CpuLimit | None = None
    redis_memory_mb: int | None = None
    redis_memory_limit_mb: int | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    service_account_name: str | None = None
    image_pull_secrets: list[LocalObjectReference] | None = None
    volumes: list[Volume] | None = None
    volume_mounts: list[VolumeMount] | None = None
    init_containers: list[Container] | None = None
    sidecars: list[Container] | None = None
    db_cpu: float | None = None
    db_cpu_limit: float | None = None
    db_memory_mb: int | None = None
    db_memory_limit_mb: int | None = None
    db_storage_gi: int | None = None
    db_max_connections: int | None = None


# --- shared pieces -----------------------------------------------------------------------------


class Secret(BaseModel):
    name: str
    value: str


class ReturnedSecret(BaseModel):
    """`Secret` as returned: `value` is left out under `mask_secrets: absent` (not spec-valid)."""

    name: str
    value: str | MISSING = MISSING


class SecretReference(BaseModel):
    name: str
    secret_name: str
    secret_key: str


class ListenerConfig(BaseModel):
    k8s_namespace: str | None = None


class _SourceConfigFields(BaseModel):
    """`source_config` as both request and response declare it, less the ids (UUIDs in, strings out)."""

    repo_url: str | None = None
    deployment_type: DeploymentType | None = None
    build_on_push: bool | None = None
    custom_url: str | None = None
    resource_spec: ResourceSpec | None = None
    listener_config: ListenerConfig | None = None
    install_command: str | None = None
    build_command: str | None = None


class SourceConfigRequest(_SourceConfigFields):
    """Fields that do not need a revision, or cannot change at all (except `resource_spec`)."""

    integration_id: UUID | None = None
    listener_id: UUID | None = None


class SourceRevisionConfigRequest(BaseModel):
    """Fields whose change creates a revision."""

    repo_ref: str | None = None
    langgraph_config_path: str | None = None
    image_uri: str | None = None
    source_tarball_path: str | None = None


# --- deployment requests -----------------------------------------------------------------------


class DeploymentCreateRequest(BaseModel):
    # Extra keys are kept (not rejected) so the service can turn `display_name` into a clear 400;
    # all other unknown keys are ignored, as FastAPI does on the real server.
    model_config = ConfigDict(extra="allow")

    name: str
    source: Source
    source_config: SourceConfigRequest
    source_revision_config: SourceRevisionConfigRequest
    secrets: list[Secret]
    secret_references: list[SecretReference] | None = None


class RevisionCreateRequest(BaseModel):
    """Body of `POST /v2/deployments/{id}/revisions` (the vendor's API reference page
    `create-deployment-revision` and the Terraform provider; not in the May 2026 spec)."""

    # Extras are kept so that a changed `name`/`source` can be rejected as an immutable field.
    model_config = ConfigDict(extra="allow")

    revision_source: RevisionSourceOverride | None = None
    source_config: SourceConfigRequest | None = None
    source_revision_config: SourceRevisionConfigRequest | None = None
    secrets: list[Secret] | None = None
    secret_references: list[SecretReference] | None = None


class DeploymentPatchRequest(RevisionCreateRequest):
    """Body of `PATCH /v2/deployments/{id}`: a revision's body plus the rename of newer servers."""

    # Newer servers only (min length 1, checked by the service: an older server ignores the key).
    display_name: str | None = None


# --- deployment responses ----------------------------------------------------------------------


class SourceConfig(_SourceConfigFields):
    integration_id: str | None = None
    listener_id: str | None = None


class SourceRevisionConfig(SourceRevisionConfigRequest):
    repo_commit_sha: str | None = None


class Deployment(BaseModel):
    name: str
    source: Source
    source_config: SourceConfig
    source_revision_config: SourceRevisionConfig
    secrets: list[ReturnedSecret]
    secret_references: list[SecretReference] | None = None
    id: str
    tenant_id: str
    created_at: datetime
    updated_at: datetime
    status: DeploymentStatus
    latest_revision_id: str | None
    active_revision_id: str | None
    image_version: str | None = None
    # Not in the May 2026 spec; newer servers return it (Terraform provider) and accept it on PATCH. Left
    # MISSING (absent from the body) when serving `--api spec`.
    display_name: str | MISSING | None = MISSING
    # In the docs' current Deployment (control-plane-openapi-2026.json): a preview deployment, made by the
    # service for a pull request, with its parent's name. MISSING under `--api spec`, as display_name.
    is_preview: bool | MISSING = MISSING


class DeploymentsList(BaseModel):
    resources: list[Deployment]
    offset: int


class Revision(BaseModel):
    id: str
    created_at: datetime
    updated_at: datetime
    status: RevisionStatus
    source: Source
    source_revision_config: SourceRevisionConfig


class RevisionsList(BaseModel):
    resources: list[Revision]
    offset: int


class LogEntry(BaseModel):
    id: str
    timestamp: int = Field(description="Epoch milliseconds.")
    level: str
    message: str


class LogsResponse(BaseModel):
    logs: list[LogEntry]
    next_offset: str | None


class FreeCount(BaseModel):
    count: int


# --- integrations ------------------------------------------------------------------------------


class GithubIntegration(BaseModel):
    id: str
    installation_id: int
    name: str


class GithubRepository(BaseModel):
    host_integration_id: str
    id: int
    name: str
    owner: str
    url: str
    default_branch: str


# --- listeners ---------------------------------------------------------------------------------


class ListenerComputeConfig(BaseModel):
    k8s_namespaces: list[str] | None = None


class ListenerCreateRequest(BaseModel):
    version: str | None = None
    compute_type: Literal["k8s"]
    compute_id: str
    compute_config: ListenerComputeConfig


class ListenerPatchRequest(BaseModel):
    version: str | None = None
    compute_config: ListenerComputeConfig | None = None


class Listener(BaseModel):
    version: str | None = None
    compute_type: Literal["k8s"]
    compute_id: str
    compute_config: ListenerComputeConfig
    id: str
    created_at: datetime
    updated_at: datetime


class ListenersList(BaseModel):
    resources: list[Listener]
    offset: int
