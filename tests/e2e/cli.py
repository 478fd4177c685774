"""Run the `pulumi` binary as a subprocess in a project directory, exactly as a user types it.

Unlike `harness.E2EStack` (Automation API, inline programs), this needs the Python language host
(`pulumi-language-python`): the CLI itself starts `__main__.py` with the virtualenv `Pulumi.yaml`
declares. Each `Project` has its own file backend, PULUMI_HOME and passphrase, and a PATH holding
only the Pulumi tools (no Python with this package on it), so nothing but `Pulumi.yaml`'s
`virtualenv` can lead the program and the provider host to the package.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from langsmith_emulator.testing import API_KEY, TENANT_ID

from .harness import ROOT, VENV

PULUMI = VENV / "bin" / "pulumi"
LANGUAGE_HOST = "pulumi-language-python"
TOOLS = (
    "pulumi",
    LANGUAGE_HOST,
    "pulumi-resource-pulumi-python",
    "pulumi-language-python-exec",
    # The hosts of YAML and TypeScript programs (`make setup` builds them from ../shared/tools).
    "pulumi-language-yaml",
    "pulumi-language-nodejs",
    "pulumi-resource-pulumi-nodejs",
)
PASSPHRASE = "cli-test-passphrase"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def language_host() -> Path | None:
    """Where the CLI finds it: beside its own binary (through the .venv/bin link), else on PATH."""
    if not PULUMI.exists():
        return None
    for candidate in (Path(os.path.realpath(PULUMI)).parent / LANGUAGE_HOST, VENV / "bin" / LANGUAGE_HOST):
        if candidate.exists():
            return candidate
    found = shutil.which(LANGUAGE_HOST)
    return Path(found) if found else None


SKIP_REASON = (
    f"no Python language host ({LANGUAGE_HOST}) beside .venv/bin/pulumi or on PATH, so `pulumi up` cannot "
    "run a Python program here; `make setup` builds it when PULUMI_LANGUAGE_PYTHON_SRC "
    "(../shared/tools/pulumi-language-python) exists. The Automation API tests cover the same stacks."
)
requires_language_host = pytest.mark.skipif(language_host() is None, reason=SKIP_REASON)


def host_of(language: str) -> Path | None:
    """The CLI's language host for `language` (yaml, nodejs), where the CLI looks for it."""
    name = f"pulumi-language-{language}"
    for candidate in (Path(os.path.realpath(PULUMI)).parent / name, VENV / "bin" / name):
        if candidate.exists():
            return candidate
    return None


def requires_host(language: str) -> pytest.MarkDecorator:
    """Skip, saying why, where the language host of `language` was not built (no ../shared/tools)."""
    return pytest.mark.skipif(
        language_host() is None or host_of(language) is None,
        reason=f"no pulumi-language-{language} beside .venv/bin/pulumi: `make setup` builds it from "
        f"../shared/tools/pulumi-language-{language}, absent here; the plugin's gRPC tests (tests/test_plugin.py) "
        "still run",
    )


def tools_dir(dest: Path) -> Path:
    """A bin directory holding only the Pulumi CLI and its helpers, like a user's Pulumi install."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in TOOLS:
        src = Path(os.path.realpath(PULUMI)).parent / name
        if not src.exists():
            src = VENV / "bin" / name
        if src.exists() and not (dest / name).exists():
            (dest / name).symlink_to(os.path.realpath(src))
    return dest


def clean_path() -> str:
    """PATH without any virtualenv's bin directory (the repository's in particular)."""
    parts = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(p for p in parts if p and not (Path(p).parent / "pyvenv.cfg").exists())


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return _ANSI.sub("", self.stdout + self.stderr)

    def __str__(self) -> str:
        return f"$ pulumi {' '.join(self.args)}  (exit {self.returncode})\n{self.output}"


class CommandFailed(AssertionError):
    def __init__(self, result: Result) -> None:
        self.result = result
        super().__init__(str(result))


class Project:
    """One project directory and its stack; `run("up", "--yes")` is `pulumi up --yes` typed there."""

    def __init__(self, work_dir: Path, scratch: Path) -> None:
        self.work_dir = work_dir
        self.transcript_file = scratch / "transcript.txt"
        self.state_dir = scratch / "state"
        home = scratch / "pulumi-home"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        home.mkdir(parents=True, exist_ok=True)
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "VIRTUAL_ENV", "PYTHON"))}
        self.env = {
            **inherited,
            "PATH": f"{tools_dir(scratch / 'bin')}{os.pathsep}{clean_path()}",
            "PULUMI_HOME": str(home),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        }
        self.log: list[Result] = []
        #: What each command runs under (e.g. a namespace of its own, `tests/support/git_https.py`).
        self.wrap: list[str] = []

    def run(self, *args: str, check: bool = True, stdin: str | None = None, timeout: float = 300) -> Result:
        proc = subprocess.run(
            [*self.wrap, "pulumi", *args],
            cwd=self.work_dir,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        result = Result(tuple(args), proc.returncode, proc.stdout, proc.stderr)
        self.log.append(result)
        with self.transcript_file.open("a") as f:
            f.write(f"{result}\n")
        if check and result.returncode != 0:
            raise CommandFailed(result)
        return result

    def transcript(self) -> str:
        return "\n".join(str(r) for r in self.log)

    def login(self) -> Result:
        return self.run("login", f"file://{self.state_dir}")

    def init_stack(self, control_plane_url: str, stack: str = "dev") -> None:
        """`pulumi login` to the scratch state, `stack init`, and the local control plane's settings."""
        self.login()
        self.run("stack", "init", stack)
        self.run("config", "set", "langsmith:controlPlaneUrl", control_plane_url)
        self.run("config", "set", "--secret", "langsmith:apiKey", API_KEY)
        self.run("config", "set", "langsmith:workspaceId", TENANT_ID)

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.run("stack", "output", "--json").stdout))

    def resources(self, type_suffix: str = "langsmith:Deployment") -> list[dict[str, Any]]:
        state = json.loads(self.run("stack", "export").stdout)["deployment"]
        return [r for r in state.get("resources", []) if r.get("type", "").endswith(type_suffix)]


def copy_in_tree(project: Path, tree: Path) -> Path:
    """Copy a project of this repository to the same place under `tree`, with `tree/.venv` a link to
    the repository's virtualenv, so the relative `virtualenv` of its Pulumi.yaml (`.venv`,
    `../../.venv`) resolves unchanged; the CLI writes Pulumi.<stack>.yaml beside the copy, not here."""
    rel = project.resolve().relative_to(ROOT)
    dest = tree / rel
    dest.mkdir(parents=True)
    for item in project.iterdir():
        if item.is_file() and not re.fullmatch(r"Pulumi\..+\.yaml", item.name):
            shutil.copy2(item, dest / item.name)
        elif item.is_dir() and item.name not in ("__pycache__", ".venv"):  # e.g. local-agent's ./agent
            shutil.copytree(item, dest / item.name, ignore=shutil.ignore_patterns("__pycache__"))
    (tree / ".venv").symlink_to(VENV)
    return dest
