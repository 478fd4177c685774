"""The vendor's own CLI (`langgraph deploy ...`, langgraph-cli 0.4.40) works unchanged against the
local control plane: the real console script, run as a subprocess, against the session emulator."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from langsmith_emulator.testing import TENANT_ID, EmulatorProcess

from ..support.vendor_cli import VendorCli, digest_image, json_events, make_project, ok, run_cli
from .conftest import SMALL_SPEC, Api

pytestmark = pytest.mark.slow

REPO = "registry.example.com/agents/vendor-agent"
IMAGE_A = digest_image(REPO, "a")
IMAGE_B = digest_image(REPO, "b")


@pytest.fixture
def cli(tmp_path: Path, emulator: EmulatorProcess) -> VendorCli:
    return VendorCli(emulator.url, make_project(tmp_path / "project"))


def calls(emulator: EmulatorProcess, since: int = 0) -> list[tuple[str, str, int]]:
    return [(r["method"], r["route"], r["status"]) for r in emulator.requests(since=since)]


def last_seq(emulator: EmulatorProcess) -> int:
    entries = emulator.requests()
    return int(entries[-1]["seq"]) if entries else 0


def test_deploy_creates_then_updates_through_patch(emulator: EmulatorProcess, api: Api, cli: VendorCli) -> None:
    out = cli.ok("deploy", "--image-uri", IMAGE_A, "--name", "Vendor Agent", "--no-input", "--json")
    events = json_events(out)
    result = next(e for e in events if e["event"] == "result")
    assert result["status"] == "succeeded", out
    dep_id = result["deployment_id"]
    # The status page is built from the body's tenant_id; for 127.0.0.1 the dashboard is the control plane.
    assert result["status_url"] == f"{emulator.url}/o/{TENANT_ID}/host/deployments/{dep_id}"

    dep = api.deployment(dep_id)
    assert dep["name"] == "vendor-agent"  # the CLI normalises names to [a-z0-9-]
    assert dep["source"] == "external_docker"
    assert dep["source_revision_config"]["image_uri"] == IMAGE_A
    assert dep["active_revision_id"] == dep["latest_revision_id"]
    assert [(m, r) for m, r, _ in calls(emulator) if m != "GET"] == [("POST", "/v2/deployments")]

    seq = last_seq(emulator)
    out = cli.ok("deploy", "--image-uri", IMAGE_B, "--name", "vendor-agent", "--no-input")
    assert f"Found existing deployment (ID: {dep_id})" in out and "Deployment successful!" in out, out
    # The update is one PATCH (no create, no POST /revisions), and every call succeeded.
    update_calls = calls(emulator, seq)
    assert [(m, r) for m, r, _ in update_calls if m != "GET"] == [("PATCH", "/v2/deployments/{id}")]
    assert all(status < 400 for _, _, status in update_calls), update_calls

    dep = api.deployment(dep_id)
    revisions = api.revisions(dep_id)
    assert len(revisions) == 2
    assert dep["source_revision_config"]["image_uri"] == IMAGE_B
    assert revisions[0]["id"] == dep["latest_revision_id"] == dep["active_revision_id"]
    assert [r["source_revision_config"]["image_uri"] for r in revisions] == [IMAGE_B, IMAGE_A]
    assert revisions[0]["status"] == "DEPLOYED"


def test_deploy_list_as_table_and_json(emulator: EmulatorProcess, api: Api, cli: VendorCli) -> None:
    first = api.create_docker(
        "list-one", IMAGE_A, source_config={"resource_spec": SMALL_SPEC, "custom_url": "https://one.example.com"}
    )
    second = api.create_docker("list-two", IMAGE_B, source_config={"resource_spec": SMALL_SPEC})

    table = cli.ok("deploy", "list")
    lines = table.splitlines()
    assert lines[0].split() == ["Deployment", "ID", "Deployment", "Name", "Deployment", "URL"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    # The URL column is source_config.custom_url ("-" when none).
    assert rows == {first["id"]: ["list-one", "https://one.example.com"], second["id"]: ["list-two", "-"]}

    listed = json.loads(cli.ok("deploy", "list", "--json"))
    assert sorted(listed, key=lambda d: d["name"]) == [
        {"id": first["id"], "name": "list-one"},
        {"id": second["id"], "name": "list-two"},
    ]
    filtered = json.loads(cli.ok("deploy", "list", "--json", "--name-contains", "two"))
    assert filtered == [{"id": second["id"], "name": "list-two"}]


def test_revisions_list_shows_both_and_the_older_one_replaced(
    emulator: EmulatorProcess, api: Api, cli: VendorCli
) -> None:
    dep, revisions = api.deployed("revs", [IMAGE_A, IMAGE_B])
    out = cli.ok("deploy", "revisions", "list", dep["id"])
    rows = [line.split() for line in out.splitlines()[2:]]
    assert [(row[0], row[1]) for row in rows] == [(revisions[0]["id"], "DEPLOYED"), (revisions[1]["id"], "REPLACED")]
    assert all(row[2] == revision["created_at"] for row, revision in zip(rows, revisions, strict=True))


def test_build_and_runtime_logs(emulator: EmulatorProcess, api: Api, cli: VendorCli) -> None:
    dep, revisions = api.deployed("logs", [IMAGE_A, IMAGE_B])
    latest, older = revisions[0]["id"], revisions[1]["id"]

    build = cli.ok("deploy", "logs", "--type", "build", "--deployment-id", dep["id"])
    assert f"Using latest revision: {latest}" in build
    assert f"[INFO] Prebuilt image {IMAGE_B}: no build required" in build

    runtime = cli.ok("deploy", "logs", "--deployment-id", dep["id"])
    # Runtime logs of the whole deployment, oldest first: both revisions' rollouts.
    serving = [line for line in runtime.splitlines() if "is now serving traffic" in line]
    assert [line.split("Revision ")[1].split()[0] for line in serving] == [older, latest]

    one = cli.ok("deploy", "logs", "--deployment-id", dep["id"], "--revision-id", older, "-q", "now serving")
    assert one.splitlines() == [line for line in runtime.splitlines() if f"Revision {older} is now serving" in line]

    assert "No log entries found." in cli.ok("deploy", "logs", "--deployment-id", dep["id"], "--level", "ERROR")

    v1 = [(m, r, s) for m, r, s in calls(emulator) if r.startswith("/v1/")]
    assert v1 == [
        ("POST", "/v1/projects/{id}/revisions/{id}/build_logs", 200),
        ("POST", "/v1/projects/{id}/deploy_logs", 200),
        ("POST", "/v1/projects/{id}/revisions/{id}/deploy_logs", 200),
        ("POST", "/v1/projects/{id}/deploy_logs", 200),
    ]


def test_delete_force_removes_the_deployment(emulator: EmulatorProcess, api: Api, cli: VendorCli) -> None:
    keep = api.create_docker("keep", IMAGE_A, source_config={"resource_spec": SMALL_SPEC})
    gone = api.create_docker("gone", IMAGE_A, source_config={"resource_spec": SMALL_SPEC})
    seq = last_seq(emulator)
    out = cli.ok("deploy", "delete", gone["id"], "--force")
    assert f"Deleted deployment {gone['id']}." in out
    deletes = [r for r in emulator.requests(since=seq) if r["method"] == "DELETE"]
    assert [(r["path"], r["query"], r["status"]) for r in deletes] == [(f"/v2/deployments/{gone['id']}", "", 204)]
    api.wait_gone(gone["id"])
    listed = json.loads(cli.ok("deploy", "list", "--json"))
    assert listed == [{"id": keep["id"], "name": "keep"}]


def test_cli_reports_the_servers_error_detail(emulator: EmulatorProcess, cli: VendorCli) -> None:
    missing = "00000000-0000-4000-8000-00000000dead"
    result = cli.run("deploy", "revisions", "list", missing)
    assert result.returncode == 1
    assert f"failed with status 404: Deployment ID {missing} not found." in result.stderr


def test_self_hosted_endpoint_is_served_under_api_host(emulator: EmulatorProcess, api: Api, cli: VendorCli) -> None:
    """Self-hosted users set only LANGSMITH_ENDPOINT=<root>/api/v1; the CLI derives <root>/api-host."""
    made = api.create_docker("self-hosted", IMAGE_A, source_config={"resource_spec": SMALL_SPEC})
    result = run_cli(
        emulator.url,
        cli.cwd,
        "deploy",
        "list",
        "--json",
        env={"LANGGRAPH_HOST_URL": "", "LANGSMITH_ENDPOINT": f"{emulator.url}/api/v1"},
    )
    assert json.loads(ok(result)) == [{"id": made["id"], "name": "self-hosted"}]
    assert emulator.requests()[-1]["path"] == "/api-host/v2/deployments"


def test_missing_workspace_gets_the_clis_own_message(emulator: EmulatorProcess, cli: VendorCli) -> None:
    """The 403 phrase "requires workspace specification" is what the CLI keys off (with --json it
    never prompts, so it explains instead)."""
    result = run_cli(emulator.url, cli.cwd, "deploy", "list", "--json", tenant_id=None)
    assert result.returncode == 1
    assert "API key is org-scoped and requires a workspace ID" in result.stderr, result.stderr


LOCAL_AGENT = Path(__file__).resolve().parents[2] / "examples" / "local-agent" / "agent"


def test_remote_build_uploads_the_source_and_patches_with_its_object_path(
    tmp_path: Path, emulator: EmulatorProcess, api: Api
) -> None:
    """`langgraph deploy --remote` (no Docker): create internal_source, upload-url, PUT, PATCH, poll
    (`deploy.RemoteBuildSource`, `_run_remote_build`, `_upload_source_tarball`)."""
    project = tmp_path / "agent"
    shutil.copytree(LOCAL_AGENT, project, ignore=shutil.ignore_patterns(".langgraph_api", "__pycache__"))
    out = VendorCli(emulator.url, project).ok("deploy", "--remote", "--name", "local-agent", "--no-input", "--json")
    result = next(e for e in json_events(out) if e["event"] == "result")
    assert result["status"] == "succeeded", out
    dep_id = result["deployment_id"]

    writes = [(r["method"], r["route"], r["status"]) for r in emulator.requests() if r["method"] != "GET"]
    assert writes == [
        ("POST", "/v2/deployments", 201),
        ("POST", "/v2/deployments/{id}/upload-url", 200),
        ("PUT", "/_uploads/{id}", 200),
        ("PATCH", "/v2/deployments/{id}", 200),
    ]
    put = next(r for r in emulator.requests() if r["method"] == "PUT")
    token = put["path"].rsplit("/", 1)[1]

    dep = api.deployment(dep_id)
    assert dep["source"] == "internal_source"
    assert dep["source_config"]["deployment_type"] == "dev_zero"  # the CLI's default --deployment-type
    revisions = api.revisions(dep_id)
    assert len(revisions) == 1 and revisions[0]["status"] == "DEPLOYED"
    assert dep["active_revision_id"] == revisions[0]["id"]
    config = revisions[0]["source_revision_config"]
    # The PATCH carried the object the PUT stored, and the config path inside the archive.
    assert config["source_tarball_path"] == f"uploads/{TENANT_ID}/{dep_id}/{token}.tar.gz"
    assert config["langgraph_config_path"] == "langgraph.json"
