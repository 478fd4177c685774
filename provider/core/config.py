"""Where the provider finds its credentials and control plane URL.

Credentials are read at run time inside the provider process (``configure()``), never passed to the
constructor, so they are never pickled into state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import redact
from .errors import ProviderError
from .values import UUID_RE

HOSTS: dict[str, str] = {
    "us": "https://api.host.langchain.com",
    "eu": "https://eu.api.host.langchain.com",
}
# The vendor CLI's host names (langgraph_cli/host_backend.py, 0.4.40): the tracing API lives on
# `[<region>.]api.smith.langchain.com`, its control plane on `[<region>.]api.host.langchain.com`, and the
# UI on `[<region>.]smith.langchain.com`; self-hosted LangSmith serves the control plane at `<root>/api-host`.
CLOUD_DOMAIN = "langchain.com"
CLOUD_API_HOST = "api.smith.langchain.com"
CLOUD_CONTROL_PLANE_HOST = "api.host.langchain.com"
CLOUD_DASHBOARD_HOST = "smith.langchain.com"
CONTROL_PLANE_PATH = "/api-host"
LANGSMITH_API_PATHS = ("/api/v1", "/api")
LOCAL_HOSTNAMES = ("localhost", "127.0.0.1", "::1")

CONFIG_API_KEY = "langsmith:apiKey"
CONFIG_WORKSPACE_ID = "langsmith:workspaceId"
CONFIG_URL = "langsmith:controlPlaneUrl"
ENV_API_KEY = "LANGSMITH_API_KEY"
ENV_WORKSPACE_ID = "LANGSMITH_WORKSPACE_ID"
ENV_URL = "LANGSMITH_CONTROL_PLANE_URL"
ENV_ENDPOINT = "LANGSMITH_ENDPOINT"  # the tracing endpoint many users already export
ENV_TENANT_ID = "LANGSMITH_TENANT_ID"  # the vendor CLI's name for the workspace id
CONFIG_MAX_RPS = "langsmith:maxRequestsPerSecond"
#: The Pulumi organization the stack belongs to, for the plugin's ownership id: the engine tells a
#: resource provider no organization (only Construct and Call requests carry one), while a Python program
#: asks `pulumi.get_organization()`.
CONFIG_ORGANIZATION = "langsmith:pulumiOrganization"
ENV_ORGANIZATION = "PULUMI_ORGANIZATION"
ENV_MAX_RPS = "LANGSMITH_MAX_REQUESTS_PER_SECOND"
DEFAULT_MAX_RPS = 20.0


class ConfigurationError(ProviderError):
    """Missing or malformed provider configuration; the message says which key to set."""


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings. ``api_key`` is excluded from repr so it never reaches a log."""

    base_url: str
    workspace_id: str | None
    api_key: str = field(repr=False)
    dashboard_url: str = "https://smith.langchain.com"
    max_requests_per_second: float = DEFAULT_MAX_RPS


def resolve_base_url(value: str | None) -> str:
    """Accept ``us``/``eu`` shortcuts or a full URL (self-hosted: ``https://<host>/api-host``)."""
    if not value:
        return HOSTS["us"]
    shortcut = HOSTS.get(value.strip().lower())
    if shortcut:
        return shortcut
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"{CONFIG_URL} / {ENV_URL} must be 'us', 'eu' or an http(s) URL such as "
            f"https://langsmith.example.com/api-host, got {value!r}"
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(f"{CONFIG_URL} must not contain a query or fragment, got {value!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _is_cloud_host(hostname: str) -> bool:
    return hostname == CLOUD_DOMAIN or hostname.endswith(f".{CLOUD_DOMAIN}")


def control_plane_from_endpoint(endpoint: str) -> str:
    """`LANGSMITH_ENDPOINT` -> control plane URL, by the vendor CLI's rules: cloud `api.smith` becomes
    `api.host` (a regional prefix such as `eu.` is kept); self-hosted `<root>/api/v1` becomes `<root>/api-host`."""
    parts = urlsplit(endpoint.strip().rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"{ENV_ENDPOINT} must be an http(s) URL, got {endpoint!r}")
    hostname = parts.hostname or ""
    if _is_cloud_host(hostname):
        if hostname.endswith(f".{CLOUD_API_HOST}"):
            return f"https://{hostname[: -len(CLOUD_API_HOST)]}{CLOUD_CONTROL_PLANE_HOST}"
        return f"https://{CLOUD_CONTROL_PLANE_HOST}"
    path = parts.path
    for api_path in LANGSMITH_API_PATHS:
        if path.endswith(api_path):
            path = path[: -len(api_path)]
            break
    return f"{parts.scheme}://{parts.netloc}{path}{CONTROL_PLANE_PATH}"


def dashboard_for(base_url: str) -> str:
    """The LangSmith UI that belongs to a control plane URL (the vendor CLI's rule): self-hosted
    `<root>/api-host` -> `<root>`; a local control plane is its own dashboard; cloud regions keep their prefix."""
    if base_url.endswith(CONTROL_PLANE_PATH):
        return base_url[: -len(CONTROL_PLANE_PATH)]
    hostname = urlsplit(base_url).hostname or ""
    if hostname in LOCAL_HOSTNAMES:
        return base_url
    if hostname.endswith(f".{CLOUD_CONTROL_PLANE_HOST}"):
        return f"https://{hostname[: -len(CLOUD_CONTROL_PLANE_HOST) - 1]}.{CLOUD_DASHBOARD_HOST}"
    return f"https://{CLOUD_DASHBOARD_HOST}"


def deployment_dashboard_url(dashboard: str, tenant_id: str | None, deployment_id: str | None) -> str | None:
    """The deployment's page in the LangSmith UI, as the vendor CLI prints it after `langgraph deploy`."""
    if not tenant_id or not deployment_id:
        return None
    return f"{dashboard.rstrip('/')}/o/{tenant_id}/host/deployments/{deployment_id}"


WORKSPACE_HINT = (
    f"this API key is scoped to an organisation, so every call must name a workspace: run "
    f"`pulumi config set {CONFIG_WORKSPACE_ID} <workspace uuid>` or set {ENV_WORKSPACE_ID} "
    f"(the vendor CLI's {ENV_TENANT_ID} works too). The workspace id is shown in LangSmith under "
    "Settings > Workspaces, or use a workspace-scoped API key"
)


def explain_forbidden(detail: str) -> str | None:
    """The control plane's 403 for an org-scoped key without a workspace says only "requires workspace
    specification"; say what to set and where the id is found."""
    return WORKSPACE_HINT if "workspace specification" in detail.lower() else None


def resolve_settings(config: Mapping[str, str | None], env: Mapping[str, str]) -> Settings:
    """Stack config wins over the environment, key by key; `LANGSMITH_ENDPOINT` is the last resort for the URL."""
    api_key = config.get(CONFIG_API_KEY) or env.get(ENV_API_KEY)
    workspace_id = config.get(CONFIG_WORKSPACE_ID) or env.get(ENV_WORKSPACE_ID) or env.get(ENV_TENANT_ID)
    url = config.get(CONFIG_URL) or env.get(ENV_URL)
    if not url and env.get(ENV_ENDPOINT):
        url = control_plane_from_endpoint(env[ENV_ENDPOINT])
    if not api_key:
        raise ConfigurationError(
            f"no LangSmith API key: run `pulumi config set --secret {CONFIG_API_KEY} <key>` or set {ENV_API_KEY}"
        )
    if workspace_id and not UUID_RE.match(workspace_id):
        raise ConfigurationError(
            f"{CONFIG_WORKSPACE_ID} / {ENV_WORKSPACE_ID} / {ENV_TENANT_ID} must be a workspace UUID, "
            f"got {workspace_id!r}"
        )
    base_url = resolve_base_url(url)
    redact.add(api_key)  # the key never shows in a message, a log line or an error of this process
    return Settings(
        base_url=base_url,
        workspace_id=workspace_id or None,
        api_key=api_key,
        dashboard_url=dashboard_for(base_url),
        max_requests_per_second=max_requests_per_second(config.get(CONFIG_MAX_RPS) or env.get(ENV_MAX_RPS)),
    )


def pulumi_organization(config: Mapping[str, str | None], env: Mapping[str, str]) -> str | None:
    """The stack's Pulumi organization where a provider plugin can be told it (config, else the
    environment); None: not known, and the ownership id is the project's, stack's and resource's alone."""
    return config.get(CONFIG_ORGANIZATION) or env.get(ENV_ORGANIZATION) or None


def max_requests_per_second(value: str | None) -> float:
    """The provider's request budget (`budget`); 0 turns it off."""
    if value is None or not str(value).strip():
        return DEFAULT_MAX_RPS
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0 <= rate < float("inf"):
        raise ConfigurationError(
            f"{CONFIG_MAX_RPS} / {ENV_MAX_RPS} must be a number of requests per second >= 0 (0: off), got {value!r}"
        )
    return rate
