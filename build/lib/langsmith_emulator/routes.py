"""Public API routes: thin adapters from HTTP to the `Deployments`/`Listeners` services.

Function names are chosen so FastAPI derives the same operationIds as the official spec. The
router is mounted twice, at `/` (cloud) and at `/api-host` (self-hosted prefix).
"""

from enum import Enum
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from .auth import make_authenticator
from .errors import BadRequest
from .models import (
    Deployment,
    DeploymentCreateRequest,
    DeploymentPatchRequest,
    DeploymentsList,
    DeploymentType,
    FreeCount,
    GithubIntegration,
    GithubRepository,
    Listener,
    ListenerCreateRequest,
    ListenerPatchRequest,
    ListenersList,
    LogsResponse,
    Revision,
    RevisionCreateRequest,
    RevisionsList,
)
from .runtime import Runtime
from .seeds import FORGE_INTEGRATIONS, GITHUB_INTEGRATIONS, SeedIntegration, find_integration
from .store import DeploymentFilter

Limit = Annotated[int, Query(ge=1, le=100, description="Maximum number of resources to return.")]
Offset = Annotated[int, Query(ge=0, description="Pagination offset.")]
INTEGRATION_TAGS: list[str | Enum] = ["Integrations (v1)"]
DEPLOYMENT_TAGS: list[str | Enum] = ["Deployments (v2)"]
LISTENER_TAGS: list[str | Enum] = ["Listeners (v2)"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def _csv(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


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


def build_router(runtime: Runtime) -> APIRouter:
    tenant_dependency = Depends(make_authenticator(runtime))
    Tenant = Annotated[str, tenant_dependency]
    deployments = runtime.deployments
    listeners = runtime.listeners
    router = APIRouter()

    # --- integrations (v1) -------------------------------------------------------------------

    @router.get("/v1/integrations/github/install", tags=INTEGRATION_TAGS)
    def list_github_integrations(tenant_id: Tenant) -> list[GithubIntegration]:
        return _integrations(GITHUB_INTEGRATIONS)

    @router.get("/v1/integrations/github/{integration_id}/repos", tags=INTEGRATION_TAGS)
    def list_github_repositories(integration_id: UUID, tenant_id: Tenant) -> list[GithubRepository]:
        return _repositories(find_integration(str(integration_id)))

    @router.get("/v1/integrations/forge/github/install", tags=INTEGRATION_TAGS)
    def list_forge_github_integrations(tenant_id: Tenant) -> list[GithubIntegration]:
        return _integrations(FORGE_INTEGRATIONS)

    @router.get("/v1/integrations/forge/github/{integration_id}/repos", tags=INTEGRATION_TAGS)
    def list_forge_github_repositories(integration_id: UUID, tenant_id: Tenant) -> list[GithubRepository]:
        return _repositories(find_integration(str(integration_id), forge=True))

    # --- deployments (v2) --------------------------------------------------------------------

    @router.get("/v2/deployments", tags=DEPLOYMENT_TAGS)
    def list_deployments(
        tenant_id: Tenant,
        limit: Limit = 20,
        offset: Offset = 0,
        name_contains: str | None = None,
        status: str | None = None,
        remote_reconciled: bool | None = None,
        tag_value_ids: str | None = None,
        image_version: str | None = None,
        deployment_type: DeploymentType | None = None,
        deployment_ids: str | None = None,
    ) -> DeploymentsList:
        flt = DeploymentFilter(
            name_contains=name_contains,
            status=status,
            deployment_type=deployment_type,
            deployment_ids=_csv(deployment_ids),
            image_version=image_version,
            tag_value_ids=_csv(tag_value_ids),
        )
        return deployments.list_deployments(tenant_id, flt, limit, offset)

    @router.post("/v2/deployments", status_code=201, tags=DEPLOYMENT_TAGS)
    def create_deployment(body: DeploymentCreateRequest, tenant_id: Tenant) -> Deployment:
        return deployments.create(tenant_id, body)

    @router.delete("/v2/deployments", tags=DEPLOYMENT_TAGS, responses={207: {"description": "Partial success"}})
    def delete_deployments(
        tenant_id: Tenant, deployment_ids: Annotated[list[UUID], Query(max_length=100)]
    ) -> JSONResponse:
        result = deployments.delete_many(tenant_id, [str(i) for i in deployment_ids])
        return JSONResponse(status_code=result.status, content=result.body)

    @router.get("/v2/deployments/free-count", tags=DEPLOYMENT_TAGS)
    def get_free_deployment_count(tenant_id: Tenant) -> FreeCount:
        return deployments.free_count(tenant_id)

    @router.get("/v2/deployments/{deployment_id}", tags=DEPLOYMENT_TAGS)
    def get_deployment(deployment_id: UUID, tenant_id: Tenant) -> Deployment:
        return deployments.get(tenant_id, str(deployment_id))

    @router.patch("/v2/deployments/{deployment_id}", tags=DEPLOYMENT_TAGS)
    def patch_deployment(deployment_id: UUID, body: DeploymentPatchRequest, tenant_id: Tenant) -> Deployment:
        return deployments.patch(tenant_id, str(deployment_id), body)

    @router.delete("/v2/deployments/{deployment_id}", status_code=204, response_class=Response, tags=DEPLOYMENT_TAGS)
    def delete_deployment(
        deployment_id: UUID,
        tenant_id: Tenant,
        delete_tracing_project: bool = False,
        force: bool = False,
    ) -> Response:
        deployments.delete(tenant_id, str(deployment_id), delete_tracing_project=delete_tracing_project, force=force)
        return Response(status_code=204)

    @router.get("/v2/deployments/{deployment_id}/revisions", tags=DEPLOYMENT_TAGS)
    def list_revisions(
        deployment_id: UUID,
        tenant_id: Tenant,
        limit: Limit = 20,
        offset: Offset = 0,
        status: str | None = None,
        remote_reconciled: bool | None = None,
    ) -> RevisionsList:
        return deployments.list_revisions(tenant_id, str(deployment_id), _csv(status), limit, offset)

    @router.post("/v2/deployments/{deployment_id}/revisions", status_code=201, tags=DEPLOYMENT_TAGS)
    def create_revision(deployment_id: UUID, body: RevisionCreateRequest, tenant_id: Tenant) -> Revision:
        return deployments.create_revision(tenant_id, str(deployment_id), body)

    @router.get("/v2/deployments/{deployment_id}/revisions/{revision_id}", tags=DEPLOYMENT_TAGS)
    def get_revision(deployment_id: UUID, revision_id: UUID, tenant_id: Tenant) -> Revision:
        return deployments.get_revision(tenant_id, str(deployment_id), str(revision_id))

    @router.post("/v2/deployments/{deployment_id}/revisions/{revision_id}/redeploy", tags=DEPLOYMENT_TAGS)
    def redeploy_revision(deployment_id: UUID, revision_id: UUID, tenant_id: Tenant) -> Deployment:
        return deployments.redeploy(tenant_id, str(deployment_id), str(revision_id))

    @router.get("/v2/deployments/{deployment_id}/revisions/{revision_id}/logs", tags=DEPLOYMENT_TAGS)
    def list_revision_logs(
        deployment_id: UUID,
        revision_id: UUID,
        tenant_id: Tenant,
        log_type: Annotated[Literal["build", "deploy"], Query(alias="type")],
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        offset: Annotated[str | None, Query(description="Cursor from a previous `next_offset`.")] = None,
        order: Literal["asc", "desc"] = "asc",
        level: LogLevel | None = None,
    ) -> LogsResponse:
        if offset is not None and not offset.isdigit():
            raise BadRequest(f"Invalid offset '{offset}': pass a next_offset value from a previous page.")
        return deployments.revision_logs(
            tenant_id,
            str(deployment_id),
            str(revision_id),
            log_type=log_type,
            level=level,
            descending=order == "desc",
            limit=limit,
            offset=int(offset or 0),
        )

    # --- listeners (v2) ----------------------------------------------------------------------

    @router.get("/v2/listeners", tags=LISTENER_TAGS)
    def list_listeners(tenant_id: Tenant, limit: Limit = 20, offset: Offset = 0) -> ListenersList:
        return listeners.list_listeners(tenant_id, limit, offset)

    @router.post("/v2/listeners", status_code=201, tags=LISTENER_TAGS)
    def create_listener(body: ListenerCreateRequest, tenant_id: Tenant) -> Listener:
        return listeners.create(tenant_id, body)

    @router.get("/v2/listeners/{listener_id}", tags=LISTENER_TAGS)
    def get_listener(listener_id: UUID, tenant_id: Tenant) -> Listener:
        return listeners.get(tenant_id, str(listener_id))

    @router.patch("/v2/listeners/{listener_id}", tags=LISTENER_TAGS)
    def patch_listener(listener_id: UUID, body: ListenerPatchRequest, tenant_id: Tenant) -> Listener:
        return listeners.patch(tenant_id, str(listener_id), body)

    @router.delete("/v2/listeners/{listener_id}", status_code=204, response_class=Response, tags=LISTENER_TAGS)
    def delete_listener(listener_id: UUID, tenant_id: Tenant) -> Response:
        listeners.delete(tenant_id, str(listener_id))
        return Response(status_code=204)

    return router
