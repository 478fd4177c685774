"""What `refresh` finds on the server, kept secret and honoured (issue 27, defects 5 and 13), through the
real CLI in both frontends: a Python program (dynamic provider) and a YAML one (the plugin).

One stack per frontend, two deployments:
- `plain` declares `env` only. An env var set outside Pulumi (in the UI) is unmanaged: after `refresh`
  its value is nowhere in the state, `stack export` or the CLI output (defect 5 stored it as plain
  `env`), the preview is empty, and the next revision (`MODE` changed) carries it forward.
- `ignored` declares `secrets` with `ignoreChanges: [secrets]`. A secret value changed on the server
  and refreshed is not put back: the preview is empty and `up` writes nothing to it (defect 13 rolled
  out the declared value again: refresh kept only a hash, so the engine's copy of the old inputs held
  the declared value).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest

from langsmith_emulator.testing import GITHUB_INTEGRATION_ID, GITHUB_REPO_URL
from pulumi_langsmith import Deployment

from .cli import Project, requires_host
from .harness import SPEC_API, E2EStack, api, last_seq, mutating_requests
from .lifecycle_support import assert_secrets_sealed, deployment, env_of, github_args
from .reliability_support import wait_until
from .test_plugin_programs import yaml_project

pytestmark = pytest.mark.e2e

DECLARED = "sk-declared-secret-31c7a0"
ROTATED = "sk-rotated-on-the-server-8e24d9"  # set in the UI: stays the server's, never in state
OUTSIDE = "set-in-the-ui-value-5b9f12"  # an env var the program never declared


def change_outside(emulator: Any, dep_id: str, **values: str) -> None:
    """PATCH the deployment's env as the UI would (the rest of it, ownership tag too, kept), and wait
    for the revision that makes, so that refresh finds it settled."""
    env = {**env_of(deployment(emulator, dep_id)), **values}
    body = {"secrets": [{"name": k, "value": v} for k, v in env.items()]}
    api(emulator, "PATCH", f"/v2/deployments/{dep_id}", json=body)

    def settled() -> bool:
        d = deployment(emulator, dep_id)
        return bool(d["latest_revision_id"] == d["active_revision_id"] and env_of(d).items() >= values.items())

    wait_until(f"the outside revision of {dep_id}", settled)


def writes_to(emulator: Any, since: int, dep_id: str) -> list[str]:
    return [r["method"] for r in mutating_requests(emulator, since) if dep_id in r["path"]]


def both_cases(
    emulator: Any,
    ids: Callable[[], dict[str, str]],
    refresh: Callable[[], Any],
    no_changes: Callable[[], Any],
    up_with_mode_b: Callable[[], Any],
    sealed: Callable[[], None],
) -> None:
    """The steps both frontends take, after a first `up` of `plain` (MODE a) and `ignored` (DECLARED)."""
    made = ids()
    plain, ignored = made["plain"], made["ignored"]
    change_outside(emulator, plain, OUTSIDE_NAME=OUTSIDE)
    change_outside(emulator, ignored, KEY=ROTATED)
    refresh()
    sealed()  # neither value the server holds is in the state, nor in the CLI output
    no_changes()  # `preview --expect-no-changes`: nothing to correct, nothing managed has drifted
    seq = last_seq(emulator)
    up_with_mode_b()
    assert writes_to(emulator, seq, ignored) == [], "ignoreChanges: [secrets] still rolled out the declared value"
    assert writes_to(emulator, seq, plain) == ["PATCH"]
    plain_env, ignored_env = env_of(deployment(emulator, plain)), env_of(deployment(emulator, ignored))
    assert plain_env["MODE"] == "b" and plain_env["OUTSIDE_NAME"] == OUTSIDE, plain_env  # carried forward
    assert ignored_env["KEY"] == ROTATED, ignored_env
    sealed()


# Python program, dynamic provider -----------------------------------------------------------------


def test_refresh_keeps_server_values_secret_and_honours_ignore_changes_python(tmp_path: Path, emulator: Any) -> None:
    mode = {"value": "a"}

    def program() -> None:
        plain = Deployment("plain", github_args({"name": "plain-env", "env": {"MODE": mode["value"]}}))
        ignored = Deployment(
            "ignored",
            github_args({"name": "ignored-secrets", "secrets": {"KEY": DECLARED}}),
            opts=pulumi.ResourceOptions(ignore_changes=["secrets"]),
        )
        pulumi.export("plain", plain.id)
        pulumi.export("ignored", ignored.id)

    s = E2EStack(tmp_path, emulator, program)
    s.up()

    def up_with_mode_b() -> None:
        mode["value"] = "b"
        s.up()

    both_cases(
        emulator,
        s.outputs,
        lambda: s.refresh(diff=True),
        lambda: s.preview(diff=True, expect_no_changes=True),
        up_with_mode_b,
        lambda: assert_secrets_sealed(s, [DECLARED, ROTATED, OUTSIDE]),
    )


# YAML program, provider plugin --------------------------------------------------------------------

YAML = f"""resources:
  plain:
    type: langsmith:index:Deployment
    properties:
      name: plain-env
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
  ignored:
    type: langsmith:index:Deployment
    properties:
      name: ignored-secrets
      source: github
      sourceConfig:
        integrationId: {GITHUB_INTEGRATION_ID}
        repoUrl: {GITHUB_REPO_URL}
        deploymentType: dev
      sourceRevisionConfig:
        repoRef: main
        langgraphConfigPath: langgraph.json
      secrets:
        KEY: {DECLARED}
      wait:
        healthCheck: false
    options:
      ignoreChanges: [secrets]
outputs:
  plain: ${{plain.deploymentId}}
  ignored: ${{ignored.deploymentId}}
"""


def sealed_in(project: Project, values: list[str]) -> None:
    """No value in the backend's files, `stack export` or any CLI output; `secrets` (input and output)
    is ciphertext wherever it is stored."""
    exported = project.run("stack", "export").stdout
    raw = "\n".join(p.read_text(errors="replace") for p in sorted(project.state_dir.rglob("*")) if p.is_file())
    printed = project.transcript()
    for value in values:
        assert value not in exported and value not in raw and value not in printed, f"{value} in plain text"
    for res in json.loads(exported)["deployment"]["resources"]:
        for part in ("inputs", "outputs"):
            held = (res.get(part) or {}).get("secrets")
            assert held is None or "ciphertext" in held, f"{res['urn']}: {part}.secrets not ciphertext"


@requires_host("yaml")
@pytest.mark.skipif(SPEC_API, reason="the plugin runs the dynamic host's code: run once, against the current API")
def test_refresh_keeps_server_values_secret_and_honours_ignore_changes_yaml(tmp_path: Path, emulator: Any) -> None:
    project = yaml_project(tmp_path, emulator, YAML)
    project.run("up", "--yes")
    program = project.work_dir / "Pulumi.yaml"

    def up_with_mode_b() -> None:
        program.write_text(program.read_text().replace("MODE: a", "MODE: b"))
        project.run("up", "--yes")

    both_cases(
        emulator,
        project.outputs,
        lambda: project.run("refresh", "--yes", "--diff"),
        lambda: project.run("preview", "--expect-no-changes", "--diff"),
        up_with_mode_b,
        lambda: sealed_in(project, [DECLARED, ROTATED, OUTSIDE]),
    )
