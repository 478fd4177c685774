"""The /_emulator test-control API: settings, reset, request log and fault injection."""

import re
import time

import pytest
import requests

from langsmith_emulator.testing import TENANT_ID, running_emulator

from .conftest import DEFAULT_SETTINGS


def test_settings_get_patch_and_reset(emulator, api):
    assert emulator.settings() == {
        **DEFAULT_SETTINGS,
        "build_seconds": 0.3,
        "deploy_seconds": 0.3,
        "delete_seconds": 0.2,
    }
    changed = emulator.settings(build_seconds=1.5, fault_rate=0.25)
    assert changed["build_seconds"] == 1.5 and changed["fault_rate"] == 0.25
    assert changed["deploy_seconds"] == 0.3
    bad = requests.patch(f"{emulator.url}/_emulator/settings", json={"fault_rate": 2})
    assert bad.status_code == 422
    typo = requests.patch(f"{emulator.url}/_emulator/settings", json={"build_second": 1})
    assert typo.status_code == 422
    emulator.reset()
    assert emulator.settings()["build_seconds"] == 0.3
    assert emulator.settings()["fault_rate"] == 0.0


def test_reset_wipes_state_and_reseeds_fixtures(emulator, api):
    dep = api.create_github("to-be-wiped")
    listeners = api.get("/v2/listeners").json()["resources"]
    api.delete(f"/v2/listeners/{listeners[0]['id']}")
    emulator.add_fault(kind="500", path="^/nothing$")
    emulator.add_outcome(outcome="STUCK")
    response = requests.post(f"{emulator.url}/_emulator/reset")
    assert response.status_code == 204
    assert api.get(f"/v2/deployments/{dep['id']}").status_code == 404
    assert len(api.get("/v2/listeners").json()["resources"]) == 1  # the seeded listener is back
    assert emulator.faults() == [] and emulator.outcomes() == []
    assert [r["route"] for r in emulator.requests()] == ["/v2/deployments/{id}", "/v2/listeners"]
    assert api.create_github("to-be-wiped")["name"] == "to-be-wiped"  # tracing project gone too


def test_request_log_records_public_requests(emulator, api):
    dep = api.create_github("logged-requests")
    api.get(f"/api-host/v2/deployments/{dep['id']}/revisions", params={"limit": 5})
    requests.get(f"{emulator.url}/v2/deployments")  # unauthenticated
    requests.get(f"{emulator.url}/ok")
    requests.get(f"{emulator.url}/openapi.json")
    log = emulator.requests()
    assert [(e["method"], e["route"], e["status"]) for e in log] == [
        ("POST", "/v2/deployments", 201),
        ("GET", "/v2/deployments/{id}/revisions", 200),
        ("GET", "/v2/deployments", 401),
    ]
    entry = log[1]
    assert entry["path"] == f"/api-host/v2/deployments/{dep['id']}/revisions"
    assert entry["query"] == "limit=5"
    assert entry["tenant_id"] == TENANT_ID
    assert entry["fault"] is None
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", entry["time"])
    assert log[2]["tenant_id"] is None
    assert [e["seq"] for e in log] == [1, 2, 3]
    assert [e["seq"] for e in emulator.requests(since=2)] == [3]
    assert requests.delete(f"{emulator.url}/_emulator/requests").status_code == 204
    assert emulator.requests() == []
    api.get("/v2/listeners")
    assert [e["seq"] for e in emulator.requests()] == [4]  # numbering continues after a clear


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_server_error_faults_do_not_execute_the_request(emulator, api, kind):
    rule = emulator.add_fault(method="POST", path="^/v2/deployments$", kind=kind, count=1)
    assert rule["id"] and rule["kind"] == kind and rule["count"] == 1
    response = api.post("/v2/deployments", json=api.github_body("faulted"))
    assert response.status_code == int(kind)
    assert response.json() == {"detail": "injected fault"}
    assert api.get("/v2/deployments").json()["resources"] == []  # nothing was created
    assert api.post("/v2/deployments", json=api.github_body("faulted")).status_code == 201  # count used up
    assert emulator.requests()[0]["fault"] == kind
    assert emulator.faults() == []


def test_429_sets_retry_after(emulator, api):
    assert emulator.add_fault(kind=429, retry_after=7, count=2)["kind"] == "429"  # numbers are accepted too
    for _ in range(2):
        response = api.get("/v2/deployments")
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "7"
    assert api.get("/v2/deployments").status_code == 200


def test_latency_fault_delays_then_executes(emulator, api):
    emulator.add_fault(kind="latency", latency_ms=400, method="POST", count=1)
    started = time.monotonic()
    response = api.post("/v2/deployments", json=api.github_body("slow"))
    assert response.status_code == 201
    assert time.monotonic() - started >= 0.4
    assert emulator.requests()[0]["fault"] == "latency"


def test_drop_resets_the_connection_without_executing(emulator, api):
    emulator.add_fault(kind="drop", method="POST", path="/v2/deployments$", count=1)
    with pytest.raises(requests.ConnectionError):
        api.post("/v2/deployments", json=api.github_body("dropped"))
    assert api.get("/v2/deployments").json()["resources"] == []
    assert emulator.requests()[0]["fault"] == "drop"
    assert emulator.requests()[0]["status"] == 0
    # the server (and the same client session) keep working
    assert api.post("/v2/deployments", json=api.github_body("dropped")).status_code == 201


def test_commit_then_drop_commits_but_never_answers(emulator, api):
    emulator.add_fault(kind="commit_then_drop", method="POST", path="^/v2/deployments$", count=1)
    with pytest.raises(requests.ConnectionError):
        api.post("/v2/deployments", json=api.github_body("ghost"))
    names = [d["name"] for d in api.get("/v2/deployments").json()["resources"]]
    assert names == ["ghost"]
    entry = emulator.requests()[0]
    assert entry["fault"] == "commit_then_drop" and entry["status"] == 201
    retry = api.post("/v2/deployments", json=api.github_body("ghost"))
    assert retry.status_code == 409  # what a naive retry sees


def test_rules_match_method_and_path_with_or_without_prefix(emulator, api):
    emulator.add_fault(method="GET", path="^/v2/listeners", kind="503")
    assert api.get("/v2/listeners").status_code == 503
    assert api.get("/api-host/v2/listeners").status_code == 503  # matched on the unprefixed path too
    assert api.get("/v2/deployments").status_code == 200
    assert api.post("/v2/listeners", json={}).status_code == 422  # other method
    emulator.add_fault(path="^/api-host/", kind="502")
    assert api.get("/api-host/v2/deployments").status_code == 502
    assert api.get("/v2/deployments").status_code == 200


def test_rule_listing_and_deletion(emulator):
    a = emulator.add_fault(kind="500", path="^/a$")
    b = emulator.add_fault(kind="latency", path="^/b$", probability=0.5, latency_ms=10)
    assert [r["id"] for r in emulator.faults()] == [a["id"], b["id"]]
    assert b["probability"] == 0.5 and b["latency_ms"] == 10 and b["count"] is None
    assert requests.delete(f"{emulator.url}/_emulator/faults/{a['id']}").status_code == 204
    assert requests.delete(f"{emulator.url}/_emulator/faults/{a['id']}").status_code == 404
    assert [r["id"] for r in emulator.faults()] == [b["id"]]
    assert requests.delete(f"{emulator.url}/_emulator/faults").status_code == 204
    assert emulator.faults() == []
    for bad in (
        {"kind": "418"},
        {"kind": "500", "path": "("},
        {"kind": "500", "count": 0},
        {"kind": "500", "x": 1},
    ):
        assert requests.post(f"{emulator.url}/_emulator/faults", json=bad).status_code == 422


def test_control_api_is_never_faulted_or_logged(emulator):
    emulator.add_fault(kind="500")  # every request, any path
    assert requests.get(f"{emulator.url}/_emulator/settings").status_code == 200
    assert requests.get(f"{emulator.url}/ok").json() == {"ok": True}
    assert requests.get(f"{emulator.url}/openapi.json").status_code == 200
    assert emulator.requests() == []


def _fault_pattern(emu, n=40):
    session = requests.Session()
    codes = []
    for _ in range(n):
        try:
            codes.append(session.get(f"{emu.url}/v2/listeners", headers=emu.headers(), timeout=5).status_code)
        except requests.ConnectionError:
            codes.append("drop")
            session = requests.Session()
    return codes, [e["fault"] for e in emu.requests()]


def test_probability_rules_use_the_seeded_rng(emulator):
    emulator.settings(seed=42)
    emulator.add_fault(kind="503", probability=0.5)
    first, _ = _fault_pattern(emulator, 30)
    emulator.reset()
    emulator.settings(seed=42)
    emulator.add_fault(kind="503", probability=0.5)
    second, _ = _fault_pattern(emulator, 30)
    assert first == second
    assert 3 < first.count(503) < 27


def test_global_fault_rate_is_seeded_and_recorded(emulator):
    emulator.settings(fault_rate=0.5, seed=7)
    codes, faults = _fault_pattern(emulator)
    assert {c for c in codes if c != 200} <= {429, 500, 502, 503, "drop"}
    assert 5 < sum(f is not None for f in faults) < 35
    assert {f for f in faults if f} <= {"429", "500", "502", "503", "drop", "latency"}
    for code, fault in zip(codes, faults, strict=True):
        if fault in {"429", "500", "502", "503"}:
            assert code == int(fault)
        elif fault == "drop":
            assert code == "drop"
        else:
            assert code == 200
    emulator.reset()
    emulator.settings(fault_rate=0.5, seed=7)
    assert _fault_pattern(emulator) == (codes, faults)


def test_fault_rate_from_the_command_line():
    with running_emulator(fault_rate=1.0, seed=3) as emu:
        assert emu.settings()["fault_rate"] == 1.0
        _, faults = _fault_pattern(emu, 10)
        assert all(faults)
        assert "commit_then_drop" not in faults
