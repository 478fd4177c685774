"""Defect 3 through the real Pulumi CLI, in both frontends: a build that prints every secret value.

The emulator's `echo_env` outcome makes the failing build's log start with `NAME=value` for each
environment entry, secret values too, as a build script running `env` would. `up` must fail with
`RevisionFailed` and its log tail, each secret shown as `***`, and no secret value may appear
anywhere a user or a file meets it: the CLI's stdout and stderr, every engine event (`--debug`, so
debug diagnostics too; the provider host's stderr reaches the CLI only as such events), the engine's
log at `-v=9 --logflow --logtostderr` (the provider host then logs there too; less the engine's own
lines quoting the program's inputs, see `ENGINE_MARSHALING`), `pulumi stack export` as stored (not
`--show-secrets`) and the backend's files. Once the build stops failing, the next `up` converges
with exactly one new revision, still without a value shown.

One stack per frontend, two `up`s each: a Python program (dynamic provider, Automation API) and a
YAML program through the plugin, whose `env` also holds a value marked secret with `fn::secret`.
The spec's API shape has no log route (so no tail to redact): both run in make test's first pass.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pulumi.automation.errors import CommandError

from langsmith_emulator.testing import API_KEY, GITHUB_INTEGRATION_ID, GITHUB_REPO_URL

from .cli import Project, requires_host
from .harness import SPEC_API, E2EStack
from .plugin_support import in_tree
from .reliability_support import assert_converged, by_name, github_spec, revisions, spec_program

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(SPEC_API, reason="the spec's API has no log route: no log tail to redact (first pass only)"),
]

#: As users write them: plain, with quotes and a backslash (JSON and repr quote these differently),
#: and over two lines (a log line may hold one line of it).
SECRETS = {
    "OPENAI_API_KEY": "sk-cli-echo-51f0c2a9",
    "DB_PASSWORD": 'pa"ss\\word-cli-7e',
    "PRIVATE_KEY": "-----BEGIN-----\nline-of-cli-key-3b9d",
}
#: The YAML program's `env` value marked `fn::secret`.
MARKED = {"SIGNING_TOKEN": "env-marked-secret-93ab"}


def needles(values: list[str]) -> set[str]:
    """What a leak of each value would look like in text: the value, each of its lines, and the value
    as JSON (state, event logs, the engine's log) and Python's `repr` quote it. Written here, not taken
    from `core/redact.py`, so that the redactor's own idea of a form cannot hide a leak."""
    out: set[str] = {API_KEY}
    for value in values:
        for piece in {value, *value.splitlines()}:
            out |= {piece, json.dumps(piece)[1:-1], repr(piece)[1:-1], json.dumps(json.dumps(piece))[3:-3]}
    return out


def assert_hidden(values: list[str], **texts: str) -> None:
    for where, text in texts.items():
        for needle in needles(values):
            assert needle not in text, f"secret value {needle!r} found in {where}"


#: The one kind of line of the engine's own log (`-v=9`) that quotes the program's inputs as the
#: language host sent them, before any provider saw them: Pulumi's logging, not the provider's.
ENGINE_MARSHALING = '"msg":"Marshaling property for RPC'


def provider_visible(text: str) -> str:
    """The CLI's output with the engine's log (`-v=9 --logflow --logtostderr`, so the provider host's
    own log too), less the engine's marshaling of the program's inputs (`ENGINE_MARSHALING`)."""
    return "\n".join(line for line in text.splitlines() if ENGINE_MARSHALING not in line)


VERBOSE = {"log_verbosity": 9, "log_flow": True, "log_to_std_err": True}


def assert_failed_with_redacted_tail(text: str, names: list[str]) -> None:
    """The RevisionFailed message, its log tail quoting the build's `env`, each value as `***`, in
    every place the CLI shows it (the live log lines above it are redacted apart: not counted here)."""
    # Each tail from the last "Last log lines:" before its "Fix the cause" (a progress row shows the
    # message's first line alone).
    tails = re.findall(r"BUILD_FAILED\. Last log lines:\n((?:(?!Last log lines:).)*?)Fix the cause", text, re.S)
    assert tails, text
    for tail in tails:
        assert "    $ env\n" in tail, tail
        for name in names:
            assert f"    {name}=***\n" in tail, f"{name} not redacted in the log tail:\n{tail}"


def test_python_program_shows_no_secret_of_a_build_that_prints_them(tmp_path: Path, emulator: Any) -> None:
    name = "echo-python"
    stack = E2EStack(tmp_path, emulator, spec_program([github_spec(name, secrets=dict(SECRETS))]))
    events: list[str] = []

    def on_event(event: Any) -> None:
        events.append(json.dumps(event.__dict__, default=lambda o: getattr(o, "__dict__", str(o))))

    emulator.add_outcome(deployment_name=name, outcome="BUILD_FAILED", echo_env=True)
    with pytest.raises(CommandError) as failed:
        stack.up(on_event=on_event, debug=True, **VERBOSE)
    text = str(failed.value)  # the CLI's stdout and stderr, the engine's log on it
    assert_failed_with_redacted_tail(text, list(SECRETS))
    assert '"v":9' in text and "Provider[" in text, "no engine log on stderr"
    dep = by_name(emulator)[name]
    failed_revisions = revisions(emulator, dep["id"])
    assert [r["status"] for r in failed_revisions] == ["BUILD_FAILED"]
    assert_hidden(list(SECRETS.values()), cli=provider_visible(text), events="\n".join(events))

    emulator.clear_outcomes()
    stack.up(on_event=on_event)
    assert_converged(emulator, {name})
    assert len(revisions(emulator, dep["id"])) == len(failed_revisions) + 1
    [res] = stack.resources()
    assert res["id"] == dep["id"]
    values = list(SECRETS.values())
    assert_hidden(values, output=stack.output(), events="\n".join(events), export=json.dumps(stack.export()))
    assert_hidden(values, state_files=stack.raw_state())


def _yaml(secrets: dict[str, str], marked: dict[str, str]) -> str:
    """A YAML program's body; values written as JSON strings, which YAML reads as they are."""
    lines = [
        "resources:",
        "  agent:",
        "    type: langsmith:index:Deployment",
        "    properties:",
        "      name: echo-yaml",
        "      source: github",
        "      sourceConfig:",
        f"        integrationId: {GITHUB_INTEGRATION_ID}",
        f"        repoUrl: {GITHUB_REPO_URL}",
        "        deploymentType: dev",
        "      sourceRevisionConfig:",
        "        repoRef: main",
        "        langgraphConfigPath: langgraph.json",
        "      secrets:",
        *(f"        {k}: {json.dumps(v)}" for k, v in secrets.items()),
        "      env:",
        "        MODE: plain",
        *(f"        {k}:\n          fn::secret: {json.dumps(v)}" for k, v in marked.items()),
        "      wait:",
        "        pollMinSeconds: 0.1",
        "        pollMaxSeconds: 0.5",
        "        timeoutSeconds: 120",
    ]
    return "\n".join(lines) + "\n"


@requires_host("yaml")
def test_yaml_program_shows_no_secret_of_a_build_that_prints_them(tmp_path: Path, emulator: Any) -> None:
    name = "echo-yaml"
    work = in_tree(tmp_path, "yaml")
    (work / "Pulumi.yaml").write_text(
        "name: redaction-test\nruntime: yaml\nplugins:\n  providers:\n    - name: langsmith\n      path: ../../plugin\n"
        + _yaml(SECRETS, MARKED)
    )
    project = Project(work, tmp_path)
    project.env["PULUMI_DEBUG_COMMANDS"] = "true"  # shows `--event-log` (the Automation API's own flag)
    project.init_stack(emulator.url)
    event_log = tmp_path / "events.jsonl"
    values = [*SECRETS.values(), *MARKED.values()]

    emulator.add_outcome(deployment_name=name, outcome="BUILD_FAILED", echo_env=True)
    verbose = ("-v=9", "--logflow", "--logtostderr")
    up = project.run("up", "--yes", "--skip-preview", "--debug", *verbose, "--event-log", str(event_log), check=False)
    assert up.returncode != 0, up
    assert_failed_with_redacted_tail(up.stdout, [*SECRETS, *MARKED])
    assert '"v":9' in up.stderr and "Provider[" in up.stderr, "no engine log on stderr"
    assert_hidden(values, cli=provider_visible(up.output), events=event_log.read_text())
    dep = by_name(emulator)[name]
    failed_revisions = revisions(emulator, dep["id"])
    assert [r["status"] for r in failed_revisions] == ["BUILD_FAILED"]

    emulator.clear_outcomes()
    again = project.run("up", "--yes", "--skip-preview", "--event-log", str(event_log))
    assert_converged(emulator, {name})
    assert len(revisions(emulator, dep["id"])) == len(failed_revisions) + 1
    export = project.run("stack", "export")
    [res] = [r for r in json.loads(export.stdout)["deployment"]["resources"] if r["type"].endswith("Deployment")]
    assert res["id"] == dep["id"]
    state_files = "\n".join(p.read_text(errors="replace") for p in project.state_dir.rglob("*") if p.is_file())
    assert_hidden(values, cli=again.output, events=event_log.read_text(), export=export.stdout, state=state_files)
