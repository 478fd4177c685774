"""Pulumi YAML programs through the `langsmith` provider plugin, with the real CLI, as a user types it.

The example program (`examples/yaml`) goes through up, an empty preview, an update of exactly one
revision, refresh and destroy; then what only a plugin can do: `pulumi import` of a deployment the
vendor's CLI made (followed by an empty preview), Ctrl-C ending a long wait in seconds (the next
`up` resumes it, no duplicate), `customTimeouts`, `replaceOnChanges` and `ignoreChanges`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from langsmith_emulator.testing import GITHUB_INTEGRATION_ID, GITHUB_REPO_URL
from pulumi_langsmith.core.statuses import TRANSIENT

from ..support.server import api, revision_ids
from ..support.vendor_cli import VendorCli, digest_image, make_project
from .cli import Project, requires_host
from .harness import SPEC_API, live_deployments
from .plugin_support import example_lifecycle, in_tree
from .reliability_support import wait_until

pytestmark = [
    pytest.mark.e2e,
    requires_host("yaml"),
    pytest.mark.skipif(
        SPEC_API,
        reason="the plugin runs the same provider code as the dynamic host, whose e2e tests this pass "
        "repeats against the spec's API shape: run once, against the current API (make test's first pass)",
    ),
]

SECRET = "sk-yaml-secret-6c1e"


def yaml_project(tmp_path: Path, emulator: Any, body: str) -> Project:
    """A one-file YAML program using the plugin, its stack initialised for the local control plane."""
    work = in_tree(tmp_path, "yaml")
    (work / "Pulumi.yaml").write_text(
        "name: plugin-test\nruntime: yaml\nplugins:\n  providers:\n    - name: langsmith\n      path: ../../plugin\n"
        + body
    )
    project = Project(work, tmp_path)
    project.init_stack(emulator.url)
    return project


def test_yaml_example_up_update_refresh_destroy(tmp_path: Path, emulator: Any) -> None:
    project = Project(in_tree(tmp_path, "yaml"), tmp_path)
    project.init_stack(emulator.url)
    project.run("config", "set", "--secret", "openaiApiKey", SECRET)

    example_lifecycle(project, emulator, SECRET)


LOCAL_AGENT = "../local-agent/agent"  # the example agent, as `in_tree` lays it out
#: What a first run makes, to be imported once the stack has forgotten it: a github deployment and a
#: `sourceDir` one (whose revision carries the content hash of its files).
MADE_BY_A_STACK = f"""resources:
  github:
    type: langsmith:index:Deployment
    properties:
      name: gh-agent
      source: github
      sourceConfig:
        integrationId: {GITHUB_INTEGRATION_ID}
        repoUrl: {GITHUB_REPO_URL}
        deploymentType: dev
      sourceRevisionConfig:
        repoRef: main
        langgraphConfigPath: langgraph.json
      env:
        MODE: a
      wait:
        healthCheck: false
  local:
    type: langsmith:index:Deployment
    properties:
      name: local-agent
      source: internal_source
      sourceDir: {LOCAL_AGENT}
      wait:
        healthCheck: false
"""


def test_import_of_every_source_then_an_empty_preview(tmp_path: Path, emulator: Any) -> None:
    """Defect 7: importing an internal_source deployment failed (`source_hash`/`source_dir` required).
    Every source imports; the program written from the generated code (plus `sourceDir`) previews no
    change, except a `langgraph deploy` one, whose code carries no hash: it rolls out once."""
    project = yaml_project(tmp_path, emulator, MADE_BY_A_STACK)
    project.run("up", "--yes")
    ours = {d["name"]: d["id"] for d in live_deployments(emulator)}
    project.run("state", "delete", "--all", "--yes")  # made elsewhere, as far as this stack knows
    cli = VendorCli(emulator.url, make_project(tmp_path / "langgraph-project"))
    image = digest_image("registry.example.com/agents/vendor-made", "a")
    cli.ok("deploy", "--image-uri", image, "--name", "vendor-made", "--no-input")
    in_tree_agent = project.work_dir / LOCAL_AGENT
    VendorCli(emulator.url, in_tree_agent).ok("deploy", "--remote", "--name", "vendor-local", "--no-input")
    made = {d["name"]: d["id"] for d in live_deployments(emulator)}
    for dep_id in made.values():
        wait_until("DEPLOYED", lambda d=dep_id: api(emulator, "GET", f"/v2/deployments/{d}")["active_revision_id"])

    names = {"gh-agent": "github", "local-agent": "local", "vendor-made": "docker", "vendor-local": "vendorLocal"}
    wanted = [{"type": "langsmith:index:Deployment", "name": names[n], "id": i} for n, i in made.items()]
    (tmp_path / "import.json").write_text(json.dumps({"resources": wanted}))
    generated = tmp_path / "imported.yaml"
    imported = project.run("import", "--file", str(tmp_path / "import.json"), "--yes", "--out", str(generated))
    assert "4 imported" in imported.output, imported.output
    assert "property sourceDir value {<nil>} has a problem: is required" in imported.output, imported.output
    code = yaml.safe_load(generated.read_text())
    assert code["resources"]["docker"]["properties"]["sourceRevisionConfig"]["imageUri"] == image
    assert code["resources"]["github"]["properties"]["name"] == "gh-agent"
    # The one input the server cannot tell: where the files are.
    for name in ("local", "vendorLocal"):
        assert "sourceDir" not in code["resources"][name]["properties"]
        code["resources"][name]["properties"]["sourceDir"] = LOCAL_AGENT
    program = project.work_dir / "Pulumi.yaml"
    header = program.read_text().split("resources:", 1)[0]
    program.write_text(header + yaml.safe_dump({"resources": code["resources"]}, sort_keys=False))

    # Only the vendor-made source deployment changes: its first `up` uploads the directory, once.
    preview = project.run("preview", "--diff").output
    assert "1 to update" in preview and "4 unchanged" in preview, preview  # the stack and three deployments
    assert "Deployment::vendorLocal]" in preview and "+ sourceHash" in preview, preview
    before = {i: revision_ids(emulator, i) for i in made.values()}
    seq = max((r["seq"] for r in emulator.requests()), default=0)
    project.run("up", "--yes")
    written = {r["path"] for r in emulator.requests(since=seq) if r["method"] in ("POST", "PATCH", "DELETE")}
    assert all(made["vendor-local"] in path for path in written), written
    after = {i: revision_ids(emulator, i) for i in made.values()}
    assert len(after[made["vendor-local"]]) == len(before[made["vendor-local"]]) + 1
    assert {i: r for i, r in after.items() if i != made["vendor-local"]} == {
        i: r for i, r in before.items() if i != made["vendor-local"]
    }
    assert {made[n] for n in ("gh-agent", "local-agent")} == set(ours.values())
    project.run("preview", "--expect-no-changes")


DEPLOYMENT = """resources:
  agent:
    type: langsmith:index:Deployment
    properties:
      source: external_docker
      sourceRevisionConfig:
        imageUri: registry.example.com/agents/plugin:1
      env:
        MODE: a
      displayName: Plugin agent
      wait:
        healthCheck: false
OPTIONS
outputs:
  id: ${agent.deploymentId}
"""


def test_ctrl_c_ends_a_long_wait_in_seconds_and_the_next_up_resumes_it(tmp_path: Path, emulator: Any) -> None:
    project = yaml_project(tmp_path, emulator, DEPLOYMENT.replace("OPTIONS\n", ""))
    # A 10-minute rollout; a phase's length is set as it starts, so its first 2 minutes of
    # awaiting deploy keep it going past the Ctrl-C whatever the setting after it.
    emulator.settings(deploy_seconds=600)
    proc = subprocess.Popen(
        ["pulumi", "up", "--yes"],
        cwd=project.work_dir,
        env=project.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        made = wait_until(
            "the rollout to start", lambda: [d for d in live_deployments(emulator) if revision_ids(emulator, d["id"])]
        )
        interrupted = time.monotonic()
        os.kill(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=60)
        took = time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0
    assert took < 10, f"`pulumi up` ended {took:.1f}s after Ctrl-C:\n{output}"
    assert "cancelled (Ctrl-C" in output, output

    emulator.settings(deploy_seconds=0.4)
    project.run("cancel", "--yes", check=False)  # nothing to cancel after a Ctrl-C: the lock was released
    project.run("up", "--yes")
    live = live_deployments(emulator)
    assert [d["id"] for d in live] == [made[0]["id"]]  # resumed: no second deployment
    posts = [r for r in emulator.requests() if r["method"] == "POST" and r["path"] == "/v2/deployments"]
    assert len(posts) == 1
    assert project.outputs()["id"] == made[0]["id"]
    project.run("preview", "--expect-no-changes")


def test_custom_timeouts_fail_a_slow_create_with_a_clear_message(tmp_path: Path, emulator: Any) -> None:
    options = "    options:\n      customTimeouts:\n        create: 5s\n"
    project = yaml_project(tmp_path, emulator, DEPLOYMENT.replace("OPTIONS\n", options))
    emulator.settings(deploy_seconds=600)
    started = time.monotonic()
    failed = project.run("up", "--yes", check=False)
    assert failed.returncode != 0 and time.monotonic() - started < 60
    assert "(customTimeouts: 5s)" in failed.output and "is still" in failed.output, failed.output


class Agent:
    """A local stand-in for a deployment's Agent Server: while down it closes each connection without
    an answer (the health check goes on waiting), once up `/ok` answers 200; it counts the checks."""

    def __init__(self) -> None:
        self.up = True
        self.checks = 0
        agent = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                agent.checks += 1
                if not agent.up:
                    self.close_connection = True  # no status line: the client sees the connection end
                    return
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


AGENT_PROGRAM = """resources:
  agent:
    type: langsmith:index:Deployment
    properties:
      source: external_docker
      sourceRevisionConfig:
        imageUri: registry.example.com/agents/plugin:IMAGE
      sourceConfig:
        customUrl: URL
      env:
        MODE: MODE_VALUE
      wait:
        enabled: WAIT
outputs:
  id: ${agent.deploymentId}
  health: ${agent.health}
  revisionStatus: ${agent.revisionStatus}
"""


def test_health_and_revision_status_describe_the_last_up_and_ctrl_c_in_the_health_check_resumes(
    tmp_path: Path, emulator: Any
) -> None:
    """Defects 5 and 1 of issue 30, on one stack: with waiting off, `health` is `not checked` and
    `revisionStatus` the new revision's status, never the previous rollout's; Ctrl-C while the health
    check waits (the revision DEPLOYED) leaves a rollout the next `up` of the same program finishes
    with no new revision, then an empty preview."""
    agent = Agent()

    def program(image: int, path: str, mode: str, wait: bool) -> str:
        body = AGENT_PROGRAM.replace("IMAGE", str(image)).replace("URL", agent.url + path)
        return body.replace("MODE_VALUE", mode).replace("WAIT", str(wait).lower())

    try:
        project = yaml_project(tmp_path, emulator, program(1, "/a", "a", True))
        yaml_file = project.work_dir / "Pulumi.yaml"
        header = yaml_file.read_text().split("resources:", 1)[0]
        project.run("up", "--yes")
        out = project.outputs()
        assert (out["health"], out["revisionStatus"]) == ("ok", "DEPLOYED"), out
        dep_id = out["id"]
        assert len(revision_ids(emulator, dep_id)) == 1

        # Waiting off, an env change: a new revision nobody waited for or checked.
        emulator.settings(deploy_seconds=3)  # it is still rolling out when `up` reads it
        yaml_file.write_text(header + program(1, "/a", "b", False))
        project.run("up", "--yes")
        [unwaited, _] = revision_ids(emulator, dep_id)
        out = project.outputs()
        assert out["health"] == "not checked", out
        assert out["revisionStatus"] in TRANSIENT, out
        wait_until(
            "the unwaited revision to be DEPLOYED",
            lambda: api(emulator, "GET", f"/v2/deployments/{dep_id}/revisions/{unwaited}")["status"] == "DEPLOYED",
        )
        emulator.settings(deploy_seconds=0.4)

        # An imageUri change and a new customUrl whose health check gets no answer; Ctrl-C once the
        # revision is DEPLOYED on the server and the health check has asked.
        agent.up = False
        yaml_file.write_text(header + program(2, "/b", "b", True))
        checks = agent.checks
        proc = subprocess.Popen(
            ["pulumi", "up", "--yes"],
            cwd=project.work_dir,
            env=project.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:

            def in_health_check() -> bool:
                ids = revision_ids(emulator, dep_id)
                if len(ids) < 3 or agent.checks == checks:
                    return False
                return bool(
                    api(emulator, "GET", f"/v2/deployments/{dep_id}/revisions/{ids[0]}")["status"] == "DEPLOYED"
                )

            wait_until("the health check of a DEPLOYED revision", in_health_check)
            os.kill(proc.pid, signal.SIGINT)
            output, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode != 0 and "cancelled (Ctrl-C" in output, output
        rolled = revision_ids(emulator, dep_id)
        assert len(rolled) == 3, output

        # The same program again, the agent answering now: the same rollout finishes, none is added.
        agent.up = True
        resumed = project.run("up", "--yes")
        assert revision_ids(emulator, dep_id) == rolled, resumed.output
        assert "the rollout an earlier run started" in resumed.output, resumed.output
        out = project.outputs()
        assert (out["health"], out["revisionStatus"]) == ("ok", "DEPLOYED"), out
        project.run("preview", "--expect-no-changes")
    finally:
        agent.close()


def test_replace_on_changes_and_ignore_changes(tmp_path: Path, emulator: Any) -> None:
    options = "    options:\n      replaceOnChanges: [env]\n      ignoreChanges: [displayName]\n"
    project = yaml_project(tmp_path, emulator, DEPLOYMENT.replace("OPTIONS\n", options))
    project.run("up", "--yes")
    first = project.outputs()["id"]
    program = project.work_dir / "Pulumi.yaml"
    program.write_text(program.read_text().replace("Plugin agent", "Another name"))
    project.run("preview", "--expect-no-changes")  # ignoreChanges: the engine drops the new value
    program.write_text(program.read_text().replace("MODE: a", "MODE: b"))
    preview = project.run("preview", "--diff").output
    assert "+-" in preview and "1 to replace" in preview, preview
    project.run("up", "--yes")
    second = project.outputs()["id"]
    assert second != first and [d["id"] for d in live_deployments(emulator)] == [second]
    env = {s["name"]: s["value"] for s in api(emulator, "GET", f"/v2/deployments/{second}")["secrets"]}
    assert env["MODE"] == "b"
    assert json.loads(project.run("stack", "output", "--json").stdout)["id"] == second


#: A self-hosted deployment declaring the spec's ResourceSpec beyond sizing: the database's fields
#: and the Kubernetes sub-objects, whose keys the API spells in camelCase itself.
RESOURCE_SPEC = """resources:
  agent:
    type: langsmith:index:Deployment
    properties:
      name: spec-agent
      source: external_docker
      sourceRevisionConfig:
        imageUri: registry.example.com/agents/spec:1
      sourceConfig:
        resourceSpec:
          minScale: 1
          dbCpu: 0.5
          dbStorageGi: 20
          imagePullSecrets:
            - name: regcred
          volumes:
            - name: config
              configMap:
                name: agent-config
                defaultMode: 420
          volumeMounts:
            - name: config
              mountPath: /etc/agent
              readOnly: true
          initContainers:
            - name: migrate
              image: registry.example.com/agents/migrate:1
              imagePullPolicy: IfNotPresent
              env:
                - name: STEP
                  value: migrate
              resources:
                limits:
                  cpu: 500m
      wait:
        healthCheck: false
"""


def test_the_specs_whole_resource_spec_reaches_the_server_and_an_undeclared_key_is_refused_by_name(
    tmp_path: Path, emulator: Any
) -> None:
    project = yaml_project(tmp_path, emulator, RESOURCE_SPEC)
    project.run("up", "--yes")
    [made] = live_deployments(emulator)
    spec = api(emulator, "GET", f"/v2/deployments/{made['id']}")["source_config"]["resource_spec"]
    # snake_case at the spec's own level, the API's camelCase inside the Kubernetes sub-objects.
    assert spec["db_cpu"] == 0.5 and spec["db_storage_gi"] == 20 and spec["min_scale"] == 1
    assert spec["image_pull_secrets"] == [{"name": "regcred"}]
    assert spec["volumes"] == [{"name": "config", "configMap": {"name": "agent-config", "defaultMode": 420}}]
    assert spec["volume_mounts"] == [{"name": "config", "mountPath": "/etc/agent", "readOnly": True}]
    assert spec["init_containers"] == [
        {
            "name": "migrate",
            "image": "registry.example.com/agents/migrate:1",
            "imagePullPolicy": "IfNotPresent",
            "env": [{"name": "STEP", "value": "migrate"}],
            "resources": {"limits": {"cpu": "500m"}},
        }
    ]
    project.run("preview", "--expect-no-changes")

    # A key the spec does not define: refused at preview by the name the program wrote, nothing sent.
    # (Pulumi YAML checks the program against the schema before the plugin's check sees it, and names
    # the key and the types it sits in; tests/test_plugin.py asserts the plugin's own check failure.)
    program = project.work_dir / "Pulumi.yaml"
    program.write_text(program.read_text().replace("dbCpu: 0.5", "dbCpuu: 0.5"))
    seq = max((r["seq"] for r in emulator.requests()), default=0)
    failed = project.run("up", "--yes", check=False)
    assert failed.returncode != 0
    assert "Property dbCpuu does not exist" in failed.output and "resourceSpec: " in failed.output, failed.output
    assert [r for r in emulator.requests(since=seq) if r["method"] in ("POST", "PATCH", "DELETE")] == []
