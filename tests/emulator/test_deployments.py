"""Create / read / list / delete deployments: codes, bodies, defaults and validation."""

import re
import uuid

import pytest

from langsmith_emulator.testing import GITHUB_INTEGRATION_ID, LISTENER_ID, TENANT_ID


@pytest.mark.parametrize(
    ("source", "missing"),
    [
        ("github", "deployment_type"),
        ("github", "build_on_push"),
        ("internal_docker", "deployment_type"),
        ("internal_source", "deployment_type"),
    ],
)
def test_cloud_create_without_deployment_type_or_build_on_push_is_400(api, source, missing):
    """Terraform provider cloud fake: 'Cloud creates require explicit tier/push settings'."""
    if source == "github":
        body = api.github_body("no-defaults")
    else:
        config_path = {"langgraph_config_path": "langgraph.json"} if source == "internal_source" else {}
        body = {
            "name": "no-defaults",
            "source": source,
            "source_config": {"deployment_type": "dev"},
            "source_revision_config": config_path,
            "secrets": [],
        }
    del body["source_config"][missing]
    response = api.post("/v2/deployments", json=body)
    assert response.status_code == 400
    assert response.json() == {"detail": "Cloud deployment_type and GitHub build_on_push must be supplied"}
    assert api.get("/v2/deployments").json()["resources"] == []  # nothing written


@pytest.mark.parametrize(
    ("source_config", "detail"),
    [
        ({}, "source_config.resource_spec is required for 'external_docker' source (send {} for defaults)."),
        ({"resource_spec": {}, "deployment_type": "prod"}, "source_config.deployment_type is not applicable"),
        ({"resource_spec": {}, "build_on_push": False}, "build_on_push is only valid for GitHub"),
    ],
)
def test_external_docker_create_needs_resource_spec_and_no_cloud_fields(api, source_config, detail):
    body = api.docker_body("strict-docker")
    body["source_config"] = source_config
    response = api.post("/v2/deployments", json=body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)


def test_build_on_push_on_a_cloud_image_source_is_400(api):
    body = {
        "name": "pushy",
        "source": "internal_docker",
        "source_config": {"deployment_type": "dev", "build_on_push": False},
        "source_revision_config": {},
        "secrets": [],
    }
    response = api.post("/v2/deployments", json=body)
    assert (response.status_code, response.json()) == (400, {"detail": "build_on_push is only valid for GitHub"})


def test_secrets_are_required_on_create(api):
    """The spec lists `secrets` as required on DeploymentCreateRequest: FastAPI's 422."""
    body = api.github_body("no-secrets")
    del body["secrets"]
    response = api.post("/v2/deployments", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "secrets"]
    assert api.post("/v2/deployments", json={**body, "secrets": []}).status_code == 201


def test_create_github_returns_201(api):
    dep = api.create(api.github_body("my-app"))
    assert uuid.UUID(dep["id"])
    assert dep["tenant_id"] == TENANT_ID
    assert dep["status"] == "AWAITING_DATABASE"
    assert dep["active_revision_id"] is None
    assert dep["latest_revision_id"]
    sc = dep["source_config"]
    assert sc["deployment_type"] == "dev"
    assert sc["build_on_push"] is False
    assert sc["integration_id"] == GITHUB_INTEGRATION_ID
    # Served by the emulator itself (routes/agents.py), not the hosted *.us.langgraph.app shape.
    assert sc["custom_url"] == f"{api.emu.url}/_agents/{dep['id']}"
    assert sc["resource_spec"] is None
    assert dep["source_revision_config"]["repo_ref"] == "main"
    assert re.fullmatch(r"[0-9a-f]{40}", dep["source_revision_config"]["repo_commit_sha"])
    assert dep["secrets"] == [{"name": "OPENAI_API_KEY", "value": "sk-test"}]
    revisions = api.revisions(dep["id"])
    assert [r["id"] for r in revisions] == [dep["latest_revision_id"]]
    assert revisions[0]["status"] == "CREATING"
    assert revisions[0]["source"] == "github"
    assert "secrets" not in revisions[0] and "resource_spec" not in revisions[0]


def test_create_external_docker_materialises_resource_spec(api):
    dep = api.create_docker("docker-app", source_config={"resource_spec": {"max_scale": 3}})
    spec = dep["source_config"]["resource_spec"]
    assert (spec["min_scale"], spec["max_scale"], spec["cpu"], spec["memory_mb"]) == (1, 3, 1, 2048)
    assert spec["cpu_limit"] is None and spec["sidecars"] is None
    # Self-hosted images take no deployment_type; the service reports `prod` (Terraform offline fake).
    assert dep["source_config"]["deployment_type"] == "prod"
    assert dep["source_config"]["build_on_push"] is False
    assert dep["source_config"]["custom_url"] is None
    assert dep["source_revision_config"]["image_uri"] == "registry.example.com/agent:v1"


def test_create_external_docker_with_seeded_listener(api):
    sc = {"listener_id": LISTENER_ID, "listener_config": {"k8s_namespace": "agents"}}
    dep = api.create_docker("on-listener", source_config=sc)
    assert dep["source_config"]["listener_id"] == LISTENER_ID
    bad = api.docker_body("bad-ns", source_config={**sc, "listener_config": {"k8s_namespace": "nope"}})
    assert api.post("/v2/deployments", json=bad).status_code == 400
    unknown = api.docker_body("bad-listener", source_config={"listener_id": str(uuid.uuid4())})
    assert api.post("/v2/deployments", json=unknown).status_code == 400


@pytest.mark.parametrize(
    "name",
    [
        "",
        "a" * 64,
        "has space",
        " lead",
        "slash/name",
        "my_deployment",  # the official example's name: underscores are refused (CLI, live experiment)
        "Agent",  # lowercase only (vendor CLI normalize_name)
        "1agent",  # starts with a letter: the emulator's stricter rule (evidence: the live experiment only)
        "agent-",  # DNS label: ends with a letter or digit
        "dotted.name",
    ],
)
def test_invalid_names_are_rejected(api, name):
    response = api.post("/v2/deployments", json=api.github_body(name))
    assert response.status_code == 400 and isinstance(response.json()["detail"], str)
    assert "Invalid deployment name" in response.json()["detail"]


@pytest.mark.parametrize("name", ["a", "a" * 63, "agent-2-prod", "x1"])
def test_dns_label_names_are_accepted(api, name):
    assert api.create_github(name)["name"] == name


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("source_config", "integration_id"),
        ("source_config", "repo_url"),
        ("source_revision_config", "repo_ref"),
        ("source_revision_config", "langgraph_config_path"),
    ],
)
def test_github_required_fields_are_400(api, section, field):
    body = api.github_body("missing-field")
    del body[section][field]
    response = api.post("/v2/deployments", json=body)
    assert response.status_code == 400
    assert field in response.json()["detail"]


def test_external_docker_requires_image_uri(api):
    response = api.post("/v2/deployments", json=api.docker_body("no-image", source_revision_config={}))
    assert response.status_code == 400
    assert "image_uri" in response.json()["detail"]


def test_unknown_integration_is_400(api):
    body = api.github_body("x")
    body["source_config"]["integration_id"] = str(uuid.uuid4())
    assert api.post("/v2/deployments", json=body).status_code == 400


def test_tag_with_build_on_push_is_400_on_create(api):
    body = api.github_body("tagged")
    body["source_config"]["build_on_push"] = True
    body["source_revision_config"]["repo_ref"] = "refs/tags/v1.0.0"
    response = api.post("/v2/deployments", json=body)
    assert response.status_code == 400
    assert "tag" in response.json()["detail"]
    body["source_config"]["build_on_push"] = False
    assert api.post("/v2/deployments", json=body).status_code == 201


@pytest.mark.parametrize("reserved", ["LANGCHAIN_API_KEY", "POSTGRES_URI", "LANGSMITH_API_KEY", "PORT"])
def test_reserved_secret_names_are_400_naming_the_variable(api, reserved):
    body = api.github_body("reserved", secrets=[{"name": reserved, "value": "v"}])
    response = api.post("/v2/deployments", json=body)
    assert response.status_code == 400
    assert reserved in response.json()["detail"]


def test_self_hosted_may_set_cloud_only_reserved_names(api):
    dep = api.create_docker("self-hosted", secrets=[{"name": "LANGSMITH_API_KEY", "value": "lsv2"}])
    assert dep["secrets"] == [{"name": "LANGSMITH_API_KEY", "value": "lsv2"}]


def test_duplicate_secret_names_are_400(api):
    secrets = [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]
    response = api.post("/v2/deployments", json=api.github_body("dupes", secrets=secrets))
    assert response.status_code == 400
    assert "Duplicate" in response.json()["detail"]


def test_display_name_on_create_is_400(api):
    response = api.post("/v2/deployments", json=api.github_body("dn", display_name="Nice"))
    assert response.status_code == 400


def test_schema_violations_are_fastapi_422(api):
    body = api.github_body("x")
    del body["source"]
    response = api.post("/v2/deployments", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "source"] and detail[0]["type"] == "missing"
    body = api.github_body("x", source="svn")
    assert api.post("/v2/deployments", json=body).status_code == 422
    body = api.github_body("x", secrets=None)
    assert api.post("/v2/deployments", json=body).status_code == 422
    assert api.get("/v2/deployments/not-a-uuid").status_code == 422


def test_get_returns_secret_values_and_unknown_id_is_404(api):
    dep = api.create_github("secretive", secrets=[{"name": "TOKEN", "value": "s3cr3t"}])
    assert api.deployment(dep["id"])["secrets"] == [{"name": "TOKEN", "value": "s3cr3t"}]
    listed = api.get("/v2/deployments").json()["resources"][0]
    assert listed["secrets"] == [{"name": "TOKEN", "value": "s3cr3t"}]
    missing = str(uuid.uuid4())
    response = api.get(f"/v2/deployments/{missing}")
    assert response.status_code == 404
    assert response.json() == {"detail": f"Deployment ID {missing} not found."}


def test_everything_is_served_under_api_host_prefix(api):
    response = api.post("/api-host/v2/deployments", json=api.github_body("self-hosted-path"))
    assert response.status_code == 201
    dep_id = response.json()["id"]
    assert api.get(f"/api-host/v2/deployments/{dep_id}").json()["name"] == "self-hosted-path"
    assert api.get(f"/api-host/v2/deployments/{dep_id}/revisions").status_code == 200
    assert api.get("/api-host/v2/listeners").json()["resources"][0]["id"] == LISTENER_ID
    assert api.get("/api-host/v1/integrations/github/install").status_code == 200
    assert api.delete(f"/api-host/v2/deployments/{dep_id}").status_code == 204


def test_list_pagination_and_order(api):
    names = [f"page-{i:02d}" for i in range(7)]
    for name in names:
        api.create_github(name)
    first = api.get("/v2/deployments", params={"limit": 3}).json()
    assert [d["name"] for d in first["resources"]] == ["page-06", "page-05", "page-04"]
    assert first["offset"] == 3
    second = api.get("/v2/deployments", params={"limit": 3, "offset": first["offset"]}).json()
    assert [d["name"] for d in second["resources"]] == ["page-03", "page-02", "page-01"]
    assert second["offset"] == 6
    last = api.get("/v2/deployments", params={"limit": 3, "offset": 6}).json()
    assert [d["name"] for d in last["resources"]] == ["page-00"] and last["offset"] == 7
    beyond = api.get("/v2/deployments", params={"offset": 50}).json()
    assert beyond == {"resources": [], "offset": 50}
    assert len(api.get("/v2/deployments").json()["resources"]) == 7  # default limit 20


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "x"}])
def test_list_bounds_are_422(api, params):
    assert api.get("/v2/deployments", params=params).status_code == 422
    assert api.get("/v2/listeners", params=params).status_code == 422


def test_list_filters(api, emulator):
    emulator.settings(delete_seconds=30)  # keep the deleted one visible while filtering
    a = api.create_github("alpha-app")
    b = api.create_github(
        "beta-app", source_config={**api.github_body("x")["source_config"], "deployment_type": "prod"}
    )
    c = api.create_docker("gamma-svc")

    def names(**params):
        return sorted(d["name"] for d in api.get("/v2/deployments", params=params).json()["resources"])

    assert names(name_contains="app") == ["alpha-app", "beta-app"]
    assert names(name_contains="ETA") == []  # substring match is case-sensitive
    assert names(deployment_type="prod") == ["beta-app", "gamma-svc"]  # images report `prod`
    assert names(deployment_ids=f"{a['id']},{c['id']}") == ["alpha-app", "gamma-svc"]
    assert names(status="AWAITING_DATABASE") == ["alpha-app", "beta-app", "gamma-svc"]
    api.delete(f"/v2/deployments/{b['id']}")
    assert names(status="AWAITING_DELETE") == ["beta-app"]
    assert names(tag_value_ids=str(uuid.uuid4())) == []
    assert api.get("/v2/deployments", params={"deployment_type": "bogus"}).status_code == 422


def test_delete_is_asynchronous_then_404(api, emulator):
    emulator.settings(delete_seconds=0.8)
    dep = api.create_github("short-lived")
    response = api.delete(f"/v2/deployments/{dep['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert api.deployment(dep["id"])["status"] == "AWAITING_DELETE"
    # deleting again while it is being deleted is accepted
    assert api.delete(f"/v2/deployments/{dep['id']}").status_code == 204
    api.wait_gone(dep["id"])
    assert api.delete(f"/v2/deployments/{dep['id']}").status_code == 404
    assert api.get(f"/v2/deployments/{dep['id']}/revisions").status_code == 404


def test_force_delete_only_after_a_soft_delete(api, emulator):
    emulator.settings(delete_seconds=30)
    dep = api.create_github("forced")
    path = f"/v2/deployments/{dep['id']}"
    assert api.delete(path, params={"force": "true"}).status_code == 400
    assert api.delete(path).status_code == 204
    assert api.delete(path, params={"force": "true"}).status_code == 204
    assert api.get(path).status_code == 404


def test_name_reuse_conflicts_until_tracing_project_is_deleted(api, emulator):
    emulator.settings(delete_seconds=0.8)
    dep = api.create_github("reused")
    live = api.post("/v2/deployments", json=api.github_body("reused"))
    assert live.status_code == 409
    assert "already exists" in live.json()["detail"]
    api.delete(f"/v2/deployments/{dep['id']}")
    deleting = api.post("/v2/deployments", json=api.github_body("reused"))
    assert deleting.status_code == 409  # still AWAITING_DELETE
    assert "deployment named 'reused' already exists" in deleting.json()["detail"]
    api.wait_gone(dep["id"])
    leftover = api.post("/v2/deployments", json=api.github_body("reused"))
    assert leftover.status_code == 409  # the tracing project survived the delete
    assert "tracing project named 'reused' already exists" in leftover.json()["detail"]


def test_delete_tracing_project_frees_the_name(api, emulator):
    emulator.settings(delete_seconds=0.8)
    dep = api.create_github("recycled")
    assert api.delete(f"/v2/deployments/{dep['id']}", params={"delete_tracing_project": "true"}).status_code == 204
    assert api.post("/v2/deployments", json=api.github_body("recycled")).status_code == 409
    api.wait_gone(dep["id"])
    again = api.create_github("recycled")
    assert again["id"] != dep["id"]


def test_bulk_delete_codes(api, emulator):
    emulator.settings(delete_seconds=30)
    a = api.create_github("bulk-a")
    b = api.create_github("bulk-b")
    ok = api.delete("/v2/deployments", params={"deployment_ids": [a["id"], b["id"]]})
    assert ok.status_code == 200
    assert sorted(ok.json()["deleted_deployment_ids"]) == sorted([a["id"], b["id"]])
    c = api.create_github("bulk-c")
    missing = str(uuid.uuid4())
    partial = api.delete("/v2/deployments", params={"deployment_ids": [c["id"], missing]})
    assert partial.status_code == 207
    assert partial.json()["failed"][0]["deployment_id"] == missing
    none = api.delete("/v2/deployments", params={"deployment_ids": [missing]})
    assert none.status_code == 404
    assert none.json() == {"detail": f"Deployment ID {missing} not found."}
    assert api.delete("/v2/deployments").status_code == 422
    assert api.deployment(c["id"])["status"] == "AWAITING_DELETE"


def test_free_count_counts_dev_free_deployments(api):
    assert api.get("/v2/deployments/free-count").json() == {"count": 0}
    sc = {**api.github_body("x")["source_config"], "deployment_type": "dev_free"}
    api.create_github("free-one", source_config=sc)
    api.create_github("paid-one")
    assert api.get("/v2/deployments/free-count").json() == {"count": 1}


def test_internal_docker_has_no_revision_until_the_first_push(api):
    body = {
        "name": "cli-built",
        "source": "internal_docker",
        "source_config": {"deployment_type": "dev"},
        "source_revision_config": {},
        "secrets": [],
    }
    dep = api.create(body)
    assert dep["latest_revision_id"] is None
    assert api.revisions(dep["id"]) == []
    patched = api.patch(
        f"/v2/deployments/{dep['id']}",
        json={"source_revision_config": {"image_uri": "us-docker.pkg.dev/x/agent@sha256:abc"}},
    ).json()
    assert patched["latest_revision_id"] is not None
    assert api.watch(dep["id"], patched["latest_revision_id"])[-1] == "DEPLOYED"
