"""Scripted revision outcomes (POST /_emulator/outcomes)."""

import time
from datetime import datetime

import pytest
import requests

from .paths import assert_path


def test_build_failed_at_the_end_of_building(api, emulator):
    script = emulator.add_outcome(outcome="BUILD_FAILED", deployment_name="broken", count=1)
    assert script["id"] and script["outcome"] == "BUILD_FAILED" and script["count"] == 1
    dep = api.create_github("broken")
    seen = api.watch(dep["id"], dep["latest_revision_id"])
    assert_path(seen, ["CREATING", "QUEUED", "AWAITING_BUILD", "BUILDING", "BUILD_FAILED"], must=["BUILDING"])
    errors = [x for x in api.logs(dep["id"], dep["latest_revision_id"], "build") if x["level"] == "ERROR"]
    assert len(errors) == 1 and errors[0]["message"].startswith("ERROR: build failed:")
    final = api.deployment(dep["id"])
    assert final["status"] == "AWAITING_DATABASE" and final["active_revision_id"] is None
    assert emulator.outcomes() == []  # count used up
    # the next revision of the same deployment is healthy again
    rev = api.post(f"/v2/deployments/{dep['id']}/revisions", json={}).json()["id"]
    assert api.watch(dep["id"], rev)[-1] == "DEPLOYED"


@pytest.mark.parametrize(("outcome", "kind"), [("BUILD_FAILED", "build"), ("DEPLOY_FAILED", "deploy")])
def test_echo_env_prints_the_environment_with_secret_values_in_the_failing_phase(api, emulator, outcome, kind):
    """A build that runs `env`: the server's own log holds the values, so a client's redaction is
    tested against what a real server may send."""
    emulator.add_outcome(outcome=outcome, deployment_name="echoes", echo_env=True)
    secrets = [{"name": "OPENAI_API_KEY", "value": "sk-echoed-1"}, {"name": "MODE", "value": "fast"}]
    dep = api.create_github("echoes", secrets=secrets)
    assert api.watch(dep["id"], dep["latest_revision_id"])[-1] == outcome
    lines = [x["message"] for x in api.logs(dep["id"], dep["latest_revision_id"], kind)]
    assert lines[:3] == ["$ env", "OPENAI_API_KEY=sk-echoed-1", "MODE=fast"], lines
    assert lines[-1].startswith("ERROR: ")
    quiet = api.create_github("quiet", secrets=secrets)  # without the flag: no values in any log
    api.watch(quiet["id"], quiet["latest_revision_id"])
    for log_kind in ("build", "deploy"):
        assert not any(
            "sk-echoed-1" in x["message"] for x in api.logs(quiet["id"], quiet["latest_revision_id"], log_kind)
        )


def test_build_failed_for_an_image_right_after_queued(api, emulator):
    emulator.add_outcome(outcome="BUILD_FAILED", image_uri="registry.example.com/bad:1")
    dep = api.create_docker("bad-image", image="registry.example.com/bad:1")
    assert_path(api.watch(dep["id"], dep["latest_revision_id"]), ["CREATING", "QUEUED", "BUILD_FAILED"])
    assert any(x["level"] == "ERROR" for x in api.logs(dep["id"], dep["latest_revision_id"], "build"))
    healthy = api.create_docker("good-image", image="registry.example.com/good:1")
    assert api.watch(healthy["id"], healthy["latest_revision_id"])[-1] == "DEPLOYED"


def test_deploy_failed_at_the_end_of_deploying(api, emulator):
    emulator.add_outcome(outcome="DEPLOY_FAILED", repo_ref="release")
    body = api.github_body("deploy-fails")
    body["source_revision_config"]["repo_ref"] = "release"
    dep = api.create(body)
    assert api.watch(dep["id"], dep["latest_revision_id"])[-2:] == ["DEPLOYING", "DEPLOY_FAILED"]
    errors = [x["message"] for x in api.logs(dep["id"], dep["latest_revision_id"], "deploy") if x["level"] == "ERROR"]
    assert errors and errors[0].startswith("ERROR: deploy failed:")
    # other refs are unaffected
    ok = api.create_github("deploy-ok")
    assert api.watch(ok["id"], ok["latest_revision_id"])[-1] == "DEPLOYED"


def test_create_failed_right_after_creating(api, emulator):
    emulator.add_outcome(outcome="CREATE_FAILED")
    dep = api.create_github("never-created")
    assert_path(api.watch(dep["id"], dep["latest_revision_id"]), ["CREATING", "CREATE_FAILED"])


def test_interrupted_in_the_middle_of_the_build(api, emulator):
    emulator.settings(build_seconds=1.0)
    emulator.add_outcome(outcome="INTERRUPTED", deployment_name="interrupted")
    dep = api.create_github("interrupted")
    assert api.watch(dep["id"], dep["latest_revision_id"])[-2:] == ["BUILDING", "INTERRUPTED"]
    revision = api.revision(dep["id"], dep["latest_revision_id"])
    elapsed = (
        datetime.fromisoformat(revision["updated_at"]) - datetime.fromisoformat(dep["created_at"])
    ).total_seconds()
    # CREATING + QUEUED (0.2 s) + AWAITING_BUILD (0.2 s) + half of BUILDING (0.4 of 0.8 s)
    assert elapsed == pytest.approx(0.8, abs=0.005)
    errors = [x for x in api.logs(dep["id"], dep["latest_revision_id"], "build") if x["level"] == "ERROR"]
    assert "interrupted" in errors[0]["message"]


def test_interrupted_image_in_the_middle_of_the_deploy(api, emulator):
    emulator.add_outcome(outcome="INTERRUPTED", image_uri="registry.example.com/flaky:1")
    dep = api.create_docker("flaky", image="registry.example.com/flaky:1")
    seen = api.watch(dep["id"], dep["latest_revision_id"])
    assert_path(seen, ["CREATING", "QUEUED", "AWAITING_DEPLOY", "DEPLOYING", "INTERRUPTED"], must=["DEPLOYING"])
    assert any(x["level"] == "ERROR" for x in api.logs(dep["id"], dep["latest_revision_id"], "deploy"))


def test_stuck_holds_the_queue(api, emulator):
    emulator.add_outcome(outcome="STUCK", deployment_name="stuck", count=1)
    dep = api.create_docker("stuck")
    first = dep["latest_revision_id"]
    api.watch(dep["id"], first, until={"DEPLOYING"})
    second = api.post(f"/v2/deployments/{dep['id']}/revisions", json={}).json()["id"]
    time.sleep(1.0)
    assert api.revision(dep["id"], first)["status"] == "DEPLOYING"
    assert api.revision(dep["id"], second)["status"] == "QUEUED"


def test_criteria_must_all_match_and_scripts_can_be_deleted(api, emulator):
    script = emulator.add_outcome(outcome="CREATE_FAILED", deployment_name="picky", repo_ref="other-branch")
    dep = api.create_github("picky")  # repo_ref main: no match
    assert api.watch(dep["id"], dep["latest_revision_id"])[-1] == "DEPLOYED"
    assert requests.delete(f"{emulator.url}/_emulator/outcomes/{script['id']}").status_code == 204
    assert requests.delete(f"{emulator.url}/_emulator/outcomes/{script['id']}").status_code == 404
    emulator.add_outcome(outcome="STUCK")
    emulator.add_outcome(outcome="BUILD_FAILED")
    assert [s["outcome"] for s in emulator.outcomes()] == ["STUCK", "BUILD_FAILED"]
    assert requests.delete(f"{emulator.url}/_emulator/outcomes").status_code == 204
    assert emulator.outcomes() == []
    bad = requests.post(f"{emulator.url}/_emulator/outcomes", json={"outcome": "EXPLODED"})
    assert bad.status_code == 422


def test_outcome_applies_to_every_matching_revision_when_count_is_null(api, emulator):
    emulator.add_outcome(outcome="CREATE_FAILED", deployment_name="always-bad")
    dep = api.create_docker("always-bad")
    path = f"/v2/deployments/{dep['id']}/revisions"
    revs = [dep["latest_revision_id"]] + [api.post(path, json={}).json()["id"] for _ in range(2)]
    for rev in revs:
        assert api.watch(dep["id"], rev)[-1] == "CREATE_FAILED"
    assert {r["status"] for r in api.revisions(dep["id"])} == {"CREATE_FAILED"}
