"""`GET /v2/deployments?deployment_ids=...` as the spec declares it: one comma-separated string.

The spec gives the parameter no `format: uuid` and no `maxItems` (unlike the bulk DELETE's list), so
no list of IDs is a 422; IDs that name no deployment of the workspace simply match nothing.
"""

import uuid

from langsmith_emulator.testing import OTHER_TENANT_ID

from .conftest import Api


def listed(api: Api, **params: object) -> tuple[list[str], int]:
    response = api.get("/v2/deployments", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    return [d["name"] for d in body["resources"]], body["offset"]


def test_comma_separated_unknown_malformed_and_other_tenants_ids(api, emulator):
    a, b, c = (api.create_docker(name) for name in ("ids-a", "ids-b", "ids-c"))
    theirs = Api(emulator, tenant_id=OTHER_TENANT_ID).create_docker("ids-theirs")
    unknown = str(uuid.uuid4())

    assert listed(api, deployment_ids=f"{a['id']},{c['id']}") == (["ids-c", "ids-a"], 2)  # newest first
    assert listed(api, deployment_ids=f" {a['id']} , {a['id']},") == (["ids-a"], 1)  # blanks, duplicates
    assert listed(api, deployment_ids=f"{unknown},{b['id']},{theirs['id']}") == (["ids-b"], 1)
    assert listed(api, deployment_ids=unknown) == ([], 0)  # unknown IDs: ignored, not a 404
    assert listed(api, deployment_ids=theirs["id"]) == ([], 0)  # another workspace's: as unknown
    # A part that is no UUID names no deployment: it matches nothing (the spec's type is a plain string).
    assert listed(api, deployment_ids="not-a-uuid") == ([], 0)
    assert listed(api, deployment_ids=f"not-a-uuid,{b['id']}") == (["ids-b"], 1)
    assert listed(api, deployment_ids=b["id"].upper()) == (["ids-b"], 1)  # compared as UUIDs
    assert listed(api, deployment_ids="") == ([], 0)  # an empty list selects nothing, not everything
    # Combined with the other filters: all must hold.
    assert listed(api, deployment_ids=f"{a['id']},{b['id']}", name_contains="-b") == (["ids-b"], 1)


def test_repeated_parameter_keeps_the_last_value(api):
    a, b = api.create_docker("rep-a"), api.create_docker("rep-b")
    # A single string in the spec: FastAPI reads one value of a repeated scalar parameter, the last.
    response = api.get("/v2/deployments", params=[("deployment_ids", a["id"]), ("deployment_ids", b["id"])])
    assert [d["name"] for d in response.json()["resources"]] == ["rep-b"]


def test_more_than_100_ids_page_with_limit_and_offset(api, emulator):
    emulator.settings(build_seconds=600, deploy_seconds=600)  # keep the lifecycles quiet
    created = [api.create_docker(f"many-{i:03d}")["id"] for i in range(105)]
    ids = ",".join([*created, *(str(uuid.uuid4()) for _ in range(95))])  # 200 IDs, 105 of them real

    first, offset = listed(api, deployment_ids=ids, limit=100)
    assert (len(first), offset) == (100, 100)
    second, offset = listed(api, deployment_ids=ids, limit=100, offset=offset)
    assert (second, offset) == (["many-004", "many-003", "many-002", "many-001", "many-000"], 105)
    assert listed(api, deployment_ids=ids, limit=100, offset=105) == ([], 105)
    assert first[0] == "many-104" and sorted(first + second) == sorted(f"many-{i:03d}" for i in range(105))

    three = ",".join(created[:3])
    assert listed(api, deployment_ids=three, limit=2) == (["many-002", "many-001"], 2)
    assert listed(api, deployment_ids=three, limit=2, offset=2) == (["many-000"], 3)
    assert api.get("/v2/deployments", params={"deployment_ids": three, "limit": 101}).status_code == 422
