"""Upload of a `source_dir` archive (issue 14): the vendor CLI's `request_upload_url` + signed PUT.

Only a 2xx PUT counts as uploaded; a failed or cut-off PUT is retried with a fresh URL (the
service refuses a replay of a used URL after expiry) and, after the last attempt, reported. The
caller sends the PATCH only with the object path this returns, so no revision ever names an object
that was not fully stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import requests

from ..core import engine_watch
from ..core.client import ControlPlaneClient, transport_reason
from ..core.errors import ProviderError
from ..core.progress import progress
from ..core.redact import redact
from ..source_archive import SourceArchive, SourceDirError, upload_request_headers
from .model import DeploymentInputs

UPLOAD_ATTEMPTS = 4
UPLOAD_TIMEOUT = (10.0, 300.0)  # (connect, read): a 200 MiB archive on a slow link
_BACKOFF = (0.5, 1.0, 2.0)


class SourceUploadError(ProviderError):
    """The archive could not be uploaded or no longer matches the plan; nothing was rolled out."""


def reread(d: DeploymentInputs) -> SourceArchive:
    """The archive of `source_dir` as it is now; it must be the one preview planned (`source_hash`),
    or the revision would not be what the diff showed."""
    name = d.name
    directory = d.source_dir or ""
    config = d.source_revision_config.langgraph_config_path or "langgraph.json"
    try:
        archive = SourceArchive.from_dir(directory, config)
    except SourceDirError as exc:
        raise SourceUploadError(f"{name}: {exc}") from None
    if archive.content_hash != d.source_hash:
        raise SourceUploadError(
            f"{name}: source_dir: the files in {directory} changed after the preview (content hash "
            f"{str(d.source_hash)[:12]} planned, {archive.content_hash[:12]} now); nothing was "
            "uploaded. Run `pulumi up` again to deploy the current files"
        )
    return archive


def upload(
    client: ControlPlaneClient,
    dep_id: str,
    name: str,
    archive: SourceArchive,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Upload `archive` for deployment `dep_id`; returns the object path once a PUT answered 2xx."""
    data = archive.build_tarball()
    last = ""
    for attempt in range(UPLOAD_ATTEMPTS):
        if attempt:
            sleep(_BACKOFF[min(attempt - 1, len(_BACKOFF) - 1)])
        target = client.request(
            "POST", f"/v2/deployments/{dep_id}/upload-url", body={"supports_upload_headers": True}, once=True
        )
        if not isinstance(target, Mapping) or not target.get("upload_url") or not target.get("object_path"):
            raise SourceUploadError(f"{name}: the control plane answered upload-url without upload_url/object_path")
        headers = upload_request_headers(target.get("upload_headers"), len(data))
        try:
            # A plain request, not the API session: the signed URL is the credential, the API key
            # must not travel to the bucket.
            with engine_watch.request_slot():  # nothing is sent once the engine that started us is gone
                response = requests.put(str(target["upload_url"]), data=data, headers=headers, timeout=UPLOAD_TIMEOUT)
        except requests.RequestException as exc:
            last = transport_reason(exc)
            continue
        if 200 <= response.status_code < 300:
            progress(f"{name}: uploaded {archive.file_count} files ({len(data)} bytes) from {archive.source_dir}")
            return str(target["object_path"])
        last = f"HTTP {response.status_code}: {redact(response.text)[:300]}"
        if response.status_code in (400, 403) and "EntityTooLarge" in response.text:
            break  # the same bytes will not fit next time either
    raise SourceUploadError(
        f"{name}: uploading the archive of {archive.source_dir} failed after {UPLOAD_ATTEMPTS} attempts ({last}); "
        "no revision was created. Run `pulumi up` again"
    )
