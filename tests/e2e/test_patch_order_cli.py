"""Issue 27, defect 11, as a user meets it: a YAML program on the `langsmith` plugin, through the real
CLI, switches `repoRef` from a tag to a branch and turns `buildOnPush` on in one `up`. The service
checks a tag with build_on_push against the stored values merged with one request's, so a plain
PATCH sent first was refused (400). Every pair of the table's fields is `tests/test_patch_order.py`'s,
against the dynamic host; this is the plugin frontend end to end, one stack, three CLI runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from langsmith_emulator.testing import GITHUB_INTEGRATION_ID, GITHUB_REPO_URL

from ..support.server import api, revision_ids
from .cli import Project, requires_host
from .harness import SPEC_API, live_deployments
from .plugin_support import in_tree

pytestmark = [
    pytest.mark.e2e,
    requires_host("yaml"),
    pytest.mark.skipif(
        SPEC_API,
        reason="the plugin runs the same provider code as the dynamic host, whose pair walk "
        "(tests/test_patch_order.py) this pass repeats against the spec's API shape",
    ),
]

PROGRAM = """name: patch-order
runtime: yaml
plugins:
  providers:
    - name: langsmith
      path: ../../plugin
resources:
  agent:
    type: langsmith:index:Deployment
    properties:
      displayName: {display}
      source: github
      sourceConfig:
        integrationId: {integration}
        repoUrl: {repo}
        deploymentType: dev
        buildOnPush: {build_on_push}
      sourceRevisionConfig:
        repoRef: {ref}
        langgraphConfigPath: langgraph.json
      wait:
        healthCheck: false
        pollMinSeconds: 0.1
        pollMaxSeconds: 0.5
"""


def _program(work: Path, display: str, ref: str, build_on_push: bool) -> None:
    (work / "Pulumi.yaml").write_text(
        PROGRAM.format(
            display=display,
            integration=GITHUB_INTEGRATION_ID,
            repo=GITHUB_REPO_URL,
            build_on_push=str(build_on_push).lower(),
            ref=ref,
        )
    )


def test_a_tag_to_a_branch_with_build_on_push_on_in_one_up(tmp_path: Path, emulator: Any) -> None:
    work = in_tree(tmp_path, "yaml")
    _program(work, "Tagged", "refs/tags/v1.0.0", False)
    project = Project(work, tmp_path)
    project.init_stack(emulator.url)
    project.run("up", "--yes")
    [made] = live_deployments(emulator)
    before = revision_ids(emulator, made["id"])

    _program(work, "Tracking main", "main", True)
    up = project.run("up", "--yes", check=False)
    assert up.returncode == 0, up.output
    held = api(emulator, "GET", f"/v2/deployments/{made['id']}")
    assert held["source_revision_config"]["repo_ref"] == "main"
    assert held["source_config"]["build_on_push"] is True
    assert held["display_name"] == "Tracking main"
    assert len(revision_ids(emulator, made["id"])) == len(before) + 1, "exactly one new revision"
    assert [d["id"] for d in live_deployments(emulator)] == [made["id"]]
    project.run("preview", "--expect-no-changes")
