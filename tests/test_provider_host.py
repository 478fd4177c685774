"""The provider through the real dynamic-provider host over gRPC, against the real emulator.

Configure -> Check -> Diff -> Create -> Read -> Update -> Delete, as the engine calls them.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest

from langsmith_emulator.testing import API_KEY, TENANT_ID, free_port

from .support.bad_inputs import CATALOGUE, Bad
from .support.data import docker_inputs, github_inputs
from .support.host import PROVIDER_STRING, Host, HostError, provider_host
from .support.server import API, besides_live_logs, revision_ids, undocumented

MUTATING = {"POST", "PATCH", "DELETE", "PUT"}


def writes(emulator: Any) -> list[dict[str, Any]]:
    return [r for r in emulator.requests() if r["method"] in MUTATING]


def new_revisions(emulator: Any, dep_id: str, before: list[str]) -> list[str]:
    return [r for r in revision_ids(emulator, dep_id) if r not in before]


def live(emulator: Any) -> list[dict[str, Any]]:
    import requests

    r = requests.get(
        f"{emulator.url}/v2/deployments",
        headers={"X-Api-Key": API_KEY, "X-Tenant-Id": TENANT_ID},
        params={"limit": 100},
        timeout=10,
    )
    r.raise_for_status()
    return list(r.json()["resources"])


def test_serialized_provider_holds_no_credential(host: Host, provider_config: dict[str, str]) -> None:
    raw = base64.b64decode(PROVIDER_STRING)
    assert b"pulumi_langsmith.deployment.provider" in raw and len(PROVIDER_STRING) < 200  # by reference
    for value in provider_config.values():
        assert value.encode() not in raw
    # Configuring the host does not leak the credential into what later calls persist either.
    _, failures = host.check({}, github_inputs())
    assert failures == []


def server_url(emulator: Any, dep_id: str) -> str:
    return f"{emulator.url}/_agents/{dep_id}"


def test_full_lifecycle(host: Host, emulator: Any) -> None:
    inputs, failures = host.check({}, github_inputs(display_name="Agent One"))
    assert failures == []
    dep_id, outs = host.create(inputs)
    assert outs["deployment_id"] == dep_id
    assert outs["revision_status"] == "DEPLOYED"
    assert outs["active_revision_id"] == outs["latest_revision_id"]
    assert outs["status"] == "READY"
    assert outs["url"] == server_url(emulator, dep_id)  # the server's own, where /ok answers
    assert outs["health"] == "ok"
    assert outs["secrets"] == inputs["secrets"]  # echoed; the engine keeps it secret (same key)
    assert outs["secrets_hash"] and "sk-test-secret-value-1" not in str(outs["secrets_hash"])
    [server] = live(emulator)
    assert server.get("display_name") == ("Agent One" if API == "current" else None)

    # No-op: diff is DIFF_NONE and read changes nothing.
    assert host.diff(dep_id, outs, inputs).changes == 1  # DIFF_NONE
    emulator.clear_requests()
    read_id, read_outs, read_inputs = host.read(dep_id, outs)
    assert read_id == dep_id and read_outs == outs
    assert read_inputs == {k: v for k, v in inputs.items()}
    assert len(emulator.requests()) <= 2

    # New ref: exactly one revision, awaited.
    news = copy.deepcopy(inputs)
    news["source_revision_config"]["repo_ref"] = "release"
    diff = host.diff(dep_id, outs, news)
    assert diff.changes == 2 and list(diff.replaces) == []
    emulator.clear_requests()
    before = revision_ids(emulator, dep_id)
    outs2 = host.update(dep_id, outs, news)
    assert new_revisions(emulator, dep_id, before) == [outs2["latest_revision_id"]]
    assert [(r["method"], r["route"]) for r in writes(emulator)] == [("PATCH", "/v2/deployments/{id}")]
    assert besides_live_logs(undocumented(emulator.requests())) == []
    assert outs2["revision_status"] == "DEPLOYED" and outs2["latest_revision_id"] != outs["latest_revision_id"]

    # display_name: PATCH only (a server of the spec's shape has no display_name: nothing is sent).
    news2 = {**news, "display_name": "Renamed"}
    emulator.clear_requests()
    before = revision_ids(emulator, dep_id)
    outs3 = host.update(dep_id, outs2, news2)
    assert new_revisions(emulator, dep_id, before) == []
    assert [r["method"] for r in writes(emulator)] == (["PATCH"] if API == "current" else [])
    assert outs3["latest_revision_id"] == outs2["latest_revision_id"] and outs3["display_name"] == "Renamed"

    # Replacement trigger.
    news3 = copy.deepcopy(news2)
    news3["source_config"]["deployment_type"] = "prod"
    diff = host.diff(dep_id, outs3, news3)
    assert diff.changes == 2 and list(diff.replaces) == ["source_config"] and diff.deleteBeforeReplace

    host.delete(dep_id, outs3)
    assert live(emulator) == []
    # Deleting again is fine (404 = done).
    host.delete(dep_id, outs3)
    # Refresh of a deleted deployment: gone.
    gone_id, _, _ = host.read(dep_id, outs3)
    assert gone_id == ""


def test_external_docker_resource_spec_is_merged(host: Host, emulator: Any) -> None:
    inputs, failures = host.check({}, docker_inputs())
    assert failures == []
    dep_id, outs = host.create(inputs)
    news = copy.deepcopy(inputs)
    news["source_config"]["resource_spec"]["max_scale"] = 4
    before = revision_ids(emulator, dep_id)
    host.update(dep_id, outs, news)
    assert len(new_revisions(emulator, dep_id, before)) == 1
    import requests

    dep = requests.get(
        f"{emulator.url}/v2/deployments/{dep_id}", headers={"X-Api-Key": API_KEY, "X-Tenant-Id": TENANT_ID}, timeout=10
    ).json()
    spec = dep["source_config"]["resource_spec"]
    assert spec["max_scale"] == 4 and spec["cpu"] == 0.5
    assert spec["memory_mb"] == 2048  # a server default survived the whole-object write


@pytest.mark.parametrize("bad", CATALOGUE, ids=lambda b: b.id)
def test_bad_input_refused_by_the_real_host_with_zero_writes(host: Host, emulator: Any, bad: Bad) -> None:
    emulator.clear_requests()
    _, failures = host.check({}, bad.make())
    assert any(p.startswith(bad.prop) for p, _ in failures), failures
    assert writes(emulator) == []


def test_missing_credentials_fail_check_clearly(emulator: Any) -> None:
    with provider_host(env={"LANGSMITH_API_KEY": ""}) as h:
        h.configure({"langsmith:controlPlaneUrl": emulator.url})
        _, failures = h.check({}, github_inputs())
    assert failures and failures[0][0] == "provider"
    assert "langsmith:apiKey" in failures[0][1] and "LANGSMITH_API_KEY" in failures[0][1]


def test_environment_fallback_for_credentials(emulator: Any) -> None:
    env = {
        "LANGSMITH_API_KEY": API_KEY,
        "LANGSMITH_WORKSPACE_ID": TENANT_ID,
        "LANGSMITH_CONTROL_PLANE_URL": emulator.url,
    }
    with provider_host(env=env) as h:
        h.configure({})
        inputs, failures = h.check({}, github_inputs("from-env"))
        assert failures == []
        dep_id, _ = h.create(inputs)
    assert [d["id"] for d in live(emulator)] == [dep_id]


def test_autoname_is_kept_across_updates_and_renewed_on_replacement(host: Host) -> None:
    raw = github_inputs()
    del raw["name"]
    raw["name_prefix"] = "My Agent"
    first, failures = host.check({}, raw)
    assert failures == [] and first["name"].startswith("my-agent-")
    kept, _ = host.check(first, {**raw, "source_revision_config": {**raw["source_revision_config"], "repo_ref": "x"}})
    assert kept["name"] == first["name"]
    replaced_raw = {**raw, "source_config": {**raw["source_config"], "deployment_type": "prod"}}
    replaced, failures = host.check(first, replaced_raw)
    assert failures == [] and replaced["name"] != first["name"] and replaced["name"].startswith("my-agent-")


def test_retried_create_resumes_an_autonamed_deployment_by_its_ownership_tag(host: Host, emulator: Any) -> None:
    raw = github_inputs()
    del raw["name"]
    raw["name_prefix"] = "agent"
    first, _ = host.check({}, raw)
    dep_id, _ = host.create(first)
    # The engine recorded nothing (a killed run): the next check picks another autoname...
    second, _ = host.check({}, raw)
    assert second["name"] != first["name"]
    emulator.clear_requests()
    again_id, again = host.create(second)
    # ...and create still finds the deployment the first attempt made: no duplicate.
    assert again_id == dep_id and again["name"] == first["name"]
    assert [r for r in writes(emulator) if r["route"] == "/v2/deployments"] == []
    assert len(live(emulator)) == 1


def test_same_name_replacement_without_freeing_the_name_is_refused_at_check(host: Host) -> None:
    olds, _ = host.check({}, github_inputs())
    news = copy.deepcopy(olds)
    news["source_config"]["deployment_type"] = "prod"
    _, failures = host.check(olds, news)
    assert [p for p, _ in failures] == ["source_config.deployment_type"]
    assert "delete_tracing_project" in failures[0][1]
    _, ok = host.check({**olds, "delete_tracing_project": True}, {**news, "delete_tracing_project": True})
    assert ok == []


def test_api_errors_surface_without_secret_values(host: Host, emulator: Any) -> None:
    emulator.add_fault(method="POST", path="^/v2/deployments$", kind="500", count=100)
    inputs, _ = host.check({}, github_inputs())
    with pytest.raises(HostError) as err:
        host.create(inputs)
    assert "sk-test-secret-value-1" not in err.value.details
    assert API_KEY not in err.value.details
    assert "/v2/deployments" in err.value.details
    assert "sk-test-secret-value-1" not in host.stderr() and API_KEY not in host.stderr()


def test_spec_server_display_name_kept_in_state_and_never_sent(host: Host, emulator: Any) -> None:
    emulator.settings(api="spec")
    inputs, failures = host.check({}, github_inputs(display_name="Agent One"))
    assert failures == []
    dep_id, outs = host.create(inputs)
    assert [(r["method"], r["route"]) for r in writes(emulator)] == [("POST", "/v2/deployments")]
    assert "display_name" not in live(emulator)[0]
    assert "kept in state only" in host.stderr()
    _, read_outs, read_inputs = host.read(dep_id, outs)
    assert read_outs["display_name"] == "Agent One" == read_inputs["display_name"]
    assert host.diff(dep_id, read_outs, inputs).changes == 1  # DIFF_NONE: no PATCH loop
    assert undocumented(emulator.requests()) == []


def test_masked_server_keeps_the_secrets_hash_and_reads_without_error(host: Host, emulator: Any) -> None:
    inputs, _ = host.check({}, github_inputs())
    dep_id, outs = host.create(inputs)
    emulator.settings(mask_secrets="mask")
    _, read_outs, _ = host.read(dep_id, outs)
    assert read_outs["secrets_hash"] == outs["secrets_hash"]
    assert host.diff(dep_id, read_outs, inputs).changes == 1
    assert "drift of `secrets` cannot be detected" in host.stderr()


def test_adopting_a_deployment_whose_fixed_fields_differ_is_refused(host: Host, emulator: Any) -> None:
    from .support.data import github_body
    from .support.server import api

    foreign = api(emulator, "POST", "/v2/deployments", json=github_body("taken"))
    raw = github_inputs("taken", adopt=True)
    raw["source_config"]["repo_url"] = "https://github.com/acme/another-repo"
    inputs, _ = host.check({}, raw)
    emulator.clear_requests()
    with pytest.raises(HostError) as err:
        host.create(inputs)
    assert "source_config.repo_url" in err.value.details and foreign["id"] in err.value.details
    assert writes(emulator) == []


def test_health_check_failure_names_the_url_and_the_way_out_and_can_be_turned_off(host: Host, emulator: Any) -> None:
    """A URL that never answers `/ok` fails the create at the wait's deadline (the deployment is kept:
    the next `up` resumes it); `wait.health_check=False` skips the call."""
    closed = f"http://127.0.0.1:{free_port()}"
    wait = {"timeout_seconds": 4, "poll_min_seconds": 0.05, "poll_max_seconds": 0.5}
    inputs, failures = host.check({}, docker_inputs(source_config={"custom_url": closed}, wait=wait))
    assert failures == []
    with pytest.raises(HostError) as err:
        host.create(inputs)
    assert f"GET {closed}/ok did not answer 200" in err.value.details
    assert "connection refused" in err.value.details and "wait.health_check=False" in err.value.details
    assert "Traceback" not in err.value.details and API_KEY not in err.value.details
    [server] = live(emulator)
    assert server["active_revision_id"]  # DEPLOYED on the server; only the agent was unreachable

    resumed, _ = host.check({}, {**inputs, "wait": {**wait, "health_check": False}})
    dep_id, outs = host.create(resumed)
    assert dep_id == server["id"] and outs["health"] == "not checked"
