"""`--api current|spec`: the spec shape serves exactly the vendored spec's routes and fields."""

import json

import pytest
import requests

from langsmith_emulator.apishape import SPEC_PATH, documented_template
from langsmith_emulator.testing import API_ENV, default_api, running_emulator

SCHEMAS = json.loads(SPEC_PATH.read_text())["components"]["schemas"]
UUID = "00000000-0000-4000-8000-0000000000aa"


@pytest.fixture
def spec(emulator):
    emulator.settings(api="spec")


def _keys_within_schema(body, schema_name):
    """Every key of `body` (and of its spec-typed children) is a property of the spec's schema."""
    schema = SCHEMAS[schema_name]
    extra = set(body) - set(schema["properties"])
    assert not extra, f"{schema_name} has keys the spec lacks: {extra}"
    for key, ref in (
        ("source_config", "SourceConfig"),
        ("source_revision_config", "SourceRevisionConfig"),
    ):
        if key in schema["properties"] and isinstance(body.get(key), dict):
            _keys_within_schema(body[key], ref)


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("GET", f"/v2/deployments/{UUID}", "/v2/deployments/{deployment_id}"),
        ("PATCH", f"/v2/deployments/{UUID}", "/v2/deployments/{deployment_id}"),
        ("GET", f"/v2/deployments/{UUID}/revisions", "/v2/deployments/{deployment_id}/revisions"),
        ("POST", f"/v2/deployments/{UUID}/revisions", None),
        ("GET", f"/v2/deployments/{UUID}/revisions/{UUID}/logs", None),
        (
            "POST",
            f"/v2/deployments/{UUID}/revisions/{UUID}/redeploy",
            "/v2/deployments/{deployment_id}/revisions/{revision_id}/redeploy",
        ),
        ("PUT", "/v2/deployments", None),
        ("GET", "/v2/deployments/free-count", None),  # not a UUID: not GET /v2/deployments/{deployment_id}
        ("GET", "/v2/deployments/not-a-uuid", None),
        ("POST", f"/v1/projects/{UUID}/deploy_logs", None),
        ("GET", f"/v1/integrations/github/{UUID}/repos", "/v1/integrations/github/{integration_id}/repos"),
        ("DELETE", "/v2/deployments", "/v2/deployments"),
    ],
)
def test_documented_routes_follow_the_vendored_spec(method, path, template):
    assert documented_template(method, path) == template


def test_settings_switch_the_shape_and_reset_restores_the_cli_value(emulator):
    assert emulator.settings()["api"] == "current"
    assert emulator.settings(api="spec")["api"] == "spec"
    bad = requests.patch(f"{emulator.url}/_emulator/settings", json={"api": "newest"})
    assert bad.status_code == 422
    emulator.reset()
    assert emulator.settings()["api"] == "current"


def test_spec_shape_answers_404_to_undocumented_routes_without_running_them(emulator, api, spec):
    dep = api.create_github("spec-404")
    rev = dep["latest_revision_id"]
    calls = [
        ("POST", f"/v2/deployments/{dep['id']}/revisions", {"json": {"source_revision_config": {"repo_ref": "dev"}}}),
        ("POST", f"/api-host/v2/deployments/{dep['id']}/revisions", {"json": {}}),
        ("GET", f"/v2/deployments/{dep['id']}/revisions/{rev}/logs", {"params": {"type": "build"}}),
        ("GET", "/v2/deployments/free-count", {}),
    ]
    for method, path, kwargs in calls:
        response = api.request(method, path, **kwargs)
        assert (response.status_code, response.json()) == (404, {"detail": "Not Found"}), path
    # Unknown routes are answered before auth, as by a server without the route.
    assert requests.get(f"{emulator.url}/v2/deployments/free-count").status_code == 404
    assert len(api.revisions(dep["id"])) == 1  # the POST never reached the service
    # Documented routes still work, at both prefixes.
    assert api.get(f"/api-host/v2/deployments/{dep['id']}/revisions/{rev}").status_code == 200


def test_current_shape_serves_the_newer_routes(api):
    dep = api.create_github("current-routes")
    rev = dep["latest_revision_id"]
    assert api.get(f"/v2/deployments/{dep['id']}/revisions/{rev}/logs", params={"type": "build"}).status_code == 200
    assert api.get("/v2/deployments/free-count").status_code == 200
    assert api.post(f"/v2/deployments/{dep['id']}/revisions", json={}).status_code == 201


def test_spec_shape_bodies_carry_only_spec_fields(api, spec):
    created = api.create_github("spec-fields")
    bodies = [
        ("Deployment", created),
        ("Deployment", api.deployment(created["id"])),
        ("Deployment", api.get("/v2/deployments").json()["resources"][0]),
        ("Deployment", api.patch(f"/v2/deployments/{created['id']}", json={}).json()),
        ("Revision", api.revision(created["id"], created["latest_revision_id"])),
        ("Revision", api.revisions(created["id"])[0]),
    ]
    for schema_name, body in bodies:
        assert "display_name" not in body
        _keys_within_schema(body, schema_name)


def test_current_shape_returns_display_name(api):
    assert api.create_github("current-fields")["display_name"] is None


def test_spec_shape_ignores_display_name_on_patch_and_create(emulator, api, spec):
    dep = api.create_github("spec-dn")
    for value in ("Shiny name", ""):
        response = api.patch(f"/v2/deployments/{dep['id']}", json={"display_name": value})
        assert response.status_code == 200, response.text
        assert "display_name" not in response.json()
        assert response.json()["latest_revision_id"] == dep["latest_revision_id"]
    created = api.post("/v2/deployments", json=api.github_body("spec-dn-create", display_name="Nice"))
    assert created.status_code == 201, created.text
    emulator.settings(api="current")
    assert api.deployment(dep["id"])["display_name"] is None  # never stored
    assert api.deployment(created.json()["id"])["display_name"] is None


def test_spec_shape_ignores_force_on_delete(api, emulator, spec):
    emulator.settings(delete_seconds=30)
    dep = api.create_github("spec-force")
    assert api.delete(f"/v2/deployments/{dep['id']}").status_code == 204
    # An older server does not know `force` (not in the spec): a plain repeated delete, still pending.
    assert api.delete(f"/v2/deployments/{dep['id']}", params={"force": "true"}).status_code == 204
    assert api.deployment(dep["id"])["status"] == "AWAITING_DELETE"


def test_spec_shape_knows_only_the_spec_deployment_types(emulator, api, spec):
    body = api.github_body("spec-type")
    body["source_config"]["deployment_type"] = "serverless"
    response = api.post("/v2/deployments", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "source_config", "deployment_type"]
    emulator.settings(api="current")
    assert api.post("/v2/deployments", json=body).status_code == 201


def test_request_log_marks_documented_routes(emulator, api):
    dep = api.create_github("documented-flag")
    api.post(f"/v2/deployments/{dep['id']}/revisions", json={})
    api.get("/v2/deployments/free-count")
    requests.get(f"{emulator.url}/v2/deployments")  # 401, still a documented route
    emulator.settings(api="spec")
    api.get(f"/v2/deployments/{dep['id']}/revisions/{dep['latest_revision_id']}/logs", params={"type": "deploy"})
    api.get(f"/api-host/v2/deployments/{dep['id']}")
    log = [(e["method"], e["route"], e["status"], e["documented"]) for e in emulator.requests()]
    assert log == [
        ("POST", "/v2/deployments", 201, True),
        ("POST", "/v2/deployments/{id}/revisions", 201, False),
        ("GET", "/v2/deployments/free-count", 200, False),
        ("GET", "/v2/deployments", 401, True),
        ("GET", "/v2/deployments/{id}/revisions/{id}/logs", 404, False),
        ("GET", "/v2/deployments/{id}", 200, True),
    ]


def test_cli_flag_and_environment_choose_the_start_shape(monkeypatch):
    monkeypatch.setenv(API_ENV, "spec")
    with running_emulator() as emu:
        assert emu.settings()["api"] == "spec"
        emu.settings(api="current")
        emu.reset()
        assert emu.settings()["api"] == "spec"  # reset goes back to the CLI value
    with running_emulator(api="current") as emu:  # an explicit argument beats the environment
        assert emu.settings()["api"] == "current"


def test_environment_value_is_checked(monkeypatch):
    monkeypatch.setenv(API_ENV, "")
    assert default_api() == "current"
    monkeypatch.setenv(API_ENV, "older")
    with pytest.raises(ValueError, match=API_ENV):
        default_api()


BODY_ROUTES = [
    ("POST", "/v2/deployments"),
    ("PATCH", "/v2/deployments/{id}"),
    ("POST", "/v2/deployments/{id}/revisions"),
    ("POST", "/v2/listeners"),
    ("PATCH", "/v2/listeners/{listener}"),
]


@pytest.mark.parametrize(("method", "route"), BODY_ROUTES)
@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"name": "\xff\xfe"}', "text/plain"),  # FastAPI alone crashes (500) echoing the bytes
        (b"{not json", None),
    ],
)
def test_invalid_json_bodies_are_the_spec_422_on_every_route(api, emulator, method, route, raw, content_type):
    """The spec answers invalid bodies with 422 HTTPValidationError on every operation that takes one."""
    dep = api.create_github("json-target")
    path = route.format(id=dep["id"], listener="00000000-0000-4000-8000-000000000101")
    headers = {"Content-Type": content_type} if content_type else {"Content-Type": ""}
    response = api.request(method, path, data=raw, headers=headers)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail[0]["loc"][0] == "body"
    assert len(api.revisions(dep["id"])) == 1  # nothing happened


@pytest.mark.parametrize(("method", "route"), BODY_ROUTES)
def test_a_json_body_that_is_not_utf8_is_fastapis_400_on_every_route(api, emulator, method, route):
    """What FastAPI 0.163.2 answers (`routing.py` `get_request_handler`: a UnicodeDecodeError while
    reading the JSON body is `HTTPException(400, "There was an error parsing the body")`), before auth."""
    dep = api.create_github("utf8-target")
    path = route.format(id=dep["id"], listener="00000000-0000-4000-8000-000000000101")
    response = api.request(method, path, data=b'{"name": "\xff\xfe"}', headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json() == {"detail": "There was an error parsing the body"}
    assert len(api.revisions(dep["id"])) == 1  # nothing happened
    anonymous = requests.request(
        method, emulator.url + path, data=b"\xff", headers={"Content-Type": "application/json"}, timeout=10
    )
    assert anonymous.status_code == 400, anonymous.text  # the body is read before the credentials
