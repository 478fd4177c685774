"""Listeners and GitHub integrations, including the seeded fixtures."""

import uuid

from langsmith_emulator.testing import (
    FORGE_INTEGRATION_ID,
    GITHUB_INTEGRATION_ID,
    GITHUB_REPO_URL,
    LISTENER_ID,
    OTHER_TENANT_ID,
)


def test_every_tenant_gets_the_seeded_listener(api):
    for tenant in (None, OTHER_TENANT_ID):
        listing = api.get("/v2/listeners", tenant_id=tenant).json()
        assert listing["offset"] == 1
        (listener,) = listing["resources"]
        assert listener["id"] == LISTENER_ID
        assert listener["compute_type"] == "k8s"
        assert listener["compute_config"] == {"k8s_namespaces": ["default", "agents"]}


def test_listener_crud(api):
    body = {
        "compute_type": "k8s",
        "compute_id": "prod-cluster",
        "version": "1.0",
        "compute_config": {"k8s_namespaces": ["a"]},
    }
    response = api.post("/v2/listeners", json=body)
    assert response.status_code == 201
    created = response.json()
    assert uuid.UUID(created["id"]) and created["compute_id"] == "prod-cluster" and created["version"] == "1.0"
    path = f"/v2/listeners/{created['id']}"
    assert api.get(path).json() == created
    patched = api.patch(path, json={"compute_config": {"k8s_namespaces": ["a", "b"]}}).json()
    assert patched["compute_config"] == {"k8s_namespaces": ["a", "b"]}
    assert patched["version"] == "1.0"  # untouched
    assert patched["compute_id"] == "prod-cluster"
    assert api.patch(path, json={"version": "1.1"}).json()["version"] == "1.1"
    listing = api.get("/v2/listeners", params={"limit": 1, "offset": 1}).json()
    assert [x["id"] for x in listing["resources"]] == [created["id"]] and listing["offset"] == 2
    deleted = api.delete(path)
    assert deleted.status_code == 204 and deleted.content == b""
    missing = api.get(path)
    assert missing.status_code == 404
    assert missing.json() == {"detail": f"Listener ID {created['id']} not found."}
    assert api.delete(path).status_code == 404
    assert api.patch(path, json={}).status_code == 404


def test_duplicate_compute_id_is_409(api):
    body = {"compute_type": "k8s", "compute_id": "emulator-cluster", "compute_config": {}}
    response = api.post("/v2/listeners", json=body)
    assert response.status_code == 409
    assert "emulator-cluster" in response.json()["detail"] and "already exists" in response.json()["detail"]


def test_listener_validation_is_422(api):
    assert (
        api.post("/v2/listeners", json={"compute_type": "ecs", "compute_id": "x", "compute_config": {}}).status_code
        == 422
    )
    assert api.post("/v2/listeners", json={"compute_type": "k8s", "compute_config": {}}).status_code == 422
    assert api.get("/v2/listeners/not-a-uuid").status_code == 422


def test_github_integrations_and_repositories(api):
    integrations = api.get("/v1/integrations/github/install").json()
    assert GITHUB_INTEGRATION_ID in [i["id"] for i in integrations]
    assert all(isinstance(i["installation_id"], int) and i["name"] for i in integrations)
    repos = api.get(f"/v1/integrations/github/{GITHUB_INTEGRATION_ID}/repos").json()
    example = next(r for r in repos if r["url"] == GITHUB_REPO_URL)
    assert example == {
        "host_integration_id": GITHUB_INTEGRATION_ID,
        "id": example["id"],
        "name": "langgraph-example",
        "owner": "langchain-ai",
        "url": GITHUB_REPO_URL,
        "default_branch": "main",
    }
    assert api.get(f"/v1/integrations/github/{uuid.uuid4()}/repos").json() == []
    assert api.get("/v1/integrations/github/nope/repos").status_code == 422


def test_forge_integrations(api):
    (forge,) = api.get("/v1/integrations/forge/github/install").json()
    assert forge["id"] == FORGE_INTEGRATION_ID
    repos = api.get(f"/v1/integrations/forge/github/{FORGE_INTEGRATION_ID}/repos").json()
    assert repos and repos[0]["host_integration_id"] == FORGE_INTEGRATION_ID


def test_unpaired_surrogates_are_422_not_a_crash(api):
    raw = '{"compute_type": "k8s", "compute_id": "\\ud800", "compute_config": {}}'
    response = api.post("/v2/listeners", data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "string_unicode"
    assert api.get("/v2/listeners").status_code == 200
