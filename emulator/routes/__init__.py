"""One `APIRouter` per resource, and the one place that mounts them.

The public routers are mounted twice, at `/` (cloud) and at `/api-host` (self-hosted prefix); the
test-control router once, at `/_emulator`, and the simulated agents' URLs at `/_agents`.
"""

from fastapi import APIRouter, FastAPI

from ..requestlog import API_HOST_PREFIX
from . import agents, control, deployments, integrations, listeners, revisions, uploads, v1_logs

#: The spec's resources, in the order the generated docs list them.
PUBLIC: tuple[APIRouter, ...] = (integrations.router, deployments.router, revisions.router, listeners.router)


def include_routes(app: FastAPI) -> None:
    for router in PUBLIC:
        app.include_router(router)
    for router in PUBLIC:
        app.include_router(router, prefix=API_HOST_PREFIX, include_in_schema=False)
    # What langgraph-cli calls beyond the spec (`--api current` only).
    app.include_router(v1_logs.router)
    app.include_router(v1_logs.router, prefix=API_HOST_PREFIX, include_in_schema=False)
    app.include_router(uploads.router)
    app.include_router(uploads.router, prefix=API_HOST_PREFIX, include_in_schema=False)
    app.include_router(uploads.storage)  # the signed URLs, once: they are not an API route
    app.include_router(agents.router)  # simulated agents' URLs (not an API route)
    app.include_router(control.router)
