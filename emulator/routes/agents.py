"""The simulated Agent Server of each `github` deployment, at `{emulator}/_agents/{deployment_id}`.

The hosted service gives a Cloud deployment `https://{name}-{hex}.us.langgraph.app`, which cannot be
served from this machine. Without `--run-agents` the local control plane only plays out revision
statuses, so this stand-in answers what a health check asks: `GET /ok` is 200 once a revision is
DEPLOYED (503 before, 404 once the deployment is gone), as the Agent Server's `/ok` readiness route
does. Every other path answers 501 and says how to get a real server. Not an API route: the
middleware neither logs, limits nor faults it, and `--api spec` serves it too (an agent's host is
not the control plane).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ..deployments import AGENT_PREFIX
from ..deps import DeploymentsDep

router = APIRouter(prefix=AGENT_PREFIX, tags=["Simulated Agent Servers (not in the spec)"], include_in_schema=False)

SIMULATED = (
    "This deployment's revisions are simulated by the local control plane: it does not clone GitHub. "
    "Start it with --run-agents --agent-repo <repo_url>=<local directory> to build and serve that "
    "directory here instead."
)


@router.get("/{deployment_id}/ok")
def agent_ok(deployment_id: UUID, deployments: DeploymentsDep) -> JSONResponse:
    dep = deployments.simulated_agent(str(deployment_id))
    if dep is None:
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    if dep.active_revision_id is None:
        return JSONResponse({"detail": "No revision of this deployment is DEPLOYED yet."}, status_code=503)
    return JSONResponse({"ok": True})


@router.api_route("/{deployment_id}/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def agent_other(deployment_id: UUID, path: str, deployments: DeploymentsDep) -> JSONResponse:
    if deployments.simulated_agent(str(deployment_id)) is None:
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    body: dict[str, Any] = {"detail": SIMULATED, "path": f"/{path}"}
    return JSONResponse(body, status_code=501)
