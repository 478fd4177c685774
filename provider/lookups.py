"""Read-only lookups a Pulumi program calls: find a deployment, its revisions, or a GitHub integration.

Why here and not in the provider: the dynamic-provider host serves no invokes, so these run in the
program process, with the same settings as the provider (`langsmith:*` stack config, then the
environment). They run on every `pulumi preview` and `pulumi up`, before any resource changes, and
return `Output`s, so their results feed resources like any other value. Each costs a handful of GET
requests (see README "Lookups"); nothing is written and nothing is stored in state unless exported.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import pulumi

from .core.client import ControlPlaneClient
from .core.config import (
    CONFIG_API_KEY,
    CONFIG_URL,
    CONFIG_WORKSPACE_ID,
    Settings,
    deployment_dashboard_url,
    resolve_settings,
)
from .core.errors import ProviderError
from .core.values import JSON

T = TypeVar("T")


class LookupFailed(pulumi.RunError, ProviderError, LookupError):
    """Nothing matched: the message says what was looked for and where. A `RunError`, so `pulumi up`
    prints the message alone instead of the program's traceback."""


def _settings(api_key: str | None) -> Settings:
    cfg = pulumi.Config("langsmith")
    raw = {
        CONFIG_API_KEY: api_key,
        CONFIG_WORKSPACE_ID: cfg.get("workspaceId"),
        CONFIG_URL: cfg.get("controlPlaneUrl"),
    }
    return resolve_settings(raw, os.environ)


def _run(fn: Callable[[ControlPlaneClient, Settings], T]) -> pulumi.Output[T]:
    """Call the API once the (secret) API key is known; the result itself is not secret."""
    key = pulumi.Config("langsmith").get_secret("apiKey")

    def call(api_key: str | None) -> T:
        settings = _settings(api_key)
        return fn(ControlPlaneClient(settings), settings)

    return pulumi.Output.unsecret(pulumi.Output.from_input(key).apply(call))


def _summary(deployment: JSON, settings: Settings) -> JSON:
    """What a program needs from a deployment; never its env values (they are secrets)."""
    source_config = dict(deployment.get("source_config") or {})
    return {
        "id": deployment.get("id"),
        "name": deployment.get("name"),
        "source": deployment.get("source"),
        "status": deployment.get("status"),
        "url": source_config.get("custom_url"),
        "latest_revision_id": deployment.get("latest_revision_id"),
        "active_revision_id": deployment.get("active_revision_id"),
        "tenant_id": deployment.get("tenant_id"),
        "dashboard_url": deployment_dashboard_url(
            settings.dashboard_url, deployment.get("tenant_id"), deployment.get("id")
        ),
        "source_config": source_config,
        "source_revision_config": dict(deployment.get("source_revision_config") or {}),
        "secret_names": sorted(str(s.get("name")) for s in deployment.get("secrets") or []),
        "created_at": deployment.get("created_at"),
        "updated_at": deployment.get("updated_at"),
    }


def find_deployment(
    client: ControlPlaneClient, settings: Settings, name: str | None, deployment_id: str | None
) -> JSON:
    """A deployment by id (one GET) or by exact name (pages through `name_contains`), summarised."""
    if deployment_id:
        return _summary(client.get_deployment(deployment_id), settings)
    found = client.find_deployment(str(name))
    if found is None:
        raise LookupFailed(f"no LangSmith deployment named {name!r} in this workspace ({client.base_url})")
    return _summary(found, settings)


def find_github_integration(client: ControlPlaneClient, url: str) -> JSON:
    """The first GitHub integration whose repositories include `url`, with that repository."""
    wanted = _normal_repo_url(url)
    integrations = client.list_github_integrations()
    for integration in integrations:
        for repo in client.list_github_repos(str(integration["id"])):
            if _normal_repo_url(str(repo.get("url") or "")) == wanted:
                return {**integration, "repo": repo}
    names = ", ".join(str(i.get("name")) for i in integrations) or "none"
    raise LookupFailed(
        f"no GitHub integration of this workspace can see {url} (integrations searched: {names}). "
        "Install the LangSmith GitHub app for that repository in the LangSmith UI"
    )


def get_deployment(
    name: pulumi.Input[str] | None = None, deployment_id: pulumi.Input[str] | None = None
) -> pulumi.Output[JSON]:
    """A deployment by exact name (pages through `name_contains`) or by id (one GET)."""
    if (name is None) == (deployment_id is None):
        raise TypeError("get_deployment takes exactly one of name= or deployment_id=")

    def find(wanted_name: str | None, wanted_id: str | None) -> pulumi.Output[JSON]:
        return _run(lambda client, settings: find_deployment(client, settings, wanted_name, wanted_id))

    return pulumi.Output.all(name, deployment_id).apply(lambda v: find(v[0], v[1]))


def list_revisions(
    deployment_id: pulumi.Input[str], status: pulumi.Input[str] | None = None, limit: int = 100
) -> pulumi.Output[list[JSON]]:
    """A deployment's revisions, newest first, like the Terraform provider's revision data sources.

    `status` filters by one status or a comma-separated list (e.g. "DEPLOYED"); `limit` caps the count.
    """

    def listing(dep_id: str, wanted: str | None) -> pulumi.Output[list[JSON]]:
        return _run(lambda client, _s: client.list_revisions(dep_id, status=wanted, limit=limit))

    return pulumi.Output.all(deployment_id, status).apply(lambda v: listing(v[0], v[1]))


def get_github_integration(repo_url: pulumi.Input[str]) -> pulumi.Output[JSON]:
    """The GitHub integration that can see `repo_url`, so programs need not paste integration UUIDs.

    Returns `{"id", "name", "installation_id", "repo": {...}}`; fails with the integrations searched when
    no integration has access to the repository.
    """
    return pulumi.Output.from_input(repo_url).apply(
        lambda url: _run(lambda client, _settings: find_github_integration(client, url))
    )


def _normal_repo_url(url: str) -> str:
    """GitHub URLs compare case-insensitively, with or without `.git` or a trailing slash."""
    url = url.strip().rstrip("/").lower()
    return url[:-4] if url.endswith(".git") else url
