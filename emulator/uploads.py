"""Source tarball uploads for `internal_source` deployments: signed, expiring, single-deployment URLs.

The hosted service answers `POST /v2/deployments/{id}/upload-url` with a Cloud Storage signed URL;
langgraph-cli 0.4.40 PUTs the archive there with `Content-Type: application/gzip` plus the returned
`upload_headers` (`deploy._upload_source_tarball`; without `upload_headers` it sends
`X-Goog-Content-Length-Range: 0,<200 MiB>`, "the byte range Cloud Storage signs into upload URLs"),
then PATCHes the deployment with the returned `object_path` (`deploy._run_remote_build`). Here the
URL is served by the emulator itself (`PUT /_uploads/{token}`), signed with an HMAC key kept in the
database, so URLs and objects survive a restart. Errors of the PUT are GCS-style XML bodies.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import tarfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import escape

from .config import LiveSettings
from .errors import BadRequest
from .store import Store, Tx

UPLOAD_PREFIX = "/_uploads"
#: langgraph-cli `archive._MAX_SIZE` and `deploy._GCS_SIZE_RANGE`: 200 MiB.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
CONTENT_TYPE = "application/gzip"
LENGTH_RANGE_HEADER = "X-Goog-Content-Length-Range"
LENGTH_RANGE = f"0,{MAX_UPLOAD_BYTES}"
SIGNED_HEADERS = "content-type;host;x-goog-content-length-range"
_KEY = "upload_signing_key"
_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


def object_path_for(tenant_id: str, deployment_id: str, token: str) -> str:
    """Where an upload lives; the tenant and deployment are part of it, as in a bucket layout (a guess)."""
    return f"uploads/{tenant_id}/{deployment_id}/{token}.tar.gz"


def signature(key: bytes, *, token: str, object_path: str, deployment_id: str, date: str, expires: int) -> str:
    """HMAC over everything a URL grants: which object, for which deployment, until when, with which headers."""
    payload = "\n".join(["PUT", f"{UPLOAD_PREFIX}/{token}", object_path, deployment_id, date, str(expires)])
    payload += f"\n{SIGNED_HEADERS}\ncontent-type:{CONTENT_TYPE}\nx-goog-content-length-range:{LENGTH_RANGE}"
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def gcs_error(code: str, message: str, details: str | None = None) -> bytes:
    """The XML error body Cloud Storage's XML API answers a signed-URL request with."""
    body = (
        f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
    )
    if details:
        body += f"<Details>{escape(details)}</Details>"
    return (body + "</Error>").encode()


def inspect_tarball(data: bytes | None, config_path: str | None) -> str | None:
    """Why this upload cannot be built (not a gzip tarball, no such `langgraph.json`), or None."""
    if data is None:
        return "the uploaded source tarball is missing"
    config = str(PurePosixPath(config_path or "langgraph.json"))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            names = {str(PurePosixPath(name)) for name in tar.getnames()}
    except (tarfile.TarError, OSError, EOFError) as exc:
        return f"the uploaded source is not a gzip-compressed tar archive ({type(exc).__name__})"
    if config not in names:
        return f"LangGraph configuration file {config} not found in the uploaded source tarball"
    return None


def unpack(data: bytes, target: Path) -> None:
    """Extracts a tarball with tarfile's `data` filter: no links out, no absolute paths, no devices."""
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(target, filter="data")


@dataclass(frozen=True)
class PutResult:
    status: int
    body: bytes = b""
    etag: str | None = None


class Uploads:
    def __init__(self, store: Store, settings: LiveSettings, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock

    def _key(self, tx: Tx) -> bytes:
        """A random key, created once per database (kept by `reset`), so issued URLs outlive a restart."""
        stored = tx.meta(_KEY)
        if stored is None:
            stored = secrets.token_hex(32)
            tx.set_meta(_KEY, stored)
        return bytes.fromhex(stored)

    def issue(self, tenant_id: str, deployment_id: str, base_url: str, *, with_headers: bool) -> dict[str, object]:
        """A new object and its signed PUT URL. The caller has checked the deployment."""
        token = str(uuid.uuid4())
        object_path = object_path_for(tenant_id, deployment_id, token)
        now = self._clock()
        expires = max(1, int(self._settings.current.upload_url_seconds))
        date = datetime.fromtimestamp(int(now), UTC).strftime(_DATE_FORMAT)
        with self._store.tx() as tx:
            sig = signature(
                self._key(tx),
                token=token,
                object_path=object_path,
                deployment_id=deployment_id,
                date=date,
                expires=expires,
            )
            tx.insert_upload(
                {
                    "object_path": object_path,
                    "token": token,
                    "tenant_id": tenant_id,
                    "deployment_id": deployment_id,
                    "created_at": now,
                    "expires_at": int(now) + expires,
                }
            )
        query = (
            f"X-Goog-Algorithm=GOOG4-HMAC-SHA256&X-Goog-Date={date}&X-Goog-Expires={expires}"
            f"&X-Goog-SignedHeaders={SIGNED_HEADERS.replace(';', '%3B')}&X-Goog-Signature={sig}"
        )
        answer: dict[str, object] = {
            "upload_url": f"{base_url.rstrip('/')}{UPLOAD_PREFIX}/{token}?{query}",
            "object_path": object_path,
        }
        if with_headers:  # the client said it sends them (`supports_upload_headers`)
            answer["upload_headers"] = {"Content-Type": CONTENT_TYPE, LENGTH_RANGE_HEADER: LENGTH_RANGE}
        return answer

    def check_request(
        self, token: str, query: dict[str, str], content_type: str | None, length_range: str | None
    ) -> PutResult | None:
        """The refusals that need no body: signature, expiry, signed headers. None: go ahead."""
        with self._store.tx() as tx:
            record = tx.get_upload(token=token)
            key = self._key(tx)
        try:
            date, expires = query["X-Goog-Date"], int(query["X-Goog-Expires"])
            given = query["X-Goog-Signature"]
        except (KeyError, ValueError):
            return PutResult(400, gcs_error("InvalidArgument", "Missing or malformed signed URL query parameters."))
        expected = (
            None
            if record is None
            else signature(
                key,
                token=token,
                object_path=record.object_path,
                deployment_id=record.deployment_id,
                date=date,
                expires=expires,
            )
        )
        if record is None or expected is None or not hmac.compare_digest(expected, given):
            return PutResult(
                403,
                gcs_error(
                    "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided.",
                ),
            )
        if self._clock() >= record.expires_at:
            expired_at = datetime.fromtimestamp(record.expires_at, UTC).isoformat().replace("+00:00", "Z")
            return PutResult(
                403,
                gcs_error(
                    "ExpiredToken", "The provided token has expired.", f"Request signature expired at: {expired_at}"
                ),
            )
        if (content_type or "").split(";")[0].strip().lower() != CONTENT_TYPE:
            return PutResult(
                403,
                gcs_error(
                    "SignatureDoesNotMatch",
                    f"Content-Type must be {CONTENT_TYPE}, the value the URL was signed for (got {content_type!r}).",
                ),
            )
        if (length_range or "").replace(" ", "") != LENGTH_RANGE:
            return PutResult(
                403,
                gcs_error(
                    "SignatureDoesNotMatch",
                    f"{LENGTH_RANGE_HEADER} must be {LENGTH_RANGE}, the value the URL was signed for"
                    f" (got {length_range!r}).",
                ),
            )
        return None

    def store(self, token: str, data: bytes) -> PutResult:
        """Keeps the object (replacing an earlier PUT of the same URL until a revision uses it)."""
        with self._store.tx() as tx:
            record = tx.get_upload(token=token)
            if record is None:  # the deployment went away meanwhile
                return PutResult(404, gcs_error("NoSuchUpload", "The upload no longer exists."))
            used_by = tx.revision_using_tarball(record.object_path)
            if used_by is not None:
                return PutResult(
                    403,
                    gcs_error(
                        "AccessDenied",
                        f"Object {record.object_path} is used by revision {used_by} and cannot be replaced.",
                    ),
                )
            md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
            tx.store_upload(record.object_path, data, md5, self._clock())
        return PutResult(200, etag=f'"{md5}"')

    @staticmethod
    def check_for_revision(tx: Tx, deployment_id: str, object_path: str) -> None:
        """The spec: `source_tarball_path` "must be an object path obtained from the upload-url endpoint.
        Arbitrary paths are not accepted." Checked at PATCH time (the object is known or not now);
        what is inside is the build's business (a bad archive is a BUILD_FAILED)."""
        record = tx.get_upload(object_path=object_path)
        if record is None:
            raise BadRequest(
                f"source_revision_config.source_tarball_path '{object_path}' was not obtained from"
                f" POST /v2/deployments/{deployment_id}/upload-url."
            )
        if record.deployment_id != deployment_id:
            raise BadRequest(
                f"source_revision_config.source_tarball_path '{object_path}' belongs to another deployment."
            )
        if record.uploaded_at is None:
            raise BadRequest(
                f"source_revision_config.source_tarball_path '{object_path}' has not been uploaded:"
                " PUT the archive to the upload_url first."
            )
