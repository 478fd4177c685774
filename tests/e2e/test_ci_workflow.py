"""examples/ci's GitHub Actions workflow, run outside GitHub: its own `run:` steps, job by job.

Four events in order against the local control plane: pull request 17 opened (stack `pr-17` is
created, deployed and commented on), pushed to (the new head commit is the new `repoRef`: exactly
one new revision of the same deployment, a second comment), closed (destroyed, stack removed), and
the merge's push to main (stack `production`). Also a pull request closed without a preview
(nothing to destroy); between open and close the control plane URL secret changes, and the
destroy must use the new one. `test_workflow_shape` checks which event starts which job (forks:
none) and that the steps are plain bash.

How GitHub is stood in for:
- jobs: each job's `if:` is evaluated (a small reader of GitHub's expression syntax: `==`, `!=`,
  `&&`, `||`, `!`, parentheses, literals, context paths), so the test also checks which job an
  event starts;
- runners: every job gets a fresh checkout (a copy of `examples/github` at the same place in a new
  tree whose `.venv` links to this clone's) and a fresh `PULUMI_HOME`; only the state backend is
  shared, as on GitHub, so a job cannot lean on another's `Pulumi.<stack>.yaml`;
- steps: `uses:` steps are GitHub's and are skipped; the step with `id: setup` (`make setup`) is
  skipped, because the test runs inside a set-up clone and puts the Pulumi CLI on PATH itself (the
  tools `tests/e2e/cli.py` links); every other `run:` step runs in order as GitHub runs it:
  `bash --noprofile --norc -eo pipefail`, in its working directory, with the workflow's, job's and
  step's `env:` (`${{ }}` evaluated against a github context and secrets pointing at the local
  control plane), the runner's variables (RUNNER_TEMP, GITHUB_ENV, GITHUB_PATH, ...), and
  GITHUB_ENV/GITHUB_PATH carried to the next steps;
- `gh`: a stub on PATH that writes each call (arguments, GH_REPO, the --body-file's text) to a
  directory instead of calling GitHub.

Every wait is a command's own (`pulumi up` waits for DEPLOYED, `destroy` for the 404), bounded by a
per-step timeout; nothing sleeps. Skipped without the Python language host or jq.
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
import requests
import yaml

from langsmith_emulator.testing import API_KEY, GITHUB_REPO_URL, TENANT_ID

from .cli import PASSPHRASE, Project, clean_path, copy_in_tree, requires_language_host, tools_dir
from .harness import ROOT, SPEC_API, last_seq, live_deployments
from .lifecycle_support import deployment, revision, revisions

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        SPEC_API,
        reason="the workflow's steps do not depend on the API shape (the stacks they deploy are covered in "
        "both passes): run once, against the current API (make test's first pass)",
    ),
]

WORKFLOW = ROOT / "examples" / "ci" / ".github" / "workflows" / "langsmith-preview.yml"
PROGRAM = ROOT / "examples" / "github"
#: The repository the workflow "runs in": its URL is the emulator's seeded repository, which the
#: seeded GitHub integration sees, so the program's integration lookup finds it.
REPOSITORY = "langchain-ai/langgraph-example"
SHA_OPENED, SHA_PUSHED, SHA_MERGED = "a1" * 20, "b2" * 20, "c3" * 20
STEP_TIMEOUT = 240.0  # seconds: one step, under full CPU load; a healthy step takes a few seconds

requires_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="no jq on PATH (the workflow's steps use it)")

GH_STUB = """#!/usr/bin/env bash
# gh as the workflow calls it, without GitHub: each call is written to $GH_STUB_DIR/<n>/.
set -euo pipefail
[ -n "${GH_TOKEN:-}" ] || { echo "gh: no GH_TOKEN: gh would not be logged in" >&2; exit 4; }
call="$GH_STUB_DIR/$(printf '%03d' "$(find "$GH_STUB_DIR" -mindepth 1 -maxdepth 1 | wc -l)")"
mkdir "$call"
printf '%s\\n' "$@" > "$call/args"
printf '%s' "${GH_REPO:-}" > "$call/repo"
while [ $# -gt 0 ]; do
  if [ "$1" = --body-file ]; then cat -- "$2" > "$call/body"; fi
  shift
done
"""


# GitHub's expression syntax, the part a workflow's `if:` and `env:` use -------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<op>\|\||&&|==|!=|[!()])|'(?P<str>(?:[^']|'')*)'|(?P<num>\d+)\b"
    r"|(?P<path>[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*))"
)


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos, text = 0, text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ValueError(f"cannot read the expression at {text[pos:]!r}")
        pos = m.end()
        if m["op"]:
            out.append(("op", m["op"]))
        elif m["str"] is not None:
            out.append(("value", m["str"].replace("''", "'")))
        elif m["num"]:
            out.append(("value", int(m["num"])))
        else:
            out.append(("path", m["path"]))
    return out


def _truthy(value: Any) -> bool:
    return value not in (None, False, 0, "")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()  # GitHub compares strings ignoring case
    return bool(a == b)


def evaluate(text: str, context: dict[str, Any]) -> Any:
    """One expression (without `${{ }}`): || and && yield an operand, as in GitHub; a missing
    property is null. Functions are not supported: the workflow uses none."""
    tokens = _tokens(text)
    pos = 0

    def peek() -> Any:
        return tokens[pos][1] if pos < len(tokens) and tokens[pos][0] == "op" else None

    def take(op: str) -> bool:
        nonlocal pos
        if peek() == op:
            pos += 1
            return True
        return False

    def primary() -> Any:
        nonlocal pos
        if take("("):
            inner = either()
            assert take(")"), f"unbalanced parentheses in {text!r}"
            return inner
        kind, token = tokens[pos]
        pos += 1
        if kind == "value":
            return token
        if kind == "path":
            literals = {"true": True, "false": False, "null": None}
            if token in literals:
                return literals[token]
            value: Any = context
            for key in token.split("."):
                value = value.get(key) if isinstance(value, dict) else None
            return value
        raise ValueError(f"unexpected {token!r} in {text!r}")

    def unary() -> Any:
        return not _truthy(unary()) if take("!") else primary()

    def comparison() -> Any:
        left = unary()
        if take("=="):
            return _equal(left, unary())
        if take("!="):
            return not _equal(left, unary())
        return left

    def both() -> Any:
        left = comparison()
        while take("&&"):
            right = comparison()
            left = right if _truthy(left) else left
        return left

    def either() -> Any:
        left = both()
        while take("||"):
            right = both()
            left = left if _truthy(left) else right
        return left

    result = either()
    assert pos == len(tokens), f"trailing tokens in {text!r}"
    return result


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def interpolate(value: Any, context: dict[str, Any]) -> str:
    """A workflow string with `${{ expr }}` parts, as GitHub hands it to a step."""
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: _as_text(evaluate(m.group(1), context)), _as_text(value))


def condition(text: str, context: dict[str, Any]) -> bool:
    """An `if:`: an expression with or without `${{ }}`."""
    m = re.fullmatch(r"\s*\$\{\{(.*)\}\}\s*", text, re.S)
    return _truthy(evaluate(m.group(1) if m else text, context))


# The workflow, run -----------------------------------------------------------------------------------


def load_workflow() -> dict[str, Any]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on".
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return dict(workflow)


def pull_request(
    action: str, number: int, head_sha: str, *, fork: bool = False, merged: bool = False
) -> dict[str, Any]:
    head_repo = "someone/langgraph-example" if fork else REPOSITORY
    pr = {
        "number": number,
        "merged": merged,
        "head": {"sha": head_sha, "ref": "feature", "repo": {"full_name": head_repo}},
    }
    return {
        "event_name": "pull_request",
        "event": {"action": action, "number": number, "pull_request": pr},
        "ref": f"refs/pull/{number}/merge",
        "sha": "f0" * 20,  # the test merge commit GitHub makes for a pull request; unused
    }


def push_to_main(sha: str) -> dict[str, Any]:
    return {
        "event_name": "push",
        "event": {"ref": "refs/heads/main", "after": sha},
        "ref": "refs/heads/main",
        "sha": sha,
    }


def github_context(github: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
    """The contexts `${{ }}` reads; a secret that is not set reads as null (""), as on GitHub."""
    base = {"repository": REPOSITORY, "server_url": "https://github.com", "token": "ghs_test_token"}
    return {"github": {**base, **github}, "secrets": secrets, "vars": {}}


def jobs_for(workflow: dict[str, Any], github: dict[str, Any]) -> list[str]:
    """The jobs an event starts: those whose `if:` holds (secrets do not decide it here)."""
    context = github_context(github, {})
    jobs: dict[str, Any] = workflow["jobs"]
    return [name for name, job in jobs.items() if "if" not in job or condition(str(job["if"]), context)]


@dataclass(frozen=True)
class StepResult:
    job: str
    name: str
    returncode: int
    output: str

    def __str__(self) -> str:
        return f"--- {self.job} / {self.name} (exit {self.returncode})\n{self.output}"


@dataclass(frozen=True)
class GhCall:
    args: list[str]
    repo: str
    body: str


class StepFailed(AssertionError):
    pass


class GitHub:
    """Runs the workflow's jobs for an event, one fresh runner each, against one shared backend."""

    def __init__(self, scratch: Path, secrets: dict[str, str]) -> None:
        self.workflow = load_workflow()
        self.scratch = scratch
        self.secrets = secrets
        self.gh_calls_dir = scratch / "gh-calls"
        self.gh_calls_dir.mkdir(parents=True)
        self.stub_bin = scratch / "stub-bin"
        self.stub_bin.mkdir()
        (self.stub_bin / "gh").write_text(GH_STUB)
        (self.stub_bin / "gh").chmod(0o755)
        self.runs = 0
        self.log: list[StepResult] = []
        #: What each job last wrote to GITHUB_STEP_SUMMARY, by job name.
        self.summaries: dict[str, str] = {}

    def on(self, github: dict[str, Any]) -> list[str]:
        """The event: every job its `if:` selects, in the workflow's order (none has `needs`)."""
        jobs = jobs_for(self.workflow, github)
        for name in jobs:
            self.run_job(name, github)
        return jobs

    def runner(self, job_name: str, github: dict[str, Any]) -> tuple[dict[str, str], Path, dict[str, Path]]:
        """A fresh runner: checkout, home, temp dir and the GITHUB_* files; the base environment."""
        self.runs += 1
        machine = self.scratch / f"runner-{self.runs:02d}-{job_name}"
        workspace = machine / "workspace"
        copy_in_tree(PROGRAM, workspace)
        files = {name: machine / name for name in ("env", "path", "output", "step_summary")}
        for path in files.values():
            path.touch()
        (machine / "temp").mkdir()
        (machine / "home").mkdir()
        # What a user's shell would leak into the steps is left out: only the workflow sets these.
        leaky = ("PULUMI_", "LANGSMITH_", "GITHUB_", "RUNNER_", "GH_", "VIRTUAL_ENV", "PYTHON")
        env = {k: v for k, v in os.environ.items() if not k.startswith(leaky)}
        env.update(
            PATH=os.pathsep.join([str(self.stub_bin), str(tools_dir(machine / "bin")), clean_path()]),
            PULUMI_HOME=str(machine / "home"),
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
            GH_STUB_DIR=str(self.gh_calls_dir),
            CI="true",
            GITHUB_ACTIONS="true",
            GITHUB_WORKSPACE=str(workspace),
            GITHUB_REPOSITORY=REPOSITORY,
            GITHUB_EVENT_NAME=github["event_name"],
            GITHUB_REF=github["ref"],
            GITHUB_SHA=github["sha"],
            GITHUB_JOB=job_name,
            GITHUB_ENV=str(files["env"]),
            GITHUB_PATH=str(files["path"]),
            GITHUB_OUTPUT=str(files["output"]),
            GITHUB_STEP_SUMMARY=str(files["step_summary"]),
            RUNNER_TEMP=str(machine / "temp"),
            RUNNER_ENVIRONMENT="self-hosted",
        )
        return env, workspace, files

    def run_job(self, job_name: str, github: dict[str, Any]) -> None:
        job: dict[str, Any] = self.workflow["jobs"][job_name]
        context = github_context(github, self.secrets)
        env, workspace, files = self.runner(job_name, github)
        for scope in (self.workflow.get("env") or {}, job.get("env") or {}):
            env.update({k: interpolate(v, context) for k, v in scope.items()})
        defaults = run_defaults(self.workflow) | run_defaults(job)
        for step in job["steps"]:
            if "uses" in step or step.get("id") == "setup":
                continue
            if "if" in step and not condition(str(step["if"]), context):
                continue
            step_env = {**env, **{k: interpolate(v, context) for k, v in (step.get("env") or {}).items()}}
            cwd = workspace / str(step.get("working-directory", defaults.get("working-directory", ".")))
            shell = step.get("shell", defaults.get("shell"))
            assert shell == "bash", (
                f"{job_name} / {step.get('name')}: shell {shell!r}, not bash (GitHub's bash -eo pipefail)"
            )
            self.run_step(job_name, step, step_env, cwd, files["env"].parent / "temp")
            env.update(read_github_env(files["env"]))
            added = [line for line in files["path"].read_text().splitlines() if line]
            env["PATH"] = os.pathsep.join([*reversed(added), env["PATH"]]) if added else env["PATH"]
            files["env"].write_text("")
            files["path"].write_text("")
        self.summaries[job_name] = files["step_summary"].read_text()

    def run_step(self, job: str, step: dict[str, Any], env: dict[str, str], cwd: Path, temp: Path) -> None:
        script = temp / f"step-{len(self.log):03d}.sh"  # where GitHub's runner writes it too: RUNNER_TEMP
        script.write_text(str(step["run"]))
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )
        name = str(step.get("name", step["run"].splitlines()[0]))
        result = StepResult(job, name, proc.returncode, proc.stdout + proc.stderr)
        self.log.append(result)
        if proc.returncode != 0:
            raise StepFailed(f"{result}\n\nearlier steps:\n" + "\n".join(map(str, self.log[:-1])))

    def gh_calls(self) -> list[GhCall]:
        def body(call: Path) -> str:
            return (call / "body").read_text() if (call / "body").exists() else ""

        return [
            GhCall((call / "args").read_text().splitlines(), (call / "repo").read_text(), body(call))
            for call in sorted(self.gh_calls_dir.iterdir())
        ]

    def transcript(self) -> str:
        return "\n".join(map(str, self.log))


def run_defaults(scope: dict[str, Any]) -> dict[str, Any]:
    return dict((scope.get("defaults") or {}).get("run") or {})


def read_github_env(path: Path) -> dict[str, str]:
    """GITHUB_ENV's two forms: NAME=value and NAME<<DELIMITER ... DELIMITER."""
    out: dict[str, str] = {}
    lines = iter(path.read_text().splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value: list[str] = []
            for more in lines:
                if more == delimiter:
                    break
                value.append(more)
            out[name] = "\n".join(value)
        elif "=" in line:
            name, val = line.split("=", 1)
            out[name] = val
    return out


# Checks ----------------------------------------------------------------------------------------------


def stack_names(observer: Project) -> list[str]:
    return sorted(s["name"] for s in json.loads(observer.run("stack", "ls", "--json").stdout))


def stack_outputs(observer: Project, stack: str) -> dict[str, Any]:
    return dict(json.loads(observer.run("stack", "output", "--json", "--stack", stack).stdout))


def is_gone(emulator: Any, dep_id: str) -> bool:
    r = requests.get(f"{emulator.url}/v2/deployments/{dep_id}", headers=emulator.headers(), timeout=15)
    return r.status_code == 404


def repo_ref(server: dict[str, Any]) -> Any:
    return (server.get("source_revision_config") or {}).get("repo_ref")


# Tests -----------------------------------------------------------------------------------------------


def test_workflow_shape() -> None:
    """What the run below relies on: the triggers, plain-bash steps, one skippable setup step per job."""
    workflow = load_workflow()
    assert workflow["on"]["pull_request"]["types"] == ["opened", "synchronize", "reopened", "closed"]
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert set(workflow["jobs"]) == {"preview", "cleanup", "production"}
    # Which event starts which job.
    for action in ("opened", "synchronize", "reopened"):
        assert jobs_for(workflow, pull_request(action, 5, SHA_OPENED)) == ["preview"]
        assert jobs_for(workflow, pull_request(action, 5, SHA_OPENED, fork=True)) == []  # no secrets
    assert jobs_for(workflow, pull_request("closed", 5, SHA_OPENED)) == ["cleanup"]
    assert jobs_for(workflow, pull_request("closed", 5, SHA_OPENED, merged=True)) == ["cleanup"]
    assert jobs_for(workflow, push_to_main(SHA_MERGED)) == ["production"]
    assert jobs_for(workflow, {**push_to_main(SHA_MERGED), "ref": "refs/heads/other"}) == []
    for name, job in workflow["jobs"].items():
        runs = [s for s in job["steps"] if "run" in s]
        setup = [s for s in runs if s.get("id") == "setup"]
        assert len(setup) == 1 and "make setup" in setup[0]["run"], f"{name}: one `make setup` step, id: setup"
        for step in runs:
            assert "${{" not in step["run"], f"{name} / {step.get('name')}: the GitHub context goes through env:"
            assert "uses" not in step


@requires_jq
def test_backend_guard() -> None:
    """A file backend on a GitHub-hosted runner would vanish with the job: the workflow stops."""
    [guard] = [s for s in load_workflow()["jobs"]["preview"]["steps"] if s.get("name") == "Check the state backend"]

    def run(backend: str, runner: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": os.environ["PATH"], "PULUMI_BACKEND_URL": backend, "RUNNER_ENVIRONMENT": runner}
        cmd = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", guard["run"]]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30, check=False)

    refused = run("file://~", "github-hosted")
    assert refused.returncode == 1 and "::error::PULUMI_BACKEND_URL is file://~" in refused.stdout
    assert run("file://~", "self-hosted").returncode == 0
    assert run("s3://bucket/langsmith", "github-hosted").returncode == 0


@requires_language_host
@requires_jq
def test_pull_request_lifecycle_and_merge(tmp_path: Path, emulator: Any) -> None:
    observer = Project(copy_in_tree(PROGRAM, tmp_path / "observer-tree"), tmp_path / "observer")
    observer.login()  # the shared backend: observer.state_dir
    secrets = {
        "PULUMI_BACKEND_URL": f"file://{observer.state_dir}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "LANGSMITH_API_KEY": API_KEY,
        "LANGSMITH_WORKSPACE_ID": TENANT_ID,
        "LANGSMITH_CONTROL_PLANE_URL": emulator.url,
    }
    gh = GitHub(tmp_path / "github", secrets)
    assert f"https://github.com/{REPOSITORY}" == GITHUB_REPO_URL

    # Opened: stack pr-17, one deployment of the head commit, a comment with its two URLs.
    assert gh.on(pull_request("opened", 17, SHA_OPENED)) == ["preview"]
    assert stack_names(observer) == ["pr-17"]
    out = stack_outputs(observer, "pr-17")
    [live] = live_deployments(emulator)
    dep_id = out["deployment_id"]
    assert live["id"] == dep_id and out["revision_status"] == "DEPLOYED"
    server = deployment(emulator, dep_id)
    assert repo_ref(server) == SHA_OPENED and server["source_config"]["deployment_type"] == "dev"
    assert server["source_config"]["repo_url"] == GITHUB_REPO_URL
    assert out["url"] == server["source_config"]["custom_url"]
    assert out["dashboard_url"].endswith(f"/host/deployments/{dep_id}")
    [comment] = gh.gh_calls()
    assert comment.args[:3] == ["pr", "comment", "17"] and "--body-file" in comment.args
    assert comment.repo == REPOSITORY
    assert f"- Dashboard: {out['dashboard_url']}\n" in comment.body and f"- URL: {out['url']}\n" in comment.body
    assert SHA_OPENED in comment.body and "pr-17" in comment.body

    # Pushed to: the new head commit rolls out exactly one new revision of the same deployment.
    before = revisions(emulator, dep_id)
    assert gh.on(pull_request("synchronize", 17, SHA_PUSHED)) == ["preview"]
    after = revisions(emulator, dep_id)
    assert len(after) == len(before) + 1
    server = deployment(emulator, dep_id)
    assert [d["id"] for d in live_deployments(emulator)] == [dep_id], "the update replaced the deployment"
    assert repo_ref(server) == SHA_PUSHED and server["latest_revision_id"] not in {r["id"] for r in before}
    assert revision(emulator, dep_id, server["latest_revision_id"])["status"] == "DEPLOYED"
    comments = gh.gh_calls()
    assert len(comments) == 2 and SHA_PUSHED in comments[1].body
    assert f"- URL: {out['url']}\n" in comments[1].body  # the same deployment, the same URL

    # Closed (merged): the deployment is deleted and the stack removed; no comment. The secrets
    # changed since the preview (the control plane URL, to its self-hosted /api-host form): the
    # destroy uses them as they are now, not the settings the preview left in the state.
    gh.secrets["LANGSMITH_CONTROL_PLANE_URL"] = f"{emulator.url}/api-host"
    seq = last_seq(emulator)
    assert gh.on(pull_request("closed", 17, SHA_PUSHED, merged=True)) == ["cleanup"]
    assert stack_names(observer) == []
    assert is_gone(emulator, dep_id) and live_deployments(emulator) == []
    deletes = [r["path"] for r in emulator.requests(since=seq) if r["method"] == "DELETE"]
    assert deletes == [f"/api-host/v2/deployments/{dep_id}"]
    assert len(gh.gh_calls()) == 2

    # A pull request closed before any preview made its stack: nothing to destroy, and no failure.
    assert gh.on(pull_request("closed", 19, "e5" * 20)) == ["cleanup"]
    assert "no stack pr-19: nothing to destroy" in gh.log[-1].output

    # The merge's push to main: stack production, a prod deployment of the merge commit.
    assert gh.on(push_to_main(SHA_MERGED)) == ["production"]
    assert stack_names(observer) == ["production"]
    prod = stack_outputs(observer, "production")
    [live] = live_deployments(emulator)
    assert live["id"] == prod["deployment_id"] != dep_id and prod["revision_status"] == "DEPLOYED"
    server = deployment(emulator, prod["deployment_id"])
    assert repo_ref(server) == SHA_MERGED and server["source_config"]["deployment_type"] == "prod"
    summary = gh.summaries["production"]
    assert prod["url"] in summary and SHA_MERGED in summary

    # The API key went into config through stdin: no step printed it, no state file holds it.
    assert API_KEY not in gh.transcript()
    state = "\n".join(f.read_text(errors="replace") for f in observer.state_dir.rglob("*") if f.is_file())
    assert API_KEY not in state
