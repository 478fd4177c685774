"""Replacements through the real CLI, in both frontends (a Python program on the dynamic provider, a
YAML program on the `langsmith` plugin): `pulumi up --replace`, `--target-replace`, a replacement the
diff asks for (`replaceOnChanges`), with a fixed name and with an autoname, with and without
`deleteBeforeReplace`. Whatever the verb, afterwards exactly one deployment is live, its id is the one
in state, and the next preview is empty (issue 27, defect 1: a replacement's create took over the
deployment it replaced, which the engine then deleted).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..support.server import api
from .cli import Project, requires_host, requires_language_host
from .harness import SPEC_API, VENV, live_deployments

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        SPEC_API,
        reason="the replacement decisions do not depend on the API shape: run once, against the current API "
        "(make test's first pass)",
    ),
]

IMAGE = "registry.example.com/agents/replace:1"

PYTHON_PROGRAM = """import pulumi
from pulumi_langsmith import Deployment, SourceRevisionConfigArgs, WaitArgs

config = pulumi.Config()
agent = Deployment(
    "agent",
    name=config.get("name"),
    source="external_docker",
    source_revision_config=SourceRevisionConfigArgs(image_uri="IMAGE"),
    env={"MODE": config.get("mode") or "a"},
    delete_tracing_project=config.get_bool("deleteTracingProject") or False,
    wait=WaitArgs(health_check=False),
    opts=pulumi.ResourceOptions(
        delete_before_replace=config.get_bool("deleteBeforeReplace"),
        replace_on_changes=[r for r in [config.get("replaceOnChanges")] if r],
    ),
)
pulumi.export("id", agent.id)
pulumi.export("name", agent.name)
""".replace("IMAGE", IMAGE)

YAML_PROGRAM = """name: replace-test
runtime: yaml
plugins:
  providers:
    - name: langsmith
      path: PLUGIN
config:
  mode: {type: string, default: a}
resources:
  agent:
    type: langsmith:index:Deployment
    properties:
NAME      source: external_docker
      sourceRevisionConfig:
        imageUri: IMAGE
      env:
        MODE: ${mode}
      deleteTracingProject: TRACING
      wait:
        healthCheck: false
    options:
OPTIONS
outputs:
  id: ${agent.deploymentId}
  name: ${agent.name}
"""


class Frontend:
    """One program in one frontend; `set(...)` rewrites what the test varies."""

    def __init__(self, kind: str, tmp_path: Path, emulator: Any) -> None:
        self.kind = kind
        work = tmp_path / "tree" / "project"
        work.mkdir(parents=True)
        (tmp_path / "tree" / ".venv").symlink_to(VENV)
        self.work = work
        self.project = Project(work, tmp_path)
        self.settings: dict[str, Any] = {"name": None, "dbr": None, "tracing": False, "roc": None}
        self._write()
        self.project.init_stack(emulator.url)
        self._config()

    def set(self, **settings: Any) -> None:
        self.settings.update(settings)
        self._write()
        self._config()

    def _write(self) -> None:
        s = self.settings
        if self.kind == "python":
            (self.work / "Pulumi.yaml").write_text(
                "name: replace-test\nruntime:\n  name: python\n  options:\n    virtualenv: ../.venv\n"
            )
            (self.work / "__main__.py").write_text(PYTHON_PROGRAM)
            return
        options = []
        if s["dbr"] is not None:
            options.append(f"      deleteBeforeReplace: {str(s['dbr']).lower()}")
        if s["roc"]:
            options.append(f"      replaceOnChanges: [{s['roc']}]")
        program = (
            YAML_PROGRAM.replace("PLUGIN", str(Path(__file__).resolve().parents[2] / "plugin"))
            .replace("IMAGE", IMAGE)
            .replace("NAME", f"      name: {s['name']}\n" if s["name"] else "")
            .replace("TRACING", str(s["tracing"]).lower())
            .replace("OPTIONS", "\n".join(options) or "      {}")
        )
        if not options:
            program = program.replace("    options:\n      {}\n", "")
        (self.work / "Pulumi.yaml").write_text(program)

    def _config(self) -> None:
        if self.kind != "python":
            return
        s = self.settings
        for key, value in (
            ("name", s["name"]),
            ("deleteBeforeReplace", None if s["dbr"] is None else str(s["dbr"]).lower()),
            ("deleteTracingProject", str(s["tracing"]).lower()),
            ("replaceOnChanges", s["roc"]),
        ):
            if value is None:
                self.project.run("config", "rm", key, check=False)
            else:
                self.project.run("config", "set", key, value)

    def urn(self) -> str:
        [resource] = self.project.resources("Deployment")
        return str(resource["urn"])

    def state_id(self) -> str:
        [resource] = self.project.resources("Deployment")
        return str(resource["id"])


def assert_one_live_and_in_state(f: Frontend, emulator: Any) -> str:
    """Exactly one live deployment, the one state points at, and an empty preview after."""
    live = [d["id"] for d in live_deployments(emulator)]
    state = f.state_id()
    assert live == [state], f"live {live}, state {state}\n{f.project.transcript()[-4000:]}"
    assert api(emulator, "GET", f"/v2/deployments/{state}")["id"] == state
    f.project.run("preview", "--expect-no-changes")
    return state


def frontends() -> list[Any]:
    return [
        pytest.param("python", marks=requires_language_host, id="python"),
        pytest.param("yaml", marks=requires_host("yaml"), id="yaml"),
    ]


@pytest.mark.parametrize("kind", frontends())
def test_targeted_replacements_never_lose_the_deployment(kind: str, tmp_path: Path, emulator: Any) -> None:
    f = Frontend(kind, tmp_path, emulator)
    f.project.run("up", "--yes")
    first = assert_one_live_and_in_state(f, emulator)

    # An autoname: `--replace` and `--target-replace` keep one deployment, the one in state.
    for verb in ("--replace", "--target-replace"):
        replaced = f.project.run("up", "--yes", verb, f.urn())
        assert assert_one_live_and_in_state(f, emulator) == first
        assert "is not deleted" in replaced.output, replaced.output

    # A fixed name, likewise (changing the name is itself a replacement: a new deployment).
    f.set(name="replace-fixed")
    f.project.run("up", "--yes")
    fixed = assert_one_live_and_in_state(f, emulator)
    assert fixed != first
    f.project.run("up", "--yes", "--replace", f.urn())
    assert assert_one_live_and_in_state(f, emulator) == fixed

    # deleteBeforeReplace without delete_tracing_project: the delete would leave the name taken by its
    # tracing project, so the replacement is refused before anything is deleted.
    f.set(dbr=True)
    refused = f.project.run("up", "--yes", "--replace", f.urn(), check=False)
    assert refused.returncode != 0 and "nothing was deleted" in refused.output, refused.output
    assert assert_one_live_and_in_state(f, emulator) == fixed

    # With delete_tracing_project (recorded by one up first): a real replacement, a new deployment.
    f.set(tracing=True)
    f.project.run("up", "--yes")
    f.project.run("up", "--yes", "--replace", f.urn())
    renewed = assert_one_live_and_in_state(f, emulator)
    assert renewed != fixed
    assert api(emulator, "GET", f"/v2/deployments/{renewed}")["name"] == "replace-fixed"


@pytest.mark.parametrize("kind", frontends())
def test_a_replacement_the_diff_asks_for_never_takes_the_old_deployment(
    kind: str, tmp_path: Path, emulator: Any
) -> None:
    f = Frontend(kind, tmp_path, emulator)
    f.set(roc="env")
    f.project.run("up", "--yes")
    first = assert_one_live_and_in_state(f, emulator)
    f.project.run("config", "set", "mode", "b")
    up = f.project.run("up", "--yes")
    if kind == "yaml":  # the plugin's diff names `env`; the dynamic host sends no property diff
        assert "replaced" in up.output, up.output
        second = assert_one_live_and_in_state(f, emulator)
        assert second != first
    else:
        assert assert_one_live_and_in_state(f, emulator)
    held = api(emulator, "GET", f"/v2/deployments/{f.state_id()}")
    assert {s["name"]: s["value"] for s in held["secrets"]}["MODE"] == "b"

    # With a fixed name, create-before-delete cannot take the name: refused before any write.
    if kind == "yaml":
        f.set(name="roc-fixed", roc=None)
        f.project.run("up", "--yes")
        fixed = assert_one_live_and_in_state(f, emulator)
        f.set(roc="env")
        f.project.run("config", "set", "mode", "c")
        refused = f.project.run("up", "--yes", check=False)
        assert refused.returncode != 0 and "nothing was changed" in refused.output, refused.output
        f.project.run("config", "set", "mode", "b")
        assert assert_one_live_and_in_state(f, emulator) == fixed


ADOPT_YAML = """name: adopt-replace
runtime: yaml
plugins:
  providers:
    - name: langsmith
      path: PLUGIN
config:
  deploymentType: {type: string, default: dev}
resources:
  agent:
    type: langsmith:index:Deployment
    properties:
      name: made-elsewhere
      adoptId: ADOPT_ID
      deleteTracingProject: true
      source: github
      sourceConfig:
        integrationId: INTEGRATION
        repoUrl: REPO
        deploymentType: ${deploymentType}
      sourceRevisionConfig:
        repoRef: main
        langgraphConfigPath: langgraph.json
      wait:
        healthCheck: false
"""

ADOPT_PYTHON = """import pulumi
from pulumi_langsmith import Deployment, SourceConfigArgs, SourceRevisionConfigArgs, WaitArgs

config = pulumi.Config()
Deployment(
    "agent",
    name="made-elsewhere",
    adopt_id="ADOPT_ID",
    delete_tracing_project=True,
    source="github",
    source_config=SourceConfigArgs(
        integration_id="INTEGRATION", repo_url="REPO", deployment_type=config.get("deploymentType") or "dev"
    ),
    source_revision_config=SourceRevisionConfigArgs(repo_ref="main", langgraph_config_path="langgraph.json"),
    wait=WaitArgs(health_check=False),
)
"""


@pytest.mark.parametrize("kind", frontends())
def test_adopt_id_is_for_the_first_create_only(kind: str, tmp_path: Path, emulator: Any) -> None:
    """Issue 30, defect 2: `adoptId` plus a change that replaces the deployment (deploymentType, with a
    fixed name: delete first) deleted the deployment, then failed to adopt the deleted one."""
    from langsmith_emulator.testing import GITHUB_INTEGRATION_ID, GITHUB_REPO_URL

    from ..support.data import github_body

    foreign = api(emulator, "POST", "/v2/deployments", json=github_body("made-elsewhere"))
    work = tmp_path / "tree" / "project"
    work.mkdir(parents=True)
    (tmp_path / "tree" / ".venv").symlink_to(VENV)
    fill = {
        "PLUGIN": str(Path(__file__).resolve().parents[2] / "plugin"),
        "ADOPT_ID": foreign["id"],
        "INTEGRATION": GITHUB_INTEGRATION_ID,
        "REPO": GITHUB_REPO_URL,
    }
    if kind == "yaml":
        text = ADOPT_YAML
    else:
        text = ADOPT_PYTHON
        (work / "Pulumi.yaml").write_text(
            "name: adopt-replace\nruntime:\n  name: python\n  options:\n    virtualenv: ../.venv\n"
        )
    for key, value in fill.items():
        text = text.replace(key, value)
    (work / ("Pulumi.yaml" if kind == "yaml" else "__main__.py")).write_text(text)
    project = Project(work, tmp_path)
    project.init_stack(emulator.url)
    project.run("up", "--yes")
    assert [d["id"] for d in live_deployments(emulator)] == [foreign["id"]]  # adopted

    project.run("config", "set", "deploymentType", "prod")
    preview = project.run("preview").output
    assert "1 to replace" in preview, preview
    project.run("up", "--yes")
    [renewed] = live_deployments(emulator)
    assert renewed["id"] != foreign["id"] and renewed["source_config"]["deployment_type"] == "prod"
    [resource] = project.resources("Deployment")
    assert resource["id"] == renewed["id"]
    project.run("preview", "--expect-no-changes")


NESTED_YAML = """name: nested-replace
runtime: yaml
plugins:
  providers:
    - name: langsmith
      path: PLUGIN
config:
  mode: {type: string, default: a}
  other: {type: string, default: x}
  minScale: {type: integer, default: 1}
resources:
  agent:
    type: langsmith:index:Deployment
    properties:
      source: external_docker
      sourceRevisionConfig:
        imageUri: IMAGE
      sourceConfig:
        resourceSpec:
          minScale: ${minScale}
          maxScale: 3
      env:
        MODE: ${mode}
        OTHER: ${other}
      wait:
        healthCheck: false
    options:
      replaceOnChanges: [env.MODE, sourceConfig.resourceSpec.minScale]
outputs:
  id: ${agent.deploymentId}
"""


@requires_host("yaml")
def test_replace_on_changes_takes_nested_paths(tmp_path: Path, emulator: Any) -> None:
    """Defect 9: a nested `replaceOnChanges` path was ignored; the diff named only top-level keys."""
    work = tmp_path / "tree" / "project"
    work.mkdir(parents=True)
    (tmp_path / "tree" / ".venv").symlink_to(VENV)
    plugin = str(Path(__file__).resolve().parents[2] / "plugin")
    (work / "Pulumi.yaml").write_text(NESTED_YAML.replace("PLUGIN", plugin).replace("IMAGE", IMAGE))
    project = Project(work, tmp_path)
    project.init_stack(emulator.url)
    project.run("up", "--yes")
    ids = [project.outputs()["id"]]

    project.run("config", "set", "other", "y")  # not covered by a rule: one revision in place
    diff = project.run("preview", "--diff").output
    assert "1 to update" in diff and "to replace" not in diff and 'OTHER: "x" => "y"' in diff, diff
    project.run("up", "--yes")
    assert project.outputs()["id"] == ids[0]

    for key, value in (("mode", "b"), ("minScale", "2")):
        project.run("config", "set", key, value)
        diff = project.run("preview", "--diff").output
        assert "1 to replace" in diff, diff
        project.run("up", "--yes")
        ids.append(project.outputs()["id"])
        assert ids[-1] not in ids[:-1] and [d["id"] for d in live_deployments(emulator)] == [ids[-1]]
        project.run("preview", "--expect-no-changes")
    held = api(emulator, "GET", f"/v2/deployments/{ids[-1]}")
    assert held["source_config"]["resource_spec"]["min_scale"] == 2
