"""The v2 deployment routes: thin adapters from HTTP to `Deployments` (deployments.py).

Function names are chosen so FastAPI derives the same operationIds as the official spec.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from ..deps import DeploymentsDep, Tenant
from ..models import (
    Deployment,
    DeploymentCreateRequest,
    DeploymentPatchRequest,
    DeploymentsList,
    DeploymentType,
    FreeCount,
)
from ..store import DeploymentFilter
from .params import DEPLOYMENT_TAGS, Limit, Offset, csv, id_list

router = APIRouter(tags=DEPLOYMENT_TAGS)


@router.get("/v2/deployments")
def list_deployments(
    tenant_id: Tenant,
    deployments: DeploymentsDep,
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
        deployment_ids=id_list(deployment_ids),
        image_version=image_version,
        tag_value_ids=csv(tag_value_ids),
    )
    return deployments.list_deployments(tenant_id, flt, limit, offset)


@router.post("/v2/deployments", status_code=201)
def create_deployment(
    body: DeploymentCreateRequest, tenant_id: Tenant, deployments: DeploymentsDep, request: Request
) -> Deployment:
    return deployments.create(tenant_id, body, agent_base=str(request.base_url))


@router.delete("/v2/deployments", responses={207: {"description": "Partial success"}})
def delete_deployments(
    tenant_id: Tenant, deployments: DeploymentsDep, deployment_ids: Annotated[list[UUID], Query(max_length=100)]
) -> JSONResponse:
    result = deployments.delete_many(tenant_id, [str(i) for i in deployment_ids])
    return JSONResponse(status_code=result.status, content=result.body)


@router.get("/v2/deployments/free-count")
def get_free_deployment_count(tenant_id: Tenant, deployments: DeploymentsDep) -> FreeCount:
    return deployments.free_count(tenant_id)


@router.get("/v2/deployments/{deployment_id}")
def get_deployment(deployment_id: UUID, tenant_id: Tenant, deployments: DeploymentsDep) -> Deployment:
    return deployments.get(tenant_id, str(deployment_id))


@router.patch("/v2/deployments/{deployment_id}")
def patch_deployment(
    deployment_id: UUID, body: DeploymentPatchRequest, tenant_id: Tenant, deployments: DeploymentsDep
) -> Deployment:
    return deployments.patch(tenant_id, str(deployment_id), body)


@router.delete("/v2/deployments/{deployment_id}", status_code=204, response_class=Response)
def delete_deployment(
    deployment_id: UUID,
    tenant_id: Tenant,
    deployments: DeploymentsDep,
    delete_tracing_project: bool = False,
    force: bool = False,
) -> Response:
    deployments.delete(tenant_id, str(deployment_id), delete_tracing_project=delete_tracing_project, force=force)
    return Response(status_code=204)
