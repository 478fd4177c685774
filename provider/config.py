"""Where the provider finds its credentials and control plane URL.

Credentials are read at run time inside the provider process (``configure()``), never passed to the
constructor, so they are never pickled into state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ProviderError

HOSTS: dict[str, str] = {
    "us": "https://api.host.langchain.com",
    "eu": "https://eu.api.host.langchain.com",
}

CONFIG_API_KEY = "langsmith:apiKey"
CONFIG_WORKSPACE_ID = "langsmith:workspaceId"
CONFIG_URL = "langsmith:controlPlaneUrl"
ENV_API_KEY = "LANGSMITH_API_KEY"
ENV_WORKSPACE_ID = "LANGSMITH_WORKSPACE_ID"
ENV_URL = "LANGSMITH_CONTROL_PLANE_URL"

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class ConfigurationError(ProviderError):
    """Missing or malformed provider configuration; the message says which key to set."""


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings. ``api_key`` is excluded from repr so it never reaches a log."""

    base_url: str
    workspace_id: str | None
    api_key: str = field(repr=False)


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


def resolve_settings(config: Mapping[str, str | None], env: Mapping[str, str]) -> Settings:
    """Stack config wins over the environment, key by key."""
    api_key = config.get(CONFIG_API_KEY) or env.get(ENV_API_KEY)
    workspace_id = config.get(CONFIG_WORKSPACE_ID) or env.get(ENV_WORKSPACE_ID)
    url = config.get(CONFIG_URL) or env.get(ENV_URL)
    if not api_key:
        raise ConfigurationError(
            f"no LangSmith API key: run `pulumi config set --secret {CONFIG_API_KEY} <key>` or set {ENV_API_KEY}"
        )
    if workspace_id and not _UUID.match(workspace_id):
        raise ConfigurationError(
            f"{CONFIG_WORKSPACE_ID} / {ENV_WORKSPACE_ID} must be a workspace UUID, got {workspace_id!r}"
        )
    return Settings(base_url=resolve_base_url(url), workspace_id=workspace_id or None, api_key=api_key)
