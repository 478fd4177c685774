"""The lookups as invokes (`langsmith:index:getDeployment`, `listRevisions`, `getGithubIntegration`):
the same functions `pulumi_langsmith.lookups` runs in a Python program, served by the plugin so
that every language gets them, with their `Output` forms in the generated SDKs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi.provider.experimental.property_value import PropertyValue

from ..core.base import ConfiguredProvider
from ..core.client import ControlPlaneClient
from ..core.config import Settings
from ..core.values import JSON
from ..lookups import LookupFailed, find_deployment, find_github_integration
from .convert import any_value
from .resources import PACKAGE
from .shapes import camel

STRING: JSON = {"type": "string"}
ANY: JSON = {"$ref": "pulumi.json#/Any"}


@dataclass(frozen=True)
class Function:
    token: str
    description: str
    inputs: dict[str, tuple[JSON, str]]  # camelCase name -> (schema type, description)
    required: tuple[str, ...]
    outputs: dict[str, tuple[JSON, str]]
    run: Callable[[ControlPlaneClient, Settings, Mapping[str, Any]], JSON]

    def call(self, provider: ConfiguredProvider, args: Mapping[str, Any]) -> dict[str, PropertyValue]:
        """Run against the provider's control plane; top-level result keys in camelCase, values as
        the API gives them."""
        client = provider.client()
        assert provider._settings is not None  # client() raised otherwise
        result = self.run(client, provider._settings, args)
        return {camel(k): any_value(v) for k, v in result.items() if v is not None}


def _get_deployment(client: ControlPlaneClient, settings: Settings, args: Mapping[str, Any]) -> JSON:
    name, dep_id = args.get("name"), args.get("deploymentId")
    if (name is None) == (dep_id is None):
        raise LookupFailed("getDeployment takes exactly one of name or deploymentId")
    return find_deployment(client, settings, name, dep_id)


def _list_revisions(client: ControlPlaneClient, _settings: Settings, args: Mapping[str, Any]) -> JSON:
    limit = int(args.get("limit") or 100)
    return {"revisions": client.list_revisions(str(args["deploymentId"]), status=args.get("status"), limit=limit)}


def _github_integration(client: ControlPlaneClient, _settings: Settings, args: Mapping[str, Any]) -> JSON:
    return find_github_integration(client, str(args["repoUrl"]))


_SUMMARY: dict[str, tuple[JSON, str]] = {
    "id": (STRING, "The deployment's UUID."),
    "name": (STRING, "Its name."),
    "source": (STRING, "github, external_docker or internal_source."),
    "status": (STRING, "The deployment's status."),
    "url": (STRING, "Its URL (`source_config.custom_url`), when the server assigned one."),
    "latestRevisionId": (STRING, "The newest revision's UUID."),
    "activeRevisionId": (STRING, "The UUID of the revision that serves traffic."),
    "tenantId": (STRING, "The workspace it belongs to."),
    "dashboardUrl": (STRING, "Its page in the LangSmith UI."),
    "sourceConfig": (ANY, "`source_config` as the API returns it (snake_case keys)."),
    "sourceRevisionConfig": (ANY, "`source_revision_config` as the API returns it (snake_case keys)."),
    "secretNames": ({"type": "array", "items": STRING}, "The names of its env vars; never their values."),
    "createdAt": (STRING, "When it was created."),
    "updatedAt": (STRING, "When it last changed."),
}

FUNCTIONS: dict[str, Function] = {
    f.token: f
    for f in (
        Function(
            f"{PACKAGE}:index:getDeployment",
            "A deployment by exact name (pages through `name_contains`) or by id (one GET); never its env values.",
            {
                "name": (STRING, "The deployment's exact name."),
                "deploymentId": (STRING, "The deployment's UUID."),
            },
            (),
            _SUMMARY,
            _get_deployment,
        ),
        Function(
            f"{PACKAGE}:index:listRevisions",
            "A deployment's revisions, newest first, like the Terraform provider's revision data sources.",
            {
                "deploymentId": (STRING, "The deployment's UUID."),
                "status": (STRING, "Only revisions in this status, or one of a comma-separated list (`DEPLOYED`)."),
                "limit": ({"type": "integer"}, "At most this many (default 100)."),
            },
            ("deploymentId",),
            {"revisions": ({"type": "array", "items": ANY}, "The revisions as the API returns them.")},
            _list_revisions,
        ),
        Function(
            f"{PACKAGE}:index:getGithubIntegration",
            "The GitHub integration that can see a repository, so programs need not paste integration UUIDs.",
            {"repoUrl": (STRING, "The repository's URL (case, `.git` and a trailing slash do not matter).")},
            ("repoUrl",),
            {
                "id": (STRING, "The integration's UUID: a github Deployment's `sourceConfig.integrationId`."),
                "name": (STRING, "The integration's name."),
                "installationId": (ANY, "The GitHub app installation's id."),
                "repo": (ANY, "The repository as the API lists it."),
            },
            _github_integration,
        ),
    )
}
