"""Statuses and reads the real service produces: transient statuses, pruned revisions, masked secrets."""

import pytest
import requests

from langsmith_emulator.reserved_env import ALLOWED_SELF_HOSTED, ALWAYS_RESERVED
from langsmith_emulator.sources import RESERVED_ENV_BY_SOURCE, reserved_env
from langsmith_emulator.testing import running_emulator

FINAL = {"DEPLOYED", "CREATE_FAILED", "BUILD_FAILED", "DEPLOY_FAILED", "SKIPPED"}
SECRETS = [{"name": "OPENAI_API_KEY", "value": "sk-test"}]


# --- transient statuses ---------------------------------------------------------------------------


@pytest.mark.parametrize("transient", ["INTERRUPTED", "UNKNOWN"])
def test_transient_status_then_deployed(api, emulator, transient):
    # Long enough that a poller on a loaded machine sees it; the phases around it may be too short to.
    script = emulator.add_outcome(outcome=f"{transient}_THEN_DEPLOYED", deployment_name="wobbly", transient_seconds=2.0)
    assert script["transient_seconds"] == 2.0
    dep = api.create_github("wobbly")
    seen = api.watch(dep["id"], dep["latest_revision_id"], until=FINAL, timeout=30.0)
    assert transient in seen and seen[-1] == "DEPLOYED", seen
    before, after = seen[: seen.index(transient)], seen[seen.index(transient) + 1 :]
    assert "DEPLOYED" not in before and set(after) <= {"DEPLOYING", "DEPLOYED"}, seen
    final = api.deployment(dep["id"])
    assert final["active_revision_id"] == dep["latest_revision_id"] and final["status"] == "READY"
    logs = api.logs(dep["id"], dep["latest_revision_id"], "deploy")
    assert any(x["level"] == "WARNING" and transient in x["message"] for x in logs)


def test_transient_revision_lasts_as_scripted_and_holds_the_queue(api, emulator):
    emulator.add_outcome(
        outcome="UNKNOWN_THEN_DEPLOYED", image_uri="registry.example.com/slow:1", transient_seconds=1.0
    )
    dep = api.create_docker("held", image="registry.example.com/slow:1")
    first = dep["latest_revision_id"]
    api.watch(dep["id"], first, until={"UNKNOWN"})
    body = {"source_revision_config": {"image_uri": "registry.example.com/ok:2"}}
    second = api.patch(f"/v2/deployments/{dep['id']}", json=body).json()["latest_revision_id"]
    assert api.watch(dep["id"], first, until=FINAL)[-2:] == ["DEPLOYING", "DEPLOYED"]
    assert api.watch(dep["id"], second, until=FINAL)[-1] == "DEPLOYED"
    first_logs, second_logs = api.logs(dep["id"], first, "deploy"), api.logs(dep["id"], second, "deploy")
    entered = next(x["timestamp"] for x in first_logs if "is UNKNOWN" in x["message"])
    recovered = next(x["timestamp"] for x in first_logs if "recovered from UNKNOWN" in x["message"])
    assert recovered - entered == pytest.approx(1000, abs=2)  # epoch ms: lasted the scripted second
    # The second revision only started deploying once the first one had left UNKNOWN.
    assert second_logs[0]["timestamp"] >= recovered


def test_transient_seconds_only_for_transient_outcomes(emulator):
    bad = requests.post(f"{emulator.url}/_emulator/outcomes", json={"outcome": "BUILD_FAILED", "transient_seconds": 1})
    assert bad.status_code == 422


# --- pruned revisions -----------------------------------------------------------------------------


def _new_revision(api, dep, ref):
    body = {"source_revision_config": {"repo_ref": ref}}
    return api.patch(f"/v2/deployments/{dep['id']}", json=body).json()["latest_revision_id"]


def test_old_revisions_are_pruned_beyond_keep_revisions(api, emulator):
    assert emulator.settings()["keep_revisions"] == 0
    emulator.settings(keep_revisions=2)
    dep = api.create_github("pruned")
    revisions = [dep["latest_revision_id"]]
    api.watch(dep["id"], revisions[0])
    for ref in ("one", "two", "three"):
        revisions.append(_new_revision(api, dep, ref))
        api.watch(dep["id"], revisions[-1])
    assert [r["id"] for r in api.revisions(dep["id"])] == [revisions[3], revisions[2]]
    for gone in revisions[:2]:
        response = api.get(f"/v2/deployments/{dep['id']}/revisions/{gone}")
        assert response.status_code == 404
        assert response.json() == {"detail": f"Revision ID {gone} not found."}
    assert api.get(f"/v2/deployments/{dep['id']}").status_code == 200  # the deployment is still there


def test_pruning_keeps_the_active_and_unfinished_revisions(api, emulator):
    emulator.settings(keep_revisions=1)
    emulator.add_outcome(outcome="BUILD_FAILED", repo_ref="broken")
    dep = api.create_github("keeps-active")
    active = dep["latest_revision_id"]
    api.watch(dep["id"], active)
    failed = _new_revision(api, dep, "broken")
    assert api.watch(dep["id"], failed)[-1] == "BUILD_FAILED"
    # Two revisions are over the limit, but one is latest and the other active: both stay.
    assert {r["id"] for r in api.revisions(dep["id"])} == {active, failed}
    newest = _new_revision(api, dep, "main")
    assert {r["id"] for r in api.revisions(dep["id"])} == {active, newest}  # the failed one went first
    api.watch(dep["id"], newest)
    assert [r["id"] for r in api.revisions(dep["id"])] == [newest]  # the old active one once replaced


# --- masked secrets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("mask", [{"name": "OPENAI_API_KEY", "value": "********"}]), ("absent", [{"name": "OPENAI_API_KEY"}])],
)
def test_masked_secrets_in_every_deployment_body(api, emulator, mode, expected):
    emulator.settings(mask_secrets=mode)
    created = api.create_github("masked")
    bodies = [
        created,
        api.deployment(created["id"]),
        api.get("/v2/deployments").json()["resources"][0],
        api.patch(f"/v2/deployments/{created['id']}", json={}).json(),
    ]
    for body in bodies:
        assert body["secrets"] == expected
    emulator.settings(mask_secrets="off")
    assert api.deployment(created["id"])["secrets"] == SECRETS  # the stored value is intact


def test_mask_secrets_setting_values(emulator):
    assert emulator.settings()["mask_secrets"] == "off"
    assert emulator.settings(mask_secrets=True)["mask_secrets"] == "mask"
    assert emulator.settings(mask_secrets=False)["mask_secrets"] == "off"
    assert requests.patch(f"{emulator.url}/_emulator/settings", json={"mask_secrets": "hidden"}).status_code == 422
    assert requests.patch(f"{emulator.url}/_emulator/settings", json={"keep_revisions": -1}).status_code == 422


def test_cli_flags_for_pruning_and_masking():
    with running_emulator(api="current") as emu:
        assert (emu.settings()["keep_revisions"], emu.settings()["mask_secrets"]) == (0, "off")
    from langsmith_emulator.__main__ import parse_args

    config = parse_args(["--keep-revisions", "5", "--mask-secrets"])
    assert (config.settings.keep_revisions, config.settings.mask_secrets) == (5, "mask")
    assert parse_args(["--mask-secrets", "absent"]).settings.mask_secrets == "absent"


# --- reserved environment variable names ----------------------------------------------------------


def test_reserved_names_per_source():
    assert reserved_env("external_docker") == ALWAYS_RESERVED
    for source in ("github", "internal_docker", "internal_source"):
        assert RESERVED_ENV_BY_SOURCE[source] == ALWAYS_RESERVED | ALLOWED_SELF_HOSTED
    assert {"LANGSMITH_API_KEY", "POSTGRES_URI_CUSTOM", "REDIS_URI_CUSTOM", "PORT"} <= ALLOWED_SELF_HOSTED
    assert not ALWAYS_RESERVED & ALLOWED_SELF_HOSTED


@pytest.mark.parametrize("name", sorted(ALLOWED_SELF_HOSTED))
def test_self_hosted_allows_what_cloud_refuses(api, name):
    secrets = [{"name": name, "value": "v"}]
    assert (
        api.post(
            "/v2/deployments", json=api.docker_body(f"sh-{name.lower().replace('_', '-')}", secrets=secrets)
        ).status_code
        == 201
    )
    refused = api.post("/v2/deployments", json=api.github_body("cloud-reserved", secrets=secrets))
    assert refused.status_code == 400 and name in refused.json()["detail"]
