"""The v2 revision routes (under a deployment): thin adapters from HTTP to `Deployments`."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from ..deps import DeploymentsDep, Tenant
from ..errors import BadRequest
from ..models import Deployment, LogsResponse, Revision, RevisionCreateRequest, RevisionsList
from .params import DEPLOYMENT_TAGS, Limit, LogLevel, Offset, csv

router = APIRouter(tags=DEPLOYMENT_TAGS)


@router.get("/v2/deployments/{deployment_id}/revisions")
def list_revisions(
    deployment_id: UUID,
    tenant_id: Tenant,
    deployments: DeploymentsDep,
    limit: Limit = 20,
    offset: Offset = 0,
    status: str | None = None,
    remote_reconciled: bool | None = None,
) -> RevisionsList:
    return deployments.list_revisions(tenant_id, str(deployment_id), csv(status), limit, offset)


@router.post("/v2/deployments/{deployment_id}/revisions", status_code=201)
def create_revision(
    deployment_id: UUID, body: RevisionCreateRequest, tenant_id: Tenant, deployments: DeploymentsDep
) -> Revision:
    return deployments.create_revision(tenant_id, str(deployment_id), body)


@router.get("/v2/deployments/{deployment_id}/revisions/{revision_id}")
def get_revision(deployment_id: UUID, revision_id: UUID, tenant_id: Tenant, deployments: DeploymentsDep) -> Revision:
    return deployments.get_revision(tenant_id, str(deployment_id), str(revision_id))


@router.post("/v2/deployments/{deployment_id}/revisions/{revision_id}/redeploy")
def redeploy_revision(
    deployment_id: UUID, revision_id: UUID, tenant_id: Tenant, deployments: DeploymentsDep
) -> Deployment:
    return deployments.redeploy(tenant_id, str(deployment_id), str(revision_id))


@router.get("/v2/deployments/{deployment_id}/revisions/{revision_id}/logs")
def list_revision_logs(
    deployment_id: UUID,
    revision_id: UUID,
    tenant_id: Tenant,
    deployments: DeploymentsDep,
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
