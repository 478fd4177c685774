"""Environment variable names a deployment may not set, per source: one table, kept as data.

Source: the vendor CLI, `langgraph_cli/deploy.py` (langgraph-cli 0.4.40) `RESERVED_ENV_VARS`, whose
comments split it into the host backend's `LANGCHAIN_RESERVED_ENV_VARS` (reserved everywhere) and
`ALLOWED_SELF_HOSTED_ENV_VARS` ("rejected for non-self-hosted"). Self-hosted means the
`external_docker` source (the spec: "only available for self-hosted deployments"); every other
source runs on LangSmith Cloud. Tests compare this table with the provider's.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: `LANGCHAIN_RESERVED_ENV_VARS` of the host backend: managed by the platform on every source.
ALWAYS_RESERVED = frozenset(
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

#: `ALLOWED_SELF_HOSTED_ENV_VARS`: a self-hosted deployment may set these; Cloud ones may not.
ALLOWED_SELF_HOSTED = frozenset(
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

SELF_HOSTED_SOURCES = frozenset({"external_docker"})
SOURCES = ("github", "external_docker", "internal_docker", "internal_source")

#: source -> names a `secrets` entry may not use on that source.
RESERVED_ENV_BY_SOURCE: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        source: ALWAYS_RESERVED if source in SELF_HOSTED_SOURCES else ALWAYS_RESERVED | ALLOWED_SELF_HOSTED
        for source in SOURCES
    }
)


def reserved_env(source: str) -> frozenset[str]:
    """The reserved names for `source` (an unknown source gets the strictest, Cloud, set)."""
    return RESERVED_ENV_BY_SOURCE.get(source, ALWAYS_RESERVED | ALLOWED_SELF_HOSTED)
