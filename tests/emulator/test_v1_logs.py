"""The v1 log routes langgraph-cli calls (`POST /v1/projects/{id}/.../build_logs|deploy_logs`):
shapes, paging, filters and errors, straight over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from langsmith_emulator.testing import OTHER_TENANT_ID, EmulatorProcess

from .conftest import Api

MISSING = "00000000-0000-4000-8000-00000000dead"


def deployed(api: Api, name: str = "logs", revisions: int = 1) -> tuple[str, list[str]]:
    """A deployment with `revisions` DEPLOYED revisions; their IDs newest first."""
    dep, revs = api.deployed(name, [f"registry.example.com/a:{n}" for n in range(1, revisions + 1)])
    return dep["id"], [r["id"] for r in revs]


def logs(api: Api, path: str, body: dict[str, Any] | None = None, status: int = 200, **kw: Any) -> Any:
    response = api.post(path, json=body if body is not None else {}, **kw)
    assert response.status_code == status, response.text
    return response.json()


def test_revision_logs_by_type_in_the_v2_shape(api: Api) -> None:
    dep, (rev,) = deployed(api)
    build = logs(api, f"/v1/projects/{dep}/revisions/{rev}/build_logs", {"order": "asc", "limit": 50})
    deploy = logs(api, f"/v1/projects/{dep}/revisions/{rev}/deploy_logs", {"order": "asc", "limit": 50})
    v2_build = api.get(f"/v2/deployments/{dep}/revisions/{rev}/logs", params={"type": "build"}).json()
    assert build == v2_build  # the same lines, the same shape
    assert [line["message"] for line in build["logs"]] == ["Prebuilt image registry.example.com/a:1: no build required"]
    assert deploy["logs"][-1]["message"] == f"Revision {rev} is now serving traffic"
    assert deploy["next_offset"] is None
    assert all(set(line) == {"id", "timestamp", "level", "message"} for line in deploy["logs"])
    assert all(isinstance(line["timestamp"], int) for line in deploy["logs"])


def test_deployment_deploy_logs_span_every_revision(api: Api) -> None:
    dep, (newer, older) = deployed(api, revisions=2)
    lines = logs(api, f"/v1/projects/{dep}/deploy_logs", {"order": "asc"})["logs"]
    serving = [line["message"] for line in lines if "serving traffic" in line["message"]]
    assert serving == [f"Revision {older} is now serving traffic", f"Revision {newer} is now serving traffic"]
    newest_first = logs(api, f"/v1/projects/{dep}/deploy_logs", {"order": "desc"})["logs"]
    assert newest_first == lines[::-1]


def test_paging_with_next_offset_as_the_cli_streams_build_logs(api: Api) -> None:
    dep, _ = deployed(api, revisions=2)
    everything = logs(api, f"/v1/projects/{dep}/deploy_logs", {"order": "asc", "limit": 1000})["logs"]
    pages: list[dict[str, Any]] = []
    body: dict[str, Any] = {"order": "asc", "limit": 3}
    while True:
        page = logs(api, f"/v1/projects/{dep}/deploy_logs", body)
        pages.extend(page["logs"])
        if page["next_offset"] is None:
            break
        body = {**body, "offset": page["next_offset"]}
    assert pages == everything and len(everything) > 3


def test_filters_level_query_and_time(api: Api) -> None:
    dep, _ = deployed(api)
    path = f"/v1/projects/{dep}/deploy_logs"
    lines = logs(api, path)["logs"]
    assert logs(api, path, {"level": "ERROR"})["logs"] == []
    assert [x["message"] for x in logs(api, path, {"query": "Health check"})["logs"]] == ["Health check passed"]
    last = lines[-1]
    at = datetime.fromtimestamp(last["timestamp"] / 1000, UTC)
    # `--follow` sends the newest entry's time as `start_time` (isoformat, "+00:00"); users type "Z".
    assert last in logs(api, path, {"start_time": at.isoformat()})["logs"]
    assert (
        last
        in logs(api, path, {"start_time": at.isoformat().replace("+00:00", "Z"), "end_time": at.isoformat()})["logs"]
    )
    assert logs(api, path, {"end_time": "2000-01-01T00:00:00Z"})["logs"] == []


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"offset": "abc"}, "Invalid offset 'abc'"),
        ({"start_time": "yesterday"}, "Invalid start_time 'yesterday'"),
        ({"end_time": "soon"}, "Invalid end_time 'soon'"),
    ],
)
def test_bad_cursor_or_time_is_a_400_naming_it(api: Api, body: dict[str, Any], text: str) -> None:
    dep, _ = deployed(api)
    assert text in logs(api, f"/v1/projects/{dep}/deploy_logs", body, status=400)["detail"]


def test_schema_violations_are_422(api: Api) -> None:
    dep, (rev,) = deployed(api)
    for body in ({"limit": 0}, {"limit": 1001}, {"order": "newest"}, {"level": "LOUD"}):
        logs(api, f"/v1/projects/{dep}/revisions/{rev}/build_logs", body, status=422)


def test_unknown_deployment_revision_or_tenant_is_404(api: Api) -> None:
    dep, (rev,) = deployed(api)
    assert (
        logs(api, f"/v1/projects/{MISSING}/deploy_logs", status=404)["detail"] == f"Deployment ID {MISSING} not found."
    )
    assert logs(api, f"/v1/projects/{dep}/revisions/{MISSING}/build_logs", status=404)["detail"] == (
        f"Revision ID {MISSING} not found."
    )
    logs(api, f"/v1/projects/{dep}/revisions/{rev}/deploy_logs", status=404, tenant_id=OTHER_TENANT_ID)
    logs(api, f"/v1/projects/{dep}/deploy_logs", status=404, tenant_id=OTHER_TENANT_ID)


def test_auth_and_the_self_hosted_prefix(api: Api, emulator: EmulatorProcess) -> None:
    dep, _ = deployed(api)
    assert api.post(f"/v1/projects/{dep}/deploy_logs", json={}, headers={"X-Api-Key": ""}).status_code == 401
    assert logs(api, f"/api-host/v1/projects/{dep}/deploy_logs")["logs"]
    routes = [(r["method"], r["route"]) for r in emulator.requests() if r["route"].startswith("/v1/")]
    assert ("POST", "/v1/projects/{id}/deploy_logs") in routes


def test_spec_mode_answers_404(api: Api, emulator: EmulatorProcess) -> None:
    dep, (rev,) = deployed(api)
    emulator.settings(api="spec")
    for path in (
        f"/v1/projects/{dep}/deploy_logs",
        f"/v1/projects/{dep}/revisions/{rev}/deploy_logs",
        f"/v1/projects/{dep}/revisions/{rev}/build_logs",
    ):
        assert logs(api, path, status=404) == {"detail": "Not Found"}
    emulator.settings(api="current")
    assert logs(api, f"/v1/projects/{dep}/deploy_logs")["logs"]
