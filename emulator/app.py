"""`create_app(config)`: the FastAPI application serving the emulated control plane."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from .config import EmulatorConfig
from .errors import install_error_handlers
from .middleware import EmulatorMiddleware
from .routes import include_routes
from .runtime import Runtime

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
    app.state.runtime = runtime  # what the routes' dependencies (deps.py) read
    install_error_handlers(app)
    include_routes(app)

    @app.get("/ok", include_in_schema=False)
    def ok() -> dict[str, bool]:
        return {"ok": True}

    app.add_middleware(
        EmulatorMiddleware,
        faults=runtime.faults,
        log=runtime.requests,
        settings=runtime.settings,
        limiter=runtime.limiter,
    )
    return app
