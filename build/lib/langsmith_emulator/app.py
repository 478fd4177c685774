"""`create_app(config)`: the FastAPI application serving the emulated control plane."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from .config import EmulatorConfig
from .control import build_control_router
from .errors import install_error_handlers
from .middleware import EmulatorMiddleware
from .requestlog import API_HOST_PREFIX
from .routes import build_router
from .runtime import Runtime
from .v1_logs import build_v1_logs_router

DESCRIPTION = """A local stand-in for the LangSmith Deployment control plane API (v2 deployments,
revisions, listeners and v1 GitHub integrations). Every route is also served under the
self-hosted prefix `/api-host`. Test-control endpoints live under `/_emulator`."""


def create_app(config: EmulatorConfig | None = None) -> FastAPI:
    runtime = Runtime(config or EmulatorConfig())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runtime.start()
        try:
            yield
        finally:
            runtime.stop()

    app = FastAPI(
        title="LangSmith Deployment Control Plane API (emulator)",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    install_error_handlers(app)

    public = build_router(runtime)
    app.include_router(public)
    app.include_router(public, prefix=API_HOST_PREFIX, include_in_schema=False)
    v1_logs = build_v1_logs_router(runtime)  # what langgraph-cli calls beyond the spec (`--api current`)
    app.include_router(v1_logs)
    app.include_router(v1_logs, prefix=API_HOST_PREFIX, include_in_schema=False)
    app.include_router(build_control_router(runtime))

    @app.get("/ok", include_in_schema=False)
    def ok() -> dict[str, bool]:
        return {"ok": True}

    app.add_middleware(EmulatorMiddleware, faults=runtime.faults, log=runtime.requests, settings=runtime.settings)
    return app
