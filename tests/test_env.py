"""`env` (plain) beside `secrets` (secret): two inputs, one API `secrets` list."""

from __future__ import annotations

import copy
from typing import Any

from pulumi_langsmith.deployment import changes
from pulumi_langsmith.deployment.model import OWNERSHIP_ENV, validate
from pulumi_langsmith.deployment.provider import DeploymentProvider

from .support.data import docker_inputs, github_inputs
from .support.typed import change_set, typed


def _state(inputs: dict[str, Any]) -> dict[str, Any]:
    outs = copy.deepcopy(inputs)
    outs.update(
        latest_revision_id="r-1",
        active_revision_id="r-1",
        revision_status="DEPLOYED",
        secrets_hash=changes.secrets_hash(inputs.get("secrets")),
    )
    return outs


def _server(env: dict[str, str]) -> dict[str, Any]:
    """The deployment as the server answers for `github_inputs()`, holding `env`."""
    body = {k: v for k, v in github_inputs().items() if k not in ("secrets", "owner", "wait")}
    return {**body, "id": "d-1", "secrets": [{"name": k, "value": v} for k, v in env.items()]}


def test_a_name_in_both_env_and_secrets_is_refused_naming_it() -> None:
    _, failures = validate(github_inputs(env={"OPENAI_API_KEY": "plain", "LOG_LEVEL": "info"}))
    assert failures == [("env.OPENAI_API_KEY", "is also set in secrets; a name goes in one of env or secrets")]


def test_reserved_and_invalid_env_names_are_refused_per_source() -> None:
    _, failures = validate(github_inputs(env={"PORT": "1", "1BAD": "x", OWNERSHIP_ENV: "x"}))
    props = [p for p, _ in failures]
    assert props == ["env.PORT", "env.1BAD", f"env.{OWNERSHIP_ENV}"]
    model, failures = validate(docker_inputs(env={"PORT": "8080"}))
    assert failures == [] and model is not None and model.env == {"PORT": "8080"}


def test_secret_references_may_not_shadow_env() -> None:
    ref = [{"name": "LOG_LEVEL", "secret_name": "s", "secret_key": "k"}]
    _, failures = validate(docker_inputs(env={"LOG_LEVEL": "info"}, secret_references=ref))
    assert failures == [("secret_references", "'LOG_LEVEL' is also set in env")]


def test_both_inputs_are_sent_in_the_one_secrets_list() -> None:
    inputs = github_inputs(env={"LOG_LEVEL": "info"})
    body = changes.create_body(typed(inputs))
    names = {s["name"]: s["value"] for s in body["secrets"]}
    assert names.pop(OWNERSHIP_ENV)
    assert names == {"LOG_LEVEL": "info", "OPENAI_API_KEY": "sk-test-secret-value-1"}
    only_env = github_inputs(env={"LOG_LEVEL": "debug"})
    del only_env["secrets"]
    body = changes.revision_body(typed(only_env), {"secrets": [{"name": "FROM_UI", "value": "v"}]})
    # A name set outside the program is unmanaged: carried forward, never wiped by a revision.
    assert body["secrets"][:2] == [{"name": "FROM_UI", "value": "v"}, {"name": "LOG_LEVEL", "value": "debug"}]
    assert [s["name"] for s in body["secrets"]] == ["FROM_UI", "LOG_LEVEL", OWNERSHIP_ENV]


def test_a_change_of_env_is_a_new_revision_and_unchanged_env_is_nothing() -> None:
    inputs = github_inputs(env={"LOG_LEVEL": "info"})
    assert not change_set(_state(inputs), copy.deepcopy(inputs)).changes
    assert change_set(_state(inputs), github_inputs(env={"LOG_LEVEL": "debug"})).revision == ("env",)
    assert change_set(_state(inputs), github_inputs()).revision == ("env",)
    legacy = _state(github_inputs())  # state from before `env` existed
    assert not change_set(legacy, github_inputs()).changes


def test_refresh_reads_env_values_back_and_secrets_as_a_hash() -> None:
    inputs = github_inputs(env={"LOG_LEVEL": "info"})
    same = _server({"LOG_LEVEL": "info", "OPENAI_API_KEY": "sk-test-secret-value-1", OWNERSHIP_ENV: "t"})
    outs = DeploymentProvider._refreshed(typed(inputs), same, None, None, None)
    assert outs["env"] == {"LOG_LEVEL": "info"}
    assert outs["secrets_hash"] == changes.secrets_hash(inputs["secrets"])
    assert not change_set(outs, copy.deepcopy(inputs)).changes

    drifted = _server({"LOG_LEVEL": "trace", "OPENAI_API_KEY": "rotated"})
    outs = DeploymentProvider._refreshed(typed(inputs), drifted, None, None, None)
    assert outs["env"] == {"LOG_LEVEL": "trace"}
    assert set(change_set(outs, copy.deepcopy(inputs)).revision) == {"env", "secrets"}


def test_a_name_set_outside_the_program_is_unmanaged_never_stored_nor_drift() -> None:
    """Defect 5: with only `env` declared, refresh stored a name set in the UI as plain `env`."""
    inputs = github_inputs(env={"LOG_LEVEL": "info"})
    del inputs["secrets"]
    server = _server({"LOG_LEVEL": "info", "ADDED": "sk-set-in-the-ui"})
    outs = DeploymentProvider._refreshed(typed(inputs), server, None, None, None)
    assert outs["env"] == {"LOG_LEVEL": "info"} and outs.get("secrets") is None
    assert "sk-set-in-the-ui" not in repr(outs) and "ADDED" not in repr(outs)
    assert outs["secrets_hash"] is None
    assert not change_set(outs, copy.deepcopy(inputs)).changes
    assert changes.revision_matches(typed(inputs), _server({"LOG_LEVEL": "info"}))
    assert changes.revision_matches(typed(inputs), server)  # unmanaged: whatever the server holds
    assert not changes.revision_matches(typed(inputs), _server({"LOG_LEVEL": "debug", "ADDED": "x"}))
