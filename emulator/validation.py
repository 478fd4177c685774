"""Business rules the real control plane enforces after schema validation (all 400s).

Kept free of storage so each rule reads as a plain function and can be unit-tested alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import BadRequest
from .models import ResourceSpec, Secret

# Names the host backend manages itself (langgraph-cli `RESERVED_ENV_VARS`, docs §6).
RESERVED_ENV_VARS = frozenset(
    {
        "LANGCHAIN_TRACING_V2",
        "LANGSMITH_TRACING_V2",
        "LANGCHAIN_ENDPOINT",
        "LANGCHAIN_PROJECT",
        "LANGSMITH_PROJECT",
        "LANGSMITH_LANGGRAPH_GIT_REPO",
        "LANGGRAPH_GIT_REPO_PATH",
        "LANGCHAIN_API_KEY",
        "LANGSMITH_CONTROL_PLANE_API_KEY",
        "POSTGRES_URI",
        "POSTGRES_PASSWORD",
        "DATABASE_URI",
        "LANGSMITH_LANGGRAPH_GIT_REF",
        "LANGSMITH_LANGGRAPH_GIT_REF_SHA",
        "LANGGRAPH_AUTH_TYPE",
        "LANGSMITH_AUTH_ENDPOINT",
        "LANGSMITH_TENANT_ID",
        "LANGSMITH_AUTH_VERIFY_TENANT_ID",
        "LANGSMITH_HOST_PROJECT_ID",
        "LANGSMITH_HOST_PROJECT_NAME",
        "LANGSMITH_HOST_REVISION_ID",
        "LOG_JSON",
        "LOG_DICT_TRACEBACKS",
        "REDIS_URI",
        "LANGCHAIN_CALLBACKS_BACKGROUND",
        "DD_TRACE_PSYCOPG_ENABLED",
        "DD_TRACE_REDIS_ENABLED",
        "LANGSMITH_DEPLOYMENT_NAME",
        "LANGGRAPH_CLOUD_LICENSE_KEY",
    }
)
# Reserved on Cloud only; self-hosted (external_docker) deployments may set them.
CLOUD_ONLY_RESERVED_ENV_VARS = frozenset(
    {
        "LANGSMITH_API_KEY",
        "LANGSMITH_ENDPOINT",
        "POSTGRES_URI_CUSTOM",
        "REDIS_URI_CUSTOM",
        "PATH",
        "PORT",
        "MOUNT_PREFIX",
        "LSD_ENV",
        "LSD_DD_API_KEY",
        "LSD_DD_ENDPOINT",
        "LSD_DEPLOYMENT_TYPE",
    }
)

# Lenient on purpose: the official example uses `my_deployment`, which a DNS-label rule rejects.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
TAG_PREFIX = "refs/tags/"

#: Values the server materialises for external images when the client leaves them out.
RESOURCE_SPEC_DEFAULTS = {"min_scale": 1, "max_scale": 1, "cpu": 1.0, "memory_mb": 2048}

#: Which revision inputs make sense for which (revision) source.
REVISION_FIELDS = {
    "github": frozenset({"repo_ref", "langgraph_config_path"}),
    "internal_source": frozenset({"source_tarball_path", "langgraph_config_path"}),
    "external_docker": frozenset({"image_uri"}),
    "internal_docker": frozenset({"image_uri"}),
}


#: The Terraform provider's cloud fake (deployment_cloud_acceptance_test.go) answers exactly this.
CLOUD_CREATE_REQUIRED = "Cloud deployment_type and GitHub build_on_push must be supplied"
#: Reported for self-hosted images, which take no deployment_type (Terraform offline fake's GET).
SELF_HOSTED_DEPLOYMENT_TYPE = "prod"


def check_create_required(
    source: str, deployment_type: str | None, build_on_push: bool | None, has_resource_spec: bool
) -> None:
    """What a create must carry, per source (Terraform provider fakes; vendor CLI create bodies)."""
    if source == "external_docker":
        if deployment_type is not None:
            raise BadRequest("source_config.deployment_type is not applicable for 'external_docker' source.")
        if not has_resource_spec:
            raise BadRequest(
                "source_config.resource_spec is required for 'external_docker' source (send {} for defaults)."
            )
    elif deployment_type is None or (source == "github" and build_on_push is None):
        raise BadRequest(CLOUD_CREATE_REQUIRED)
    if source != "github" and build_on_push is not None:
        raise BadRequest("build_on_push is only valid for GitHub")


def validate_name(name: str) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise BadRequest(
            f"Invalid deployment name '{name}'. A name must be 1-63 characters long, start with a letter"
            " or digit and contain only letters, digits, '-', '_' or '.'."
        )


def validate_secrets(secrets: Iterable[Secret], source: str) -> None:
    reserved = RESERVED_ENV_VARS if source == "external_docker" else RESERVED_ENV_VARS | CLOUD_ONLY_RESERVED_ENV_VARS
    seen: set[str] = set()
    for secret in secrets:
        if not secret.name.strip():
            raise BadRequest("Secret names must not be empty.")
        if secret.name in reserved:
            raise BadRequest(
                f"Secret name '{secret.name}' is reserved: the environment variable is managed by"
                " LangSmith Deployment and cannot be set."
            )
        if secret.name in seen:
            raise BadRequest(f"Duplicate secret name '{secret.name}'.")
        seen.add(secret.name)


def validate_tag_build_on_push(repo_ref: str | None, build_on_push: bool | None) -> None:
    if build_on_push and repo_ref is not None and repo_ref.startswith(TAG_PREFIX):
        raise BadRequest(
            f"source_config.build_on_push cannot be enabled when source_revision_config.repo_ref is a tag"
            f" ('{repo_ref}'). Tags are immutable and cannot trigger automatic builds on push."
        )


def check_revision_fields(source: str, given: dict[str, str | None]) -> None:
    """Reject revision inputs that do not apply to `source` (null values are always fine)."""
    allowed = REVISION_FIELDS[source]
    for field_name, value in given.items():
        if value is not None and field_name not in allowed:
            raise BadRequest(f"source_revision_config.{field_name} is not applicable for '{source}' source.")


def materialise_resource_spec(spec: ResourceSpec | None, source: str) -> dict[str, object] | None:
    """Store a spec whole (never merged); external images get the server defaults for unset fields."""
    if spec is None and source != "external_docker":
        return None
    full: dict[str, object] = {name: None for name in ResourceSpec.model_fields}
    if source == "external_docker":
        full.update(RESOURCE_SPEC_DEFAULTS)
    if spec is not None:
        full.update(spec.model_dump(mode="json", exclude_unset=True))
    return full
