"""Auth headers and tenant isolation."""

import requests

from langsmith_emulator.testing import API_KEY, OTHER_TENANT_ID, TENANT_ID, running_emulator


def test_missing_or_empty_api_key_is_401(emulator):
    for headers in ({"X-Tenant-Id": TENANT_ID}, {"X-Api-Key": "", "X-Tenant-Id": TENANT_ID}):
        response = requests.get(f"{emulator.url}/v2/deployments", headers=headers)
        assert response.status_code == 401
        assert isinstance(response.json()["detail"], str)


def test_missing_tenant_is_403_requiring_workspace(emulator):
    response = requests.get(f"{emulator.url}/v2/deployments", headers={"X-Api-Key": API_KEY})
    assert response.status_code == 403
    assert "requires workspace specification" in response.json()["detail"]


def test_tenant_header_is_case_insensitive(emulator):
    headers = {"x-api-key": API_KEY, "X-TENANT-ID": TENANT_ID}
    assert requests.get(f"{emulator.url}/v2/deployments", headers=headers).status_code == 200


def test_non_uuid_tenant_is_403(emulator):
    headers = {"X-Api-Key": API_KEY, "X-Tenant-Id": "not-a-workspace"}
    response = requests.get(f"{emulator.url}/v2/deployments", headers=headers)
    assert response.status_code == 403
    assert "not a valid UUID" in response.json()["detail"]


def test_any_non_empty_key_is_accepted_without_api_key_flag(emulator):
    headers = {"X-Api-Key": "whatever-key", "X-Tenant-Id": TENANT_ID}
    assert requests.get(f"{emulator.url}/v2/listeners", headers=headers).status_code == 200


def test_api_key_flag_restricts_keys():
    with running_emulator(api_keys=("key-one", "key-two")) as emu:
        url = f"{emu.url}/v2/deployments"
        assert requests.get(url, headers=emu.headers(api_key="key-one")).status_code == 200
        assert requests.get(url, headers=emu.headers(api_key="key-two")).status_code == 200
        assert requests.get(url, headers=emu.headers(api_key="other")).status_code == 403
        assert requests.get(url, headers=emu.headers(api_key=None)).status_code == 401


def test_auth_applies_under_api_host_prefix_and_to_v1(emulator):
    for path in ("/api-host/v2/deployments", "/v1/integrations/github/install", "/v2/listeners"):
        assert requests.get(f"{emulator.url}{path}").status_code == 401


def test_other_tenant_cannot_see_or_touch_a_deployment(api):
    dep = api.create_github("tenant-a-app")
    path = f"/v2/deployments/{dep['id']}"
    assert dep["tenant_id"] == TENANT_ID
    for method in ("GET", "PATCH", "DELETE"):
        kwargs = {"json": {"display_name": "x"}} if method == "PATCH" else {}
        response = api.request(method, path, tenant_id=OTHER_TENANT_ID, **kwargs)
        assert response.status_code == 404
        assert response.json() == {"detail": f"Deployment ID {dep['id']} not found."}
    other = api.get("/v2/deployments", tenant_id=OTHER_TENANT_ID).json()
    assert other == {"resources": [], "offset": 0}
    revisions = api.get(f"{path}/revisions", tenant_id=OTHER_TENANT_ID)
    assert revisions.status_code == 404
    # and it is still there for its owner
    assert api.get(path).status_code == 200


def test_names_and_listeners_are_per_tenant(api):
    api.create_github("shared-name")
    response = api.post("/v2/deployments", json=api.github_body("shared-name"), tenant_id=OTHER_TENANT_ID)
    assert response.status_code == 201
    assert response.json()["tenant_id"] == OTHER_TENANT_ID
    created = api.post(
        "/v2/listeners",
        json={"compute_type": "k8s", "compute_id": "cluster-a", "compute_config": {"k8s_namespaces": ["a"]}},
    ).json()
    assert api.get(f"/v2/listeners/{created['id']}", tenant_id=OTHER_TENANT_ID).status_code == 404
