"""The v1 log routes the vendor's CLI reads; not in the spec (see `v1_logs.py` for their sources).

Under `--api spec` the middleware (apishape.py) answers these paths 404 before they are reached.
"""

from uuid import UUID

from fastapi import APIRouter

from ..deps import RuntimeDep, Tenant
from ..models import LogsResponse
from ..v1_logs import LogsQuery, deployment_lines, revision_lines, select_logs

router = APIRouter(tags=["Logs (v1, used by langgraph-cli; not in the spec)"])


@router.post("/v1/projects/{deployment_id}/revisions/{revision_id}/build_logs")
def list_revision_build_logs(
    deployment_id: UUID, revision_id: UUID, body: LogsQuery, tenant_id: Tenant, runtime: RuntimeDep
) -> LogsResponse:
    return select_logs(revision_lines(runtime, tenant_id, str(deployment_id), str(revision_id), "build"), body)


@router.post("/v1/projects/{deployment_id}/revisions/{revision_id}/deploy_logs")
def list_revision_deploy_logs(
    deployment_id: UUID, revision_id: UUID, body: LogsQuery, tenant_id: Tenant, runtime: RuntimeDep
) -> LogsResponse:
    return select_logs(revision_lines(runtime, tenant_id, str(deployment_id), str(revision_id), "deploy"), body)


@router.post("/v1/projects/{deployment_id}/deploy_logs")
def list_deployment_deploy_logs(
    deployment_id: UUID, body: LogsQuery, tenant_id: Tenant, runtime: RuntimeDep
) -> LogsResponse:
    return select_logs(deployment_lines(runtime, tenant_id, str(deployment_id)), body)
