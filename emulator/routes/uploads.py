"""Source uploads: `POST .../upload-url` (what langgraph-cli asks for) and the signed URL it PUTs to.

Neither is in the spec: under `--api spec` the middleware answers both 404, as an older server
without uploads would (the PUT is then unreachable anyway, since no URL can be issued). The PUT is
not tenant-authenticated, like a signed Cloud Storage URL: the signature is the credential. It is
logged in the request log and can be faulted like any public route, so a client's upload retries
can be tested.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from ..deps import DeploymentsDep, Tenant, UploadsDep
from ..uploads import LENGTH_RANGE_HEADER, MAX_UPLOAD_BYTES, UPLOAD_PREFIX, PutResult, gcs_error
from .params import DEPLOYMENT_TAGS

router = APIRouter(tags=DEPLOYMENT_TAGS)
storage = APIRouter(tags=["Upload storage (signed URLs; not in the spec)"])


class UploadUrlRequest(BaseModel):
    """langgraph-cli 0.4.40 sends `{"supports_upload_headers": true}` (`host_backend.request_upload_url`)."""

    model_config = ConfigDict(extra="allow")

    supports_upload_headers: bool = False


class UploadUrlResponse(BaseModel):
    upload_url: str
    object_path: str
    upload_headers: dict[str, str] | None = None


@router.post("/v2/deployments/{deployment_id}/upload-url", response_model_exclude_none=True)
def create_upload_url(
    deployment_id: UUID,
    tenant_id: Tenant,
    deployments: DeploymentsDep,
    uploads: UploadsDep,
    request: Request,
    body: UploadUrlRequest | None = None,
) -> UploadUrlResponse:
    deployments.check_upload_target(tenant_id, str(deployment_id))
    answer = uploads.issue(
        tenant_id,
        str(deployment_id),
        str(request.base_url),
        with_headers=bool(body and body.supports_upload_headers),
    )
    return UploadUrlResponse.model_validate(answer)


def _xml(result: PutResult) -> Response:
    headers = {"ETag": result.etag} if result.etag else None
    media = "application/xml" if result.body else None
    return Response(content=result.body, status_code=result.status, media_type=media, headers=headers)


@storage.put(UPLOAD_PREFIX + "/{token}")
async def put_upload(token: UUID, request: Request, uploads: UploadsDep) -> Response:
    query = dict(request.query_params)
    refused = await run_in_threadpool(
        uploads.check_request,
        str(token),
        query,
        request.headers.get("content-type"),
        request.headers.get(LENGTH_RANGE_HEADER),
    )
    if refused is not None:
        return _xml(refused)
    too_large = PutResult(
        400,
        gcs_error(
            "EntityTooLarge",
            f"Your proposed upload is larger than the maximum object size specified in your Policy"
            f" Document ({LENGTH_RANGE_HEADER}: 0,{MAX_UPLOAD_BYTES}).",
        ),
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        return _xml(too_large)  # refused before reading the body
    incomplete = PutResult(400, gcs_error("IncompleteBody", "The body is shorter than its Content-Length."))
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                return _xml(too_large)
            chunks.append(chunk)
    except ClientDisconnect:  # a cut-off upload: nothing is stored (the answer reaches no one)
        return _xml(incomplete)
    if declared is not None and declared.isdigit() and int(declared) != size:
        return _xml(incomplete)
    return _xml(await run_in_threadpool(uploads.store, str(token), b"".join(chunks)))
