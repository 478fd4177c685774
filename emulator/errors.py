"""Domain errors and their mapping to the API's `{"detail": "..."}` bodies.

The service layer raises these instead of FastAPI's HTTPException so it stays usable (and
testable) without a web framework; one handler turns them into responses.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
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


def _printable(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


# A JSON body that is not UTF-8 is left to FastAPI: 400 {"detail": "There was an error parsing the body"}.
# Source: FastAPI 0.163.2 `routing.py` `get_request_handler` (`request.json()` raises UnicodeDecodeError,
# which is not a JSONDecodeError, so it becomes that HTTPException(400)); the service is a FastAPI app
# (the spec is FastAPI's output, `HTTPValidationError`) and its spec documents 400 on the deployment
# bodies. Invalid JSON syntax is FastAPI's 422 `json_invalid`, as there.


async def _handle_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    # FastAPI's own handler decodes raw-body inputs as strict UTF-8 and crashes (500) on others (a body
    # sent without a JSON content type reaches validation as bytes). Deviation: the emulator answers the
    # 422 FastAPI meant to send, the bytes shown with replacement characters, instead of crashing.
    assert isinstance(exc, RequestValidationError)
    errors = jsonable_encoder(exc.errors(), custom_encoder={bytes: _printable})
    return JSONResponse(status_code=422, content={"detail": errors})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _handle_api_error)
    app.add_exception_handler(InvalidInput, _handle_invalid_input)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(UnicodeEncodeError, _handle_unencodable)
