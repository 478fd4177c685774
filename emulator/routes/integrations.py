"""The v1 GitHub integration routes: the seeded integrations and their repositories (seeds.py)."""

from enum import Enum
from uuid import UUID

from fastapi import APIRouter

from ..deps import Tenant
from ..models import GithubIntegration, GithubRepository
from ..seeds import FORGE_INTEGRATIONS, GITHUB_INTEGRATIONS, SeedIntegration, find_integration

INTEGRATION_TAGS: list[str | Enum] = ["Integrations (v1)"]
router = APIRouter(tags=INTEGRATION_TAGS)


def _integrations(pool: tuple[SeedIntegration, ...]) -> list[GithubIntegration]:
    return [GithubIntegration(id=i.id, installation_id=i.installation_id, name=i.name) for i in pool]


def _repositories(integration: SeedIntegration | None) -> list[GithubRepository]:
    # An unknown integration yields an empty list: the spec documents no 404 for this route.
    if integration is None:
        return []
    return [
        GithubRepository(
            host_integration_id=integration.id,
            id=repo.id,
            name=repo.name,
            owner=repo.owner,
            url=repo.url,
            default_branch=repo.default_branch,
        )
        for repo in integration.repositories
    ]


@router.get("/v1/integrations/github/install")
def list_github_integrations(tenant_id: Tenant) -> list[GithubIntegration]:
    return _integrations(GITHUB_INTEGRATIONS)


@router.get("/v1/integrations/github/{integration_id}/repos")
def list_github_repositories(integration_id: UUID, tenant_id: Tenant) -> list[GithubRepository]:
    return _repositories(find_integration(str(integration_id)))


@router.get("/v1/integrations/forge/github/install")
def list_forge_github_integrations(tenant_id: Tenant) -> list[GithubIntegration]:
    return _integrations(FORGE_INTEGRATIONS)


@router.get("/v1/integrations/forge/github/{integration_id}/repos")
def list_forge_github_repositories(integration_id: UUID, tenant_id: Tenant) -> list[GithubRepository]:
    return _repositories(find_integration(str(integration_id), forge=True))
