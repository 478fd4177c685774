"""Domain errors and their mapping to the API's `{"detail": "..."}` bodies.

The service layer raises these instead of FastAPI's HTTPException so it stays usable (and
testable) without a web framework; one handler turns them into responses.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

#: What FastAPI says when a body cannot even be decoded (e.g. bytes that are not UTF-8).
FASTAPI_PARSE_ERROR = "There was an error parsing the body"


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


def undecodable_body_error() -> dict[str, Any]:
    """A body that is not UTF-8 is invalid JSON: the spec's 422, not FastAPI's bare 400."""
    return {"type": "json_invalid", "loc": ["body"], "msg": "JSON decode error", "input": {}}


async def _handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.detail == FASTAPI_PARSE_ERROR:
        return JSONResponse(status_code=422, content={"detail": [undecodable_body_error()]})
    return await http_exception_handler(request, exc)


def _printable(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


async def _handle_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    # FastAPI's own handler decodes raw-body inputs as strict UTF-8 and crashes (500) on others.
    assert isinstance(exc, RequestValidationError)
    errors = jsonable_encoder(exc.errors(), custom_encoder={bytes: _printable})
    return JSONResponse(status_code=422, content={"detail": errors})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _handle_api_error)
    app.add_exception_handler(InvalidInput, _handle_invalid_input)
    app.add_exception_handler(HTTPException, _handle_http_error)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(UnicodeEncodeError, _handle_unencodable)
