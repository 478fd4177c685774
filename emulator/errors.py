"""Domain errors and their mapping to the API's `{"detail": "..."}` bodies.

The service layer raises these instead of FastAPI's HTTPException so it stays usable (and
testable) without a web framework; one handler turns them into responses.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class ApiError(Exception):
    """An error the real control plane reports as `{"detail": <str>}` with `status`."""

    status: int = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class InvalidInput(Exception):
    """A schema violation found after parsing; answered like FastAPI's 422 (`{"detail": [errors]}`)."""

    status = 422

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0].get("msg", "invalid input") if errors else "invalid input")
        self.errors = errors


def deployment_not_found(deployment_id: str) -> NotFound:
    # The spec documents this exact text, also for an unknown revision of a known deployment.
    return NotFound(f"Deployment ID {deployment_id} not found.")


def listener_not_found(listener_id: str) -> NotFound:
    return NotFound(f"Listener ID {listener_id} not found.")


async def _handle_api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(status_code=exc.status, content={"detail": exc.detail})


async def _handle_invalid_input(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return JSONResponse(status_code=422, content={"detail": exc.errors})


async def _handle_unencodable(_request: Request, _exc: Exception) -> JSONResponse:
    # JSON may carry lone UTF-16 surrogates ("\\ud800") that no UTF-8 store accepts; they are
    # invalid input, reported in FastAPI's validation-error shape rather than as a crash.
    error = {
        "type": "string_unicode",
        "loc": ["body"],
        "msg": "Input should be a valid string: unpaired surrogate characters are not allowed",
    }
    return JSONResponse(status_code=422, content={"detail": [error]})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _handle_api_error)
    app.add_exception_handler(InvalidInput, _handle_invalid_input)
    app.add_exception_handler(UnicodeEncodeError, _handle_unencodable)
