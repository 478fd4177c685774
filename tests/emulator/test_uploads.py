"""Source uploads (`POST .../upload-url` + the signed PUT) and `internal_source` revisions (issue 14).

The shapes are those langgraph-cli 0.4.40 uses (`host_backend.request_upload_url`,
`deploy._upload_source_tarball`, `host_backend.update_deployment_internal_source`).
"""

from __future__ import annotations

import io
import json
import socket
import tarfile
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from langsmith_emulator.agentrun import stored_port
from langsmith_emulator.testing import EmulatorProcess
from langsmith_emulator.uploads import inspect_tarball, signature

from .conftest import Api

GZIP_HEADERS = {"Content-Type": "application/gzip", "X-Goog-Content-Length-Range": "0,209715200"}


def tarball(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


PROJECT = tarball({"langgraph.json": json.dumps({"dependencies": ["."], "graphs": {"a": "./a.py:graph"}}), "a.py": ""})


def create_source(api: Api, name: str) -> dict[str, Any]:
    """As `langgraph deploy --remote` creates one: an empty source_revision_config (`_resolve_or_create`)."""
    body = {
        "name": name,
        "source": "internal_source",
        "source_config": {"deployment_type": "dev"},
        "source_revision_config": {},
        "secrets": [],
    }
    response = api.post("/v2/deployments", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def upload_url(api: Api, deployment_id: str) -> dict[str, Any]:
    response = api.post(f"/v2/deployments/{deployment_id}/upload-url", json={"supports_upload_headers": True})
    assert response.status_code == 200, response.text
    return dict(response.json())


def put(answer: dict[str, Any], data: bytes = PROJECT, **headers: str) -> requests.Response:
    return requests.put(answer["upload_url"], data=data, headers={**answer["upload_headers"], **headers}, timeout=10)


def patch_source(api: Api, deployment_id: str, object_path: str, config: str = "langgraph.json") -> requests.Response:
    body = {
        "revision_source": "internal_source",
        "source_revision_config": {"source_tarball_path": object_path, "langgraph_config_path": config},
        "secrets": [],
    }
    return api.patch(f"/v2/deployments/{deployment_id}", json=body)


def test_create_has_no_revision_then_upload_and_patch_deploys(api: Api, emulator: EmulatorProcess) -> None:
    dep = create_source(api, "from-dir")
    assert dep["latest_revision_id"] is None
    assert api.revisions(dep["id"]) == []

    answer = upload_url(api, dep["id"])
    assert set(answer) == {"upload_url", "object_path", "upload_headers"}
    assert answer["upload_headers"] == GZIP_HEADERS
    assert answer["upload_url"].startswith(f"{emulator.url}/_uploads/")
    assert dep["id"] in answer["object_path"]
    query = parse_qs(urlsplit(answer["upload_url"]).query)
    assert query["X-Goog-Expires"] == ["900"] and query["X-Goog-Signature"]

    stored = put(answer)
    assert stored.status_code == 200, stored.text
    patched = patch_source(api, dep["id"], answer["object_path"])
    assert patched.status_code == 200, patched.text
    rev_id = patched.json()["latest_revision_id"]
    seen = api.watch(dep["id"], rev_id)
    assert seen[-1] == "DEPLOYED" and "BUILDING" in seen
    revision = api.revision(dep["id"], rev_id)
    assert revision["source"] == "internal_source"
    assert revision["source_revision_config"]["source_tarball_path"] == answer["object_path"]
    build = [line["message"] for line in api.logs(dep["id"], rev_id, "build")]
    assert f"Extracting uploaded source tarball {answer['object_path']}" in build
    # The PUT is public but unauthenticated; it shows in the request log as an undocumented route.
    entry = next(e for e in emulator.requests() if e["method"] == "PUT")
    assert (entry["route"], entry["status"], entry["tenant_id"], entry["documented"]) == (
        "/_uploads/{id}",
        200,
        None,
        False,
    )


def test_without_supports_upload_headers_there_are_none(api: Api) -> None:
    dep = create_source(api, "old-client")
    response = api.post(f"/v2/deployments/{dep['id']}/upload-url", json={})
    assert response.status_code == 200
    assert set(response.json()) == {"upload_url", "object_path"}


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"Content-Type": "application/octet-stream"}, 403, "SignatureDoesNotMatch"),
        ({"X-Goog-Content-Length-Range": "0,999999999"}, 403, "SignatureDoesNotMatch"),
    ],
)
def test_put_must_carry_the_signed_headers(api: Api, change: dict[str, str], status: int, code: str) -> None:
    answer = upload_url(api, create_source(api, "headers")["id"])
    response = put(answer, **change)
    assert response.status_code == status
    assert f"<Code>{code}</Code>" in response.text
    assert patch_source(api, answer["object_path"].split("/")[2], answer["object_path"]).status_code == 400


def test_tampered_signature_or_other_token_is_refused(api: Api) -> None:
    answer = upload_url(api, create_source(api, "tamper")["id"])
    forged = dict(answer, upload_url=answer["upload_url"][:-4] + "0000")
    response = put(forged)
    assert response.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in response.text
    other = upload_url(api, create_source(api, "tamper-two")["id"])
    # One deployment's signature does not open another's object.
    swapped = dict(answer, upload_url=answer["upload_url"].split("?")[0] + "?" + other["upload_url"].split("?")[1])
    assert put(swapped).status_code == 403


def test_put_over_200_mib_is_refused_before_the_body(api: Api) -> None:
    answer = upload_url(api, create_source(api, "too-big")["id"])
    headers = {**answer["upload_headers"], "Content-Length": str(200 * 1024 * 1024 + 1)}
    # A body far shorter than announced: the server must answer from the header alone.
    response = requests.put(answer["upload_url"], data=iter([b"x" * 10]), headers=headers, timeout=10)
    assert response.status_code == 400 and "<Code>EntityTooLarge</Code>" in response.text


def test_expired_url_and_replay_after_expiry_are_403(api: Api, emulator: EmulatorProcess) -> None:
    emulator.settings(upload_url_seconds=1)
    dep = create_source(api, "expiring")
    answer = upload_url(api, dep["id"])
    assert parse_qs(urlsplit(answer["upload_url"]).query)["X-Goog-Expires"] == ["1"]
    assert put(answer).status_code == 200  # in time
    assert put(answer).status_code == 200  # a retry before expiry replaces the object
    time.sleep(2.1)
    replay = put(answer)
    assert replay.status_code == 403
    assert "<Code>ExpiredToken</Code>" in replay.text and replay.headers["content-type"] == "application/xml"
    fresh = upload_url(api, dep["id"])
    time.sleep(2.1)
    assert put(fresh).status_code == 403
    assert patch_source(api, dep["id"], fresh["object_path"]).status_code == 400  # never uploaded


def test_patch_refuses_paths_not_from_upload_url(api: Api) -> None:
    dep = create_source(api, "arbitrary")
    other = create_source(api, "arbitrary-two")
    foreign = upload_url(api, other["id"])
    assert put(foreign).status_code == 200
    pending = upload_url(api, dep["id"])
    cases = {
        "gs://bucket/whatever.tar.gz": "was not obtained from",
        foreign["object_path"]: "belongs to another deployment",
        pending["object_path"]: "has not been uploaded",
    }
    for path, detail in cases.items():
        response = patch_source(api, dep["id"], path)
        assert response.status_code == 400 and detail in response.json()["detail"], response.text
    assert api.revisions(dep["id"]) == []  # nothing written
    create = {
        "name": "create-with-path",
        "source": "internal_source",
        "source_config": {"deployment_type": "dev"},
        "source_revision_config": {"source_tarball_path": foreign["object_path"], "langgraph_config_path": "x"},
        "secrets": [],
    }
    assert api.post("/v2/deployments", json=create).status_code == 400
    assert api.get("/v2/deployments", params={"name_contains": "create-with-path"}).json()["resources"] == []


@pytest.mark.parametrize(
    ("data", "config", "reason"),
    [
        (tarball({"agent.py": ""}), "langgraph.json", "langgraph.json not found in the uploaded source tarball"),
        (PROJECT, "sub/langgraph.json", "sub/langgraph.json not found"),
        (b"not a tarball", "langgraph.json", "not a gzip-compressed tar archive"),
    ],
    ids=["no-config", "config-elsewhere", "not-a-tarball"],  # stable ids: the tarball bytes hold a time
)
def test_bad_archive_is_build_failed_with_the_reason(api: Api, data: bytes, config: str, reason: str) -> None:
    dep = create_source(api, "bad-archive")
    answer = upload_url(api, dep["id"])
    assert put(answer, data).status_code == 200
    patched = patch_source(api, dep["id"], answer["object_path"], config)
    assert patched.status_code == 200, patched.text
    rev_id = patched.json()["latest_revision_id"]
    assert api.watch(dep["id"], rev_id)[-1] == "BUILD_FAILED"
    errors = [line["message"] for line in api.logs(dep["id"], rev_id, "build") if line["level"] == "ERROR"]
    assert any(reason in message for message in errors), errors


def test_object_used_by_a_revision_cannot_be_replaced(api: Api) -> None:
    dep = create_source(api, "immutable")
    answer = upload_url(api, dep["id"])
    assert put(answer).status_code == 200
    assert patch_source(api, dep["id"], answer["object_path"]).status_code == 200
    response = put(answer, tarball({"other": ""}))
    assert response.status_code == 403 and "<Code>AccessDenied</Code>" in response.text


def test_spec_shape_has_no_upload_routes(api: Api, emulator: EmulatorProcess) -> None:
    dep = create_source(api, "spec-shape")
    answer = upload_url(api, dep["id"])
    emulator.settings(api="spec")
    assert api.post(f"/v2/deployments/{dep['id']}/upload-url", json={}).json() == {"detail": "Not Found"}
    refused = put(answer)
    assert (refused.status_code, refused.json()) == (404, {"detail": "Not Found"})


def test_external_docker_gets_no_upload_url(api: Api) -> None:
    dep = api.create_docker("image-only", "registry.example.com/agent:v1")
    response = api.post(f"/v2/deployments/{dep['id']}/upload-url", json={"supports_upload_headers": True})
    assert response.status_code == 400 and "external_docker" in response.json()["detail"]


# --- pure functions -----------------------------------------------------------------------------


def test_signature_binds_object_deployment_and_expiry() -> None:
    base = {"token": "t", "object_path": "uploads/a/b/t.tar.gz", "deployment_id": "b", "date": "d", "expires": 900}
    first = signature(b"k", **base)  # type: ignore[arg-type]
    assert first == signature(b"k", **base)  # type: ignore[arg-type]
    for key, value in (("object_path", "uploads/a/c/t.tar.gz"), ("deployment_id", "c"), ("expires", 901)):
        assert signature(b"k", **{**base, key: value}) != first  # type: ignore[arg-type]
    assert signature(b"other", **base) != first  # type: ignore[arg-type]


def test_inspect_tarball_names_what_is_wrong() -> None:
    assert inspect_tarball(PROJECT, "langgraph.json") is None
    assert inspect_tarball(PROJECT, "./langgraph.json") is None
    assert inspect_tarball(None, "langgraph.json") == "the uploaded source tarball is missing"
    assert "not found" in str(inspect_tarball(PROJECT, "app/langgraph.json"))


def test_stored_port_only_trusts_local_http_urls() -> None:
    assert stored_port("http://127.0.0.1:41234") == 41234
    assert stored_port("https://agent-1.us.langgraph.app") is None
    assert stored_port("http://127.0.0.1:8124/_agents/00000000-0000-4000-8000-000000000001") is None
    assert stored_port(None) is None


def test_a_cut_off_upload_stores_nothing(api: Api) -> None:
    dep = create_source(api, "cut-off")
    answer = upload_url(api, dep["id"])
    parts = urlsplit(answer["upload_url"])
    head = (
        f"PUT {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/gzip\r\n"
        f"X-Goog-Content-Length-Range: 0,209715200\r\nContent-Length: {len(PROJECT)}\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head.encode() + PROJECT[: len(PROJECT) // 2])  # then the connection drops
    response = patch_source(api, dep["id"], answer["object_path"])
    assert response.status_code == 400 and "has not been uploaded" in response.json()["detail"]
    assert put(answer).status_code == 200  # the same URL still works for the retry
    assert patch_source(api, dep["id"], answer["object_path"]).status_code == 200
