"""A stranger installs the `langsmith` plugin as for any provider: from a git tag, or from the release
archive with the network cut, into a Pulumi YAML project outside this repository.

Each test starts where a stranger does: a project directory of its own under the test's tmp_path, a
fresh PULUMI_HOME, a PATH holding only the Pulumi tools (no Python with this package), and a copy of
this repository's files as a release would hold them (`git ls-files`: no `.venv`, no `plugin/venv`,
nothing `make setup` made). The CLI then builds the plugin's own environment from `plugin/` itself.

- git: the tree is published as a bare repository tagged `v<version>` and served by the real
  `git http-backend` over HTTPS on port 443 of a loopback address, named `git.langsmith-iac.test` in
  an /etc/hosts of the test's own (a mount namespace: the machine's file is untouched), with a
  throwaway CA in SSL_CERT_FILE (tests/support/git_https.py says why each of these is needed).
- archive: `scripts/dist.py` (`make dist`) builds it; `pulumi plugin install ... --file` runs in a
  network namespace with only loopback (`unshare -n`), pip pointed at the archive's wheelhouse by
  PIP_NO_INDEX and PIP_FIND_LINKS, as the README says.

Then `pulumi up` against the local control plane, an empty `preview --expect-no-changes`, `destroy`.
One archive and one git server serve the whole module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..support import dist
from ..support.git_https import GitServer, in_own_hosts, offline, publish_tree, serving
from .cli import Project, requires_host
from .harness import ROOT, SPEC_API, live_deployments


def _can_use_namespaces() -> str | None:
    """Why these tests cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root: `unshare -m`/`-n` and port 443 on loopback"
    for tool in ("unshare", "openssl", "git", "ip"):
        if shutil.which(tool) is None:
            return f"no `{tool}` on PATH"
    probe = subprocess.run(["unshare", "-m", "-n", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return f"`unshare -m -n` refused here: {probe.stderr.decode(errors='replace').strip()}"
    return None


WHY_NOT = _can_use_namespaces()

pytestmark = [
    pytest.mark.e2e,
    requires_host("yaml"),
    pytest.mark.skipif(WHY_NOT is not None, reason=f"installing as a stranger: {WHY_NOT}"),
    pytest.mark.skipif(
        SPEC_API,
        reason="how the plugin is installed does not depend on the API shape: run once, against the current "
        "API (make test's first pass)",
    ),
]

REPO = "langsmith-iac/pulumi-langsmith"  # owner/name, as in provider/plugin/schema.py's REPOSITORY
IMAGE = "registry.example.com/agents/stranger:1"
YAML_PROGRAM = f"""name: stranger
runtime: yaml
resources:
  agent:
    type: langsmith:index:Deployment
    properties:
      source: external_docker
      sourceRevisionConfig:
        imageUri: {IMAGE}
      env:
        MODE: installed
      wait:
        healthCheck: false
outputs:
  id: ${{agent.deploymentId}}
  status: ${{agent.revisionStatus}}
"""
#: The same program in TypeScript, with the SDK `pulumi package add` generates and links.
TYPESCRIPT_PROGRAM = {
    "Pulumi.yaml": "name: stranger\nruntime: nodejs\n",
    "package.json": json.dumps(
        {
            "name": "stranger",
            "main": "index.ts",
            "dependencies": {"@pulumi/pulumi": "3.270.0"},  # as examples/typescript
            "devDependencies": {"@types/node": "^20", "typescript": "^5"},
        },
        indent=4,
    ),
    "tsconfig.json": (ROOT / "examples" / "typescript" / "tsconfig.json").read_text(),
    "index.ts": f"""import * as langsmith from "@langsmith-iac/langsmith";

const agent = new langsmith.Deployment("agent", {{
    source: "external_docker",
    sourceRevisionConfig: {{ imageUri: "{IMAGE}" }},
    env: {{ MODE: "installed" }},
    wait: {{ healthCheck: false }},
}});
export const id = agent.deploymentId;
export const status = agent.revisionStatus;
""",
}
PROGRAMS = {"yaml": {"Pulumi.yaml": YAML_PROGRAM}, "typescript": TYPESCRIPT_PROGRAM}
LANGUAGES = [
    "yaml",
    pytest.param(
        "typescript",
        marks=[
            requires_host("nodejs"),
            pytest.mark.skipif(shutil.which("npm") is None, reason="no `npm` on PATH: a TypeScript program needs it"),
        ],
    ),
]


DIST = dist.load()
VERSION = DIST.version()


@dataclass(frozen=True)
class Release:
    archive: Path
    git: GitServer


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Release]:
    """This tree as a release: a `v<version>` tag on a git server, and the archive `make dist` writes."""
    scratch = tmp_path_factory.mktemp("release")
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    files = [Path(p) for p in listed.stdout.splitlines() if p]
    publish_tree(files, ROOT, scratch / "repos" / f"{REPO}.git", f"v{VERSION}")
    archive = DIST.build(scratch / "dist")
    with serving(scratch / "repos", scratch / "tls") as git:
        yield Release(archive, git)


def stranger(tmp_path: Path, language: str) -> Project:
    """A project of a stranger's own: outside this repository, a fresh PULUMI_HOME, only the CLI."""
    work = tmp_path / "project"
    work.mkdir()
    for name, text in PROGRAMS[language].items():
        (work / name).write_text(text)
    project = Project(work, tmp_path)
    assert not Path(project.env["PULUMI_HOME"], "plugins").exists()
    return project


def linked(project: Project, language: str) -> None:
    """What `package add` leaves a TypeScript project: the SDK in sdks/, named in package.json, installed."""
    if language != "typescript":
        return
    dependencies = json.loads((project.work_dir / "package.json").read_text())["dependencies"]
    assert dependencies["@langsmith-iac/langsmith"] == "file:sdks/langsmith-iac-langsmith", dependencies
    assert (project.work_dir / "node_modules" / "@langsmith-iac" / "langsmith").exists()


def lifecycle(project: Project, emulator: Any) -> None:
    """up, an empty preview, destroy: exactly one live deployment in between, none after."""
    project.init_stack(emulator.url)
    project.run("up", "--yes", timeout=600)
    out = project.outputs()
    assert out["status"] == "DEPLOYED", out
    assert [d["id"] for d in live_deployments(emulator)] == [out["id"]]
    project.run("preview", "--expect-no-changes")
    project.run("destroy", "--yes")
    assert live_deployments(emulator) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_project_gets_the_plugin_from_a_git_tag(
    tmp_path: Path, emulator: Any, release: Release, language: str
) -> None:
    project = stranger(tmp_path, language)
    project.env["SSL_CERT_FILE"] = str(release.git.ca_bundle)
    project.wrap = in_own_hosts(release.git)
    source = release.git.url(f"{REPO}/plugin") + f"@v{VERSION}"

    started = time.monotonic()
    added = project.run("package", "add", source, timeout=900)
    seconds = time.monotonic() - started

    assert "Added package" in added.output, added.output
    packages = yaml.safe_load((project.work_dir / "Pulumi.yaml").read_text())["packages"]
    assert packages == {"langsmith": source.removeprefix("https://")}, packages  # the CLI drops the scheme
    linked(project, language)
    installed = [p.name for p in Path(project.env["PULUMI_HOME"], "plugins").iterdir() if not p.name.endswith(".lock")]
    assert installed == [f"resource-git.langsmith-iac.test_{REPO.replace('/', '_')}.git_plugin-v{VERSION}"], installed
    lifecycle(project, emulator)
    print(f"{language}: git install: {seconds:.1f} s")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_project_gets_the_plugin_from_the_release_archive_offline(
    tmp_path: Path, emulator: Any, release: Release, language: str
) -> None:
    project = stranger(tmp_path, language)
    plugin_dir = Path(project.env["PULUMI_HOME"], "plugins", f"resource-langsmith-v{VERSION}")
    # README "Install", offline: pip's own upgrade of pip/setuptools/wheel reads the wheelhouse too.
    project.env |= {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(plugin_dir / "wheels")}
    project.wrap = offline()

    started = time.monotonic()
    project.run("plugin", "install", "resource", "langsmith", VERSION, "--file", str(release.archive), timeout=900)
    seconds = time.monotonic() - started
    assert (plugin_dir / "venv" / "bin" / "python").exists()
    project.wrap = []  # the network is back: a TypeScript SDK's `npm install` needs the registry
    project.run("package", "add", f"langsmith@{VERSION}", timeout=600)

    packages = yaml.safe_load((project.work_dir / "Pulumi.yaml").read_text())["packages"]
    assert packages == {"langsmith": f"langsmith@{VERSION}"}, packages
    linked(project, language)
    lifecycle(project, emulator)
    size = release.archive.stat().st_size / 1e6
    print(f"{language}: archive install (offline): {seconds:.1f} s, archive {size:.1f} MB")
