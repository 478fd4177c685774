"""Exact outputs of the pure core: whole request bodies per source, the messages a user reads, the
small helpers' edge cases. Written from the contract (the spec's bodies, the vendor CLI's choices);
found missing by mutation testing (`make mutants`)."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from pulumi_langsmith.core.values import UNKNOWN
from pulumi_langsmith.deployment import changes
from pulumi_langsmith.deployment.model import OWNERSHIP_ENV, validate
from pulumi_langsmith.source_archive import SOURCE_HASH_ENV

from .support.data import docker_inputs, github_inputs, with_path
from .support.typed import change_set, typed

GH_TAG = "0123456789abcdef-f5c4f32e"
ED_TAG = "fedcba9876543210-89e140c5"
HASH = "a" * 64


def source_dir_inputs(**overrides: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "name": "local-agent",
        "source": "internal_source",
        "source_config": {"deployment_type": "dev"},
        "source_revision_config": {"langgraph_config_path": "langgraph.json"},
        "source_dir": "/srv/agent",
        "source_hash": HASH,
        "owner": "0123456789abcdef",
    }
    inputs.update(overrides)
    return inputs


def test_the_github_create_body_whole() -> None:
    assert changes.create_body(typed(github_inputs(env={"LOG": "info"}))) == {
        "name": "agent-one",
        "source": "github",
        "source_config": {
            "integration_id": github_inputs()["source_config"]["integration_id"],
            "repo_url": "https://github.com/langchain-ai/langgraph-example",
            "deployment_type": "dev",
            "build_on_push": False,
        },
        "source_revision_config": {"repo_ref": "main", "langgraph_config_path": "langgraph.json"},
        "secrets": [
            {"name": "LOG", "value": "info"},
            {"name": "OPENAI_API_KEY", "value": "sk-test-secret-value-1"},
            {"name": OWNERSHIP_ENV, "value": GH_TAG},
        ],
    }


def test_the_external_docker_create_body_whole() -> None:
    refs = [{"name": "DB", "secret_name": "db", "secret_key": "password"}]
    body = changes.create_body(typed(docker_inputs(secret_references=refs)))
    assert body == {
        "name": "image-one",
        "source": "external_docker",
        "source_config": {
            "listener_id": docker_inputs()["source_config"]["listener_id"],
            "listener_config": {"k8s_namespace": "agents"},
            "resource_spec": {"min_scale": 1, "max_scale": 2, "cpu": 0.5},
        },
        "source_revision_config": {"image_uri": "registry.example.com/agent:1.0.0"},
        "secrets": [
            {"name": "DB_PASSWORD", "value": "pw-test-secret-value-2"},
            {"name": OWNERSHIP_ENV, "value": ED_TAG},
        ],
        "secret_references": refs,
    }


def test_the_source_dir_create_body_is_the_cli_s() -> None:
    """langgraph-cli creates an internal_source deployment with its type and an empty revision config."""
    body = changes.create_body(typed(source_dir_inputs(env={"MODE": "a"})))
    assert body["source_config"] == {"deployment_type": "dev"}
    assert body["source_revision_config"] == {}
    assert [i["name"] for i in body["secrets"]] == ["MODE", OWNERSHIP_ENV]  # the hash comes with the revision


def test_the_github_revision_body_whole() -> None:
    news = with_path(github_inputs(), "source_config.install_command", "npm ci")
    current = {"secrets": [], "source_config": {}}
    assert changes.revision_body(typed(news), current) == {
        "source_revision_config": {"repo_ref": "main", "langgraph_config_path": "langgraph.json"},
        "source_config": {"install_command": "npm ci"},
        "secrets": [
            {"name": "OPENAI_API_KEY", "value": "sk-test-secret-value-1"},
            {"name": OWNERSHIP_ENV, "value": GH_TAG},
        ],
    }


def test_the_docker_revision_body_merges_the_server_s_sizing() -> None:
    current = {"source_config": {"resource_spec": {"cpu": 4.0, "memory_mb": 2048, "max_scale": None}}}
    body = changes.revision_body(typed(docker_inputs()), current)
    assert body["source_config"] == {"resource_spec": {"cpu": 0.5, "memory_mb": 2048, "min_scale": 1, "max_scale": 2}}
    assert body["source_revision_config"] == {"image_uri": "registry.example.com/agent:1.0.0"}


def test_the_source_dir_revision_body_whole() -> None:
    uploaded = changes.Uploaded("objects/a.tgz", "langgraph.json")
    body = changes.revision_body(typed(source_dir_inputs(env={"MODE": "a"})), {"secrets": []}, uploaded)
    assert body == {
        "revision_source": "internal_source",
        "source_revision_config": {"source_tarball_path": "objects/a.tgz", "langgraph_config_path": "langgraph.json"},
        "secrets": [
            {"name": "MODE", "value": "a"},
            {"name": OWNERSHIP_ENV, "value": changes.ownership_tag(typed(source_dir_inputs()))},
            {"name": SOURCE_HASH_ENV, "value": HASH},
        ],
    }
    with pytest.raises(ValueError, match=r"^a source_dir revision needs its uploaded archive$"):
        changes.revision_body(typed(source_dir_inputs()), {"secrets": []})


def test_an_unmanaged_env_is_carried_forward_only_when_the_provider_adds_to_it() -> None:
    d = typed(source_dir_inputs())
    tag = changes.ownership_tag(d)
    held = [{"name": "FROM_UI", "value": "ui"}, {"name": OWNERSHIP_ENV, "value": tag}]
    same = {"secrets": [*held, {"name": SOURCE_HASH_ENV, "value": HASH}]}
    assert changes.env_list(d, same) is None  # nothing to add: the env stays as it is
    new_code = {"secrets": [*held, {"name": SOURCE_HASH_ENV, "value": "b" * 64}]}
    assert changes.env_list(d, new_code) == [
        {"name": "FROM_UI", "value": "ui"},
        {"name": OWNERSHIP_ENV, "value": tag},
        {"name": SOURCE_HASH_ENV, "value": HASH},
    ]
    untagged = {"secrets": [{"name": "FROM_UI", "value": "ui"}, {"name": SOURCE_HASH_ENV, "value": HASH}]}
    assert [i["name"] for i in changes.env_list(d, untagged) or []] == ["FROM_UI", OWNERSHIP_ENV, SOURCE_HASH_ENV]
    untracked = typed({k: v for k, v in github_inputs().items() if k not in ("secrets", "owner")})
    assert changes.env_list(untracked, {"secrets": [{"name": "A", "value": "1"}]}) is None
    assert changes.env_list(untracked) == []


def test_a_plain_patch_body_nests_source_config_fields() -> None:
    d = typed(
        github_inputs(display_name="Shiny", source_config={**github_inputs()["source_config"], "build_on_push": True})
    )
    assert changes.patch_body(("display_name", "source_config.build_on_push"), d) == {
        "display_name": "Shiny",
        "source_config": {"build_on_push": True},
    }
    assert changes.patch_body(("source_config.custom_url",), d) == {}


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("My Agent_01", "my-agent-01"),
        ("a--b", "a-b"),
        ("--x--", "x"),
        ("2024 agent", "d-2024-agent"),
        ("", "d"),
        ("!!!", "d"),
        ("a" * 60, "a" * 48),
        ("a" * 47 + "-b", "a" * 47),
    ],
)
def test_slug_exactly(text: str, slug: str) -> None:
    assert changes.slug(text) == slug


def test_auto_name_is_the_slug_and_seven_hex_characters() -> None:
    assert re.fullmatch(r"my-agent-[0-9a-f]{7}", changes.auto_name("My Agent"))


@pytest.mark.parametrize(
    ("value", "is_masked"),
    [("****", True), ("\u2022\u2022", True), ("*\u2022", True), (None, True), (5, True), ("", False), ("a*", False)],
)
def test_masked_exactly(value: Any, is_masked: bool) -> None:
    assert changes.masked(value) is is_masked


def test_split_env_by_what_is_declared() -> None:
    held = {"LOG": "info", "KEY": "s", "ADDED": "x"}
    both = typed(github_inputs(env={"LOG": "debug"}))
    # Only declared names; a declared one the server lacks (OPENAI_API_KEY) is left out; ADDED is in neither.
    assert changes.split_env(held, both) == ({"LOG": "info"}, {})
    only_env = typed({k: v for k, v in github_inputs(env={"LOG": "debug"}).items() if k != "secrets"})
    assert changes.split_env(held, only_env) == ({"LOG": "info"}, None)
    only_secrets = typed(github_inputs(secrets={"KEY": "declared"}))
    assert changes.split_env(held, only_secrets) == (None, {"KEY": "s"})


def test_spec_drift_counts_declared_keys_only() -> None:
    assert changes.spec_drift(None, {"cpu": 1}) is False
    assert changes.spec_drift({"cpu": 1.0, "labels": None}, {"cpu": 1.0, "memory_mb": 9}) is False
    assert changes.spec_drift({"cpu": 1.0}, None) is True
    assert changes.spec_drift({"cpu": 1.0}, {"cpu": 2.0}) is True


def test_prune_drops_nulls_inside_lists_too() -> None:
    assert changes._prune({"a": None, "b": [{"c": None, "d": 1}], "e": {"f": None}}) == {"b": [{"d": 1}], "e": {}}


def test_fixed_field_clashes_skip_what_the_server_does_not_report() -> None:
    d = typed(docker_inputs())
    server = {
        "source": "external_docker",
        "source_config": {"listener_id": "other", "listener_config": {"k8s_namespace": "x"}},
    }
    assert changes.fixed_field_clashes(d, server) == [
        ("source_config.listener_id", "other", docker_inputs()["source_config"]["listener_id"])
    ]
    assert changes.fixed_field_clashes(d, {}) == []


@pytest.mark.parametrize(
    ("status", "waiting", "work"),
    [
        ("BUILD_FAILED", False, True),
        ("DEPLOY_FAILED", True, True),
        ("DEPLOYING", True, True),
        ("DEPLOYING", False, False),
        ("DEPLOYED", True, False),
        (None, True, False),
    ],
)
def test_an_unsettled_latest_revision_is_work(status: str | None, waiting: bool, work: bool) -> None:
    inputs = github_inputs(wait={"enabled": waiting})
    olds = {**copy.deepcopy(inputs), "revision_status": status, "secrets_hash": changes.secrets_hash(inputs["secrets"])}
    assert change_set(olds, copy.deepcopy(inputs)).revision == (("revision_status",) if work else ())


def test_unknown_secrets_and_sizing_are_revisions_and_an_unknown_patch_field_a_patch() -> None:
    inputs = docker_inputs()
    olds = {
        **copy.deepcopy(inputs),
        "revision_status": "DEPLOYED",
        "secrets_hash": changes.secrets_hash(inputs["secrets"]),
    }
    assert change_set(olds, {**inputs, "secrets": UNKNOWN}).revision == ("secrets",)
    assert change_set(olds, with_path(inputs, "source_config.resource_spec", UNKNOWN)).revision == (
        "source_config.resource_spec",
    )
    assert change_set(olds, with_path(inputs, "source_config.custom_url", UNKNOWN)).patch == (
        "source_config.custom_url",
    )
    assert change_set(olds, with_path(inputs, "source_config.listener_id", UNKNOWN)).replaces == (
        "source_config.listener_id",
    )


@pytest.mark.parametrize(
    ("inputs", "messages"),
    [
        (
            github_inputs(env={"MY-VAR": "x"}),
            [("env.MY-VAR", "is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)")],
        ),
        (
            github_inputs(env={OWNERSHIP_ENV: "x"}),
            [(f"env.{OWNERSHIP_ENV}", "is set by the provider itself (the ownership tag)")],
        ),
        (
            github_inputs(secrets={SOURCE_HASH_ENV: "x"}),
            [(f"secrets.{SOURCE_HASH_ENV}", "is set by the provider itself (the hash of source_dir)")],
        ),
        (
            github_inputs(env={"PORT": "1"}),
            [
                (
                    "env.PORT",
                    "is reserved by the LangSmith control plane outside self-hosted (external_docker) deployments",
                )
            ],
        ),
        (docker_inputs(env={"REDIS_URI": "x"}), [("env.REDIS_URI", "is reserved by the LangSmith control plane")]),
        (
            github_inputs(env={"OPENAI_API_KEY": "x"}),
            [("env.OPENAI_API_KEY", "is also set in secrets; a name goes in one of env or secrets")],
        ),
        (
            with_path(github_inputs(), "source_revision_config.repo_ref", None),
            [("source_revision_config.repo_ref", "is required when source is 'github'")],
        ),
        (
            with_path(github_inputs(), "source_config.custom_url", "https://x.example.com"),
            [("source_config.custom_url", "only applies to source 'external_docker'")],
        ),
        (
            with_path(github_inputs(), "source_config.listener_config", {"k8s_namespace": "a"}),
            [("source_config.listener_config", "only applies to source 'external_docker'")],
        ),
        (
            with_path(
                with_path(github_inputs(), "source_config.build_on_push", True),
                "source_revision_config.repo_ref",
                "refs/tags/v1",
            ),
            [("source_config.build_on_push", "cannot be true when repo_ref is a tag (refs/tags/...)")],
        ),
        (
            docker_inputs(secret_references=[{"name": "DB_PASSWORD", "secret_name": "s", "secret_key": "k"}]),
            [("secret_references", "'DB_PASSWORD' is also set in secrets")],
        ),
        (
            github_inputs(name="a{b}"),
            [("name", "must hold only [a-z0-9-], start and end with a letter or digit (max 63), got 'a{b}'")],
        ),
        (
            with_path(docker_inputs(), "source_config.resource_spec.cpu", 0.25),
            [
                (
                    "source_config.resource_spec.cpu",
                    "0.25 has more than 1 decimal place; the control plane rounds CPU to 1 decimal",
                )
            ],
        ),
        (
            docker_inputs(secret_references=[{"name": "1X", "secret_name": "s", "secret_key": "k"}]),
            [("secret_references[0].name", "must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*), got '1X'")],
        ),
        (github_inputs(colour="red"), [("colour", "is not a known property")]),
    ],
    ids=lambda v: "" if isinstance(v, dict | list) else str(v),
)
def test_what_a_user_reads_for_bad_input(inputs: dict[str, Any], messages: list[tuple[str, str]]) -> None:
    model, failures = validate(inputs)
    assert model is None
    assert failures == messages


def test_a_cpu_within_rounding_error_of_one_decimal_passes() -> None:
    model, failures = validate(with_path(docker_inputs(), "source_config.resource_spec.cpu", 0.30000000000000004))
    assert failures == [] and model is not None


def test_the_wait_options_become_the_waiter_s_polling() -> None:
    from pulumi_langsmith.core.waiter import Polling
    from pulumi_langsmith.deployment.model import WaitOptions

    assert WaitOptions(timeout_seconds=5, poll_min_seconds=0.1, poll_max_seconds=2).polling() == Polling(5, 0.1, 2)
    assert WaitOptions().polling() == Polling()


def test_the_field_table_s_groups_and_defaults() -> None:
    from pulumi_langsmith.core.schema import Change
    from pulumi_langsmith.deployment import fields

    assert fields.paths(Change.PATCH) == ("display_name", "source_config.build_on_push", "source_config.custom_url")
    assert fields.paths(Change.REPLACE)[:2] == ("name", "source")
    assert fields.create_defaults("github") == {
        "source_config.deployment_type": "prod",
        "source_config.build_on_push": False,
    }
    assert fields.create_defaults("external_docker") == {"source_config.resource_spec": {}}
    assert fields.create_defaults("internal_source") == {"source_config.deployment_type": "prod"}


def test_a_rule_across_keys_names_the_object_it_is_about() -> None:
    _, failures = validate(with_path(docker_inputs(), "source_config.resource_spec.min_scale", 5))
    assert failures == [("source_config.resource_spec", "min_scale (5) must not exceed max_scale (2)")]


def test_every_failure_past_an_unknown_one_is_still_reported() -> None:
    inputs = with_path(github_inputs(), "source_config.build_on_push", UNKNOWN)  # a bool: an error, dropped
    inputs = with_path(inputs, "source_config.repo_url", "not a url")
    inputs["display_name"] = ""
    _, failures = validate(inputs)
    assert [p for p, _ in failures] == ["source_config.repo_url", "display_name"]


def test_a_declared_null_is_not_echoed_into_state() -> None:
    from pulumi_langsmith.deployment.model import load

    raw = with_path(github_inputs(), "source_config.custom_url", None)
    assert "custom_url" not in load(raw).to_inputs()["source_config"]


def test_a_rollout_in_flight_is_resumed_only_when_it_carries_the_declared_code_and_sizing() -> None:
    d = typed(source_dir_inputs())
    server = {"source_revision_config": {"langgraph_config_path": "langgraph.json"}, "secrets": []}
    assert not changes.revision_matches(d, server)  # no code uploaded yet
    with_code = {**server, "secrets": [{"name": SOURCE_HASH_ENV, "value": HASH}]}
    assert changes.revision_matches(d, with_code)
    assert not changes.revision_matches(typed(source_dir_inputs(source_hash="b" * 64)), with_code)
    github = {**github_inputs()["source_revision_config"]}
    assert changes.revision_matches(  # a hash on a github deployment's env means nothing
        typed({k: v for k, v in github_inputs().items() if k != "secrets"}),
        {"source_revision_config": github, "secrets": [{"name": SOURCE_HASH_ENV, "value": "c" * 64}]},
    )
    docker = docker_inputs()
    held = {
        "source_revision_config": docker["source_revision_config"],
        "secrets": [{"name": k, "value": v} for k, v in docker["secrets"].items()],
        "source_config": {"resource_spec": {"min_scale": 1, "max_scale": 2, "cpu": 0.5, "memory_mb": 9}},
    }
    assert changes.revision_matches(typed(docker), held)
    held["source_config"]["resource_spec"]["cpu"] = 1.0
    assert not changes.revision_matches(typed(docker), held)


def settled(inputs: dict[str, Any]) -> dict[str, Any]:
    """The outputs of a deployment whose latest revision of `inputs` is DEPLOYED."""
    outs = {**copy.deepcopy(inputs), "revision_status": "DEPLOYED"}
    outs["secrets_hash"] = changes.secrets_hash(inputs["secrets"])
    return outs


def test_a_replacement_sends_nothing_in_place() -> None:
    inputs = github_inputs()
    news = with_path(with_path(inputs, "source_config.repo_url", "https://github.com/o/r"), "display_name", "X")
    news = with_path(news, "source_revision_config.repo_ref", "dev")
    result = change_set(settled(inputs), news)
    assert result.replaces == ("source_config.repo_url",) and result.patch == () and result.revision == ()


def test_an_unknown_build_command_is_a_revision() -> None:
    inputs = github_inputs()
    news = with_path(inputs, "source_config.build_command", UNKNOWN)
    assert change_set(settled(inputs), news).revision == ("source_config.build_command",)


def test_props_that_do_not_decode_name_every_property() -> None:
    from pulumi_langsmith.deployment.model import PropsError, load

    bad = with_path(with_path(github_inputs(), "source_config.repo_url", 1), "display_name", 2)
    with pytest.raises(PropsError) as err:
        load(bad)
    assert str(err.value) == "the stored or planned values of display_name, source_config.repo_url cannot be read"


def test_a_rule_about_a_name_is_told_at_preview_even_where_the_value_is_not_known() -> None:
    _, failures = validate(github_inputs(env={"PORT": UNKNOWN}))
    reason = "is reserved by the LangSmith control plane outside self-hosted (external_docker) deployments"
    assert failures == [("env.PORT", reason)]
    model, failures = validate(github_inputs(env={"LOG": UNKNOWN}))
    assert failures == [] and model is not None


def test_an_unmanaged_env_splits_into_nothing() -> None:
    unmanaged = typed({k: v for k, v in github_inputs().items() if k != "secrets"})
    assert changes.split_env({"A": "1"}, unmanaged) == (None, None)


def test_the_server_s_value_of_a_nested_field() -> None:
    from pulumi_langsmith.deployment import fields

    ns = fields.BY_PATH["source_config.listener_config.k8s_namespace"]
    assert changes.server_value({"source_config": {"listener_config": {"k8s_namespace": "x"}}}, ns) == "x"
    assert changes.server_value({"source_config": {"listener_config": None}}, ns) is None
    assert changes.server_value(None, fields.BY_PATH["name"]) is None
    assert changes.server_value({"name": "n"}, fields.BY_PATH["name"]) == "n"
