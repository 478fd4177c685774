"""Revision lifecycle in real time: states, timings, queueing, redeploy, logs, restarts."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
import requests

from langsmith_emulator.config import LiveSettings, Settings
from langsmith_emulator.deployments import Deployments
from langsmith_emulator.models import DeploymentCreateRequest, RevisionCreateRequest
from langsmith_emulator.outcomes import OutcomeScripts
from langsmith_emulator.store import Store
from langsmith_emulator.testing import TENANT_ID, running_emulator

from ..support.data import github_body
from .conftest import docker_body

BUILD_PATH = ["CREATING", "QUEUED", "AWAITING_BUILD", "BUILDING", "AWAITING_DEPLOY", "DEPLOYING", "DEPLOYED"]
IMAGE_PATH = ["CREATING", "QUEUED", "AWAITING_DEPLOY", "DEPLOYING", "DEPLOYED"]


class ManualClock:
    """The emulator's clock, moved by the test: transitions are stamped when due, whatever the load."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def in_process(**settings: Any) -> tuple[Deployments, ManualClock]:
    clock = ManualClock()
    store = Store(":memory:")
    return Deployments(store, LiveSettings(Settings(**settings)), OutcomeScripts(), clock), clock


def walk(deployments: Deployments, clock: ManualClock, dep: Any, step: float = 0.01) -> list[str]:
    """The revision's distinct statuses, read every `step` seconds of the emulator's clock until final."""
    seen: list[str] = []
    for _ in range(100_000):
        status = deployments.get_revision(TENANT_ID, dep.id, str(dep.latest_revision_id)).status
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ("DEPLOYED", "BUILD_FAILED", "DEPLOY_FAILED", "CREATE_FAILED"):
            return seen
        clock.now += step
    raise AssertionError(f"no final status; saw {seen}")


def test_github_revision_walks_every_state_and_deployment_becomes_ready() -> None:
    deployments, clock = in_process(build_seconds=0.3, deploy_seconds=0.3)
    dep = deployments.create(TENANT_ID, DeploymentCreateRequest.model_validate(github_body("walker")))
    assert walk(deployments, clock, dep) == BUILD_PATH
    final = deployments.get(TENANT_ID, dep.id)
    assert final.status == "READY"
    assert final.active_revision_id == dep.latest_revision_id
    assert final.image_version


def test_image_source_skips_the_build_states() -> None:
    deployments, clock = in_process(build_seconds=0.3, deploy_seconds=0.3)
    dep = deployments.create(TENANT_ID, DeploymentCreateRequest.model_validate(docker_body("image-walker")))
    assert walk(deployments, clock, dep) == IMAGE_PATH
    assert deployments.get(TENANT_ID, dep.id).status == "READY"


def _seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def test_phase_durations_follow_settings() -> None:
    deployments, clock = in_process(build_seconds=0.6, deploy_seconds=0.4)
    dep = deployments.create(TENANT_ID, DeploymentCreateRequest.model_validate(github_body("timed")))
    rev = str(dep.latest_revision_id)
    stamps: dict[str, datetime] = {}
    for _ in range(300):  # 3 s of the emulator's clock, read every 10 ms
        revision = deployments.get_revision(TENANT_ID, dep.id, rev)
        stamps.setdefault(revision.status, revision.updated_at)
        clock.now += 0.01
    # Transitions are stamped when due: CREATING and QUEUED take 0.1 s each, then 0.6 s of build
    # (AWAITING_BUILD + BUILDING) and 0.4 s of deploy (AWAITING_DEPLOY + DEPLOYING).
    assert (stamps["AWAITING_DEPLOY"] - dep.created_at).total_seconds() == pytest.approx(0.8, abs=0.005)
    assert (stamps["DEPLOYED"] - dep.created_at).total_seconds() == pytest.approx(1.2, abs=0.005)


def test_transitions_are_visible_the_moment_they_are_due() -> None:
    """No ticker granularity: the first read at the due time already sees the new status."""
    deployments, clock = in_process(build_seconds=0.6, deploy_seconds=0.4)
    dep = deployments.create(TENANT_ID, DeploymentCreateRequest.model_validate(github_body("prompt")))
    created = clock.now
    for due, before, after in ((0.8, "BUILDING", "AWAITING_DEPLOY"), (1.2, "DEPLOYING", "DEPLOYED")):
        clock.now = created + due - 0.001
        assert deployments.get_revision(TENANT_ID, dep.id, str(dep.latest_revision_id)).status == before
        clock.now = created + due
        assert deployments.get_revision(TENANT_ID, dep.id, str(dep.latest_revision_id)).status == after


def test_timestamps_are_iso_utc_and_updated_at_moves(api):
    dep = api.create_docker("stamps")
    api.watch(dep["id"], dep["latest_revision_id"])
    revision = api.revision(dep["id"], dep["latest_revision_id"])
    assert revision["created_at"].endswith("Z") and "T" in revision["created_at"]
    assert revision["updated_at"] > revision["created_at"]


def until(deployments: Deployments, clock: ManualClock, dep_id: str, rev: str, status: str) -> None:
    """Move the emulator's clock in 10 ms steps until the revision shows `status`."""
    for _ in range(100_000):
        if deployments.get_revision(TENANT_ID, dep_id, rev).status == status:
            return
        clock.now += 0.01
    raise AssertionError(f"revision {rev} never showed {status}")


def test_one_revision_in_flight_newest_queued_wins_older_are_skipped() -> None:
    deployments, clock = in_process(build_seconds=0.5, deploy_seconds=0.3)
    dep = deployments.create(TENANT_ID, DeploymentCreateRequest.model_validate(github_body("queue")))
    first = str(dep.latest_revision_id)
    until(deployments, clock, dep.id, first, "BUILDING")
    second = deployments.create_revision(TENANT_ID, dep.id, RevisionCreateRequest()).id
    third = deployments.create_revision(TENANT_ID, dep.id, RevisionCreateRequest()).id
    clock.now += 0.1  # the first is still building
    assert deployments.get_revision(TENANT_ID, dep.id, second).status == "QUEUED"
    assert deployments.get_revision(TENANT_ID, dep.id, third).status == "QUEUED"
    until(deployments, clock, dep.id, first, "DEPLOYED")
    until(deployments, clock, dep.id, second, "SKIPPED")
    until(deployments, clock, dep.id, third, "DEPLOYED")
    final = deployments.get(TENANT_ID, dep.id)
    assert final.active_revision_id == third
    assert final.latest_revision_id == third
    # the superseded revision never started building
    listed = deployments.list_revisions(TENANT_ID, dep.id, None, 100, 0).resources
    assert {r.id: r.status for r in listed} == {first: "DEPLOYED", second: "SKIPPED", third: "DEPLOYED"}
    skipped_logs = deployments.revision_logs(
        TENANT_ID, dep.id, second, log_type="build", level=None, descending=False, limit=100, offset=0
    ).logs
    assert any("superseded" in line.message for line in skipped_logs)


def test_queued_revision_waits_for_the_in_flight_one(api, emulator):
    emulator.settings(build_seconds=0.4, deploy_seconds=0.4)
    dep = api.create_github("waiter")
    first = dep["latest_revision_id"]
    api.watch(dep["id"], first, until={"BUILDING"})
    second = api.post(f"/v2/deployments/{dep['id']}/revisions", json={}).json()["id"]
    seen_while_first_runs = set()
    while True:
        statuses = {r["id"]: r["status"] for r in api.revisions(dep["id"])}  # one consistent snapshot
        if statuses[first] == "DEPLOYED":
            break
        seen_while_first_runs.add(statuses[second])
        time.sleep(0.01)
    assert seen_while_first_runs == {"CREATING", "QUEUED"} or seen_while_first_runs == {"QUEUED"}
    assert api.watch(dep["id"], second)[-1] == "DEPLOYED"


def test_revisions_are_listed_newest_first_with_status_filter_and_paging(api):
    dep = api.create_docker("listing")
    path = f"/v2/deployments/{dep['id']}/revisions"
    ids = [dep["latest_revision_id"]]
    api.watch(dep["id"], ids[0])
    for image in ("img:2", "img:3"):
        ids.append(api.post(path, json={"source_revision_config": {"image_uri": f"registry/{image}"}}).json()["id"])
    listing = api.get(path).json()
    assert [r["id"] for r in listing["resources"]] == ids[::-1]
    assert listing["offset"] == 3
    page = api.get(path, params={"limit": 1, "offset": 1}).json()
    assert [r["id"] for r in page["resources"]] == [ids[1]] and page["offset"] == 2
    deployed = api.get(path, params={"status": "DEPLOYED"}).json()["resources"]
    assert [r["id"] for r in deployed] == [ids[0]]
    both = api.get(path, params={"status": "DEPLOYED,CREATING,QUEUED"}).json()["resources"]
    assert {r["id"] for r in both} >= {ids[0]}
    assert api.get(path, params={"limit": 101}).status_code == 422


def test_redeploy_only_the_latest_deployed_revision(api):
    dep = api.create_docker("redeploy")
    first = dep["latest_revision_id"]
    path = f"/v2/deployments/{dep['id']}/revisions"
    early = api.post(f"{path}/{first}/redeploy")
    assert early.status_code == 400  # not DEPLOYED yet
    api.watch(dep["id"], first)
    response = api.post(f"{path}/{first}/redeploy")
    assert response.status_code == 200
    assert response.json()["id"] == dep["id"]
    assert api.revision(dep["id"], first)["status"] == "DEPLOYING"
    assert api.watch(dep["id"], first)[-1] == "DEPLOYED"
    deploy_logs = api.get(f"{path}/{first}/logs", params={"type": "deploy"}).json()["logs"]
    assert any("Redeploying" in line["message"] for line in deploy_logs)
    second = api.post(path, json={}).json()["id"]
    api.watch(dep["id"], second)
    stale = api.post(f"{path}/{first}/redeploy")
    assert stale.status_code == 400
    assert isinstance(stale.json()["detail"], str)
    unknown = api.post(f"{path}/{dep['id']}/redeploy")
    assert unknown.status_code == 404


def test_build_and_deploy_logs(api):
    dep = api.create_github("logged")
    rev = dep["latest_revision_id"]
    base = f"/v2/deployments/{dep['id']}/revisions/{rev}/logs"
    assert api.get(base, params={"type": "build"}).json() == {"logs": [], "next_offset": None}
    api.watch(dep["id"], rev)
    build = api.get(base, params={"type": "build"}).json()
    messages = [line["message"] for line in build["logs"]]
    assert any("Cloning https://github.com/langchain-ai/langgraph-example at ref main" in m for m in messages)
    assert messages[-1] == "Build succeeded"
    entry = build["logs"][0]
    assert set(entry) == {"id", "timestamp", "level", "message"}
    assert isinstance(entry["timestamp"], int) and entry["timestamp"] > 1_600_000_000_000
    assert entry["level"] == "INFO"
    deploy = api.get(base, params={"type": "deploy"}).json()["logs"]
    assert "serving traffic" in deploy[-1]["message"]
    timestamps = [line["timestamp"] for line in build["logs"] + deploy]
    assert timestamps == sorted(timestamps)
    # paging with the opaque next_offset cursor
    first_page = api.get(base, params={"type": "build", "limit": 2}).json()
    assert len(first_page["logs"]) == 2 and first_page["next_offset"] == "2"
    rest = api.get(base, params={"type": "build", "limit": 1000, "offset": first_page["next_offset"]}).json()
    assert [x["id"] for x in first_page["logs"] + rest["logs"]] == [x["id"] for x in build["logs"]]
    assert rest["next_offset"] is None
    newest_first = api.get(base, params={"type": "build", "order": "desc"}).json()["logs"]
    assert newest_first[0]["id"] == build["logs"][-1]["id"]
    assert api.get(base).status_code == 422  # type is required
    assert api.get(base, params={"type": "runtime"}).status_code == 422


def test_revision_of_another_deployment_is_404(api):
    a = api.create_docker("owner-a")
    b = api.create_docker("owner-b")
    response = api.get(f"/v2/deployments/{b['id']}/revisions/{a['latest_revision_id']}")
    assert response.status_code == 404


def test_state_survives_a_restart_and_in_flight_revisions_resume():
    with running_emulator(build_seconds=0.6, deploy_seconds=0.6) as emu:
        headers = emu.headers()
        body = docker_body("survivor", "img:1", secrets=[{"name": "K", "value": "v"}])
        dep = requests.post(f"{emu.url}/v2/deployments", headers=headers, json=body).json()
        listener = requests.post(
            f"{emu.url}/v2/listeners",
            headers=headers,
            json={
                "compute_type": "k8s",
                "compute_id": "persisted",
                "compute_config": {"k8s_namespaces": ["x"]},
            },
        ).json()
        in_flight = requests.get(f"{emu.url}/v2/deployments/{dep['id']}", headers=headers).json()
        assert in_flight["active_revision_id"] is None
        emu.stop()
        time.sleep(0.3)
        emu.start()
        url = f"{emu.url}/v2/deployments/{dep['id']}"
        deadline = time.monotonic() + 5
        while (
            requests.get(f"{url}/revisions/{dep['latest_revision_id']}", headers=headers).json()["status"] != "DEPLOYED"
        ):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        restored = requests.get(url, headers=headers).json()
        assert restored["secrets"] == [{"name": "K", "value": "v"}]
        assert restored["status"] == "READY"
        assert requests.get(f"{emu.url}/v2/listeners/{listener['id']}", headers=headers).status_code == 200
        # the name is still taken after the restart
        again = requests.post(f"{emu.url}/v2/deployments", headers=headers, json=docker_body("survivor", "img:1"))
        assert again.status_code == 409


def test_in_memory_database_is_supported():
    with running_emulator(db=":memory:") as emu:
        response = requests.get(f"{emu.url}/v2/listeners", headers=emu.headers())
        assert response.status_code == 200


def test_fifty_parallel_creates_and_reads(api):
    def create(i):
        body = api.docker_body(f"parallel-{i:02d}")
        with requests.Session() as session:
            created = session.post(f"{api.emu.url}/v2/deployments", json=body, headers=api.emu.headers(), timeout=30)
            read = session.get(f"{api.emu.url}/v2/deployments/{created.json()['id']}", headers=api.emu.headers())
        return created.status_code, read.status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(create, range(50)))
    assert results == [(201, 200)] * 50
    listing = api.get("/v2/deployments", params={"limit": 100}).json()["resources"]
    assert len({d["name"] for d in listing}) == 50


def test_parallel_creates_of_one_name_yield_exactly_one_deployment(api):
    def create(_):
        return requests.post(
            f"{api.emu.url}/v2/deployments",
            json=api.docker_body("contested"),
            headers=api.emu.headers(),
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = sorted(pool.map(create, range(20)))
    assert codes == [201] + [409] * 19
