"""Unit tests of the pure planning functions: mutability matrix, payloads, hashing, autonaming."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_langsmith.core.schema import Change, Removal
from pulumi_langsmith.core.values import UNKNOWN
from pulumi_langsmith.deployment import changes, fields
from pulumi_langsmith.deployment.model import DEPLOYMENT_TYPES, OWNERSHIP_ENV, load, value_at

from .support.data import docker_inputs, github_inputs, with_path
from .support.typed import change_set, typed


def outputs_for(inputs: dict[str, Any]) -> dict[str, Any]:
    """What state holds after a successful create: inputs echoed plus computed fields."""
    outs = copy.deepcopy(inputs)
    outs.update(
        deployment_id="d-1",
        latest_revision_id="r-1",
        active_revision_id="r-1",
        revision_status="DEPLOYED",
        secrets_hash=changes.secrets_hash(inputs.get("secrets")),
    )
    return outs


def changed(inputs: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    return with_path(inputs, path, value)


def test_identical_inputs_mean_no_changes() -> None:
    for inputs in (github_inputs(), docker_inputs()):
        p = change_set(outputs_for(inputs), copy.deepcopy(inputs))
        assert not p.changes
        assert p == changes.ChangeSet()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("name", "other-name"),
        ("source", "external_docker"),
        ("source_config.deployment_type", "prod"),
        ("source_config.integration_id", "00000000-0000-4000-8000-000000000009"),
        ("source_config.repo_url", "https://github.com/acme/other"),  # spec: "cannot be changed (PATCH)"
    ],
)
def test_replace_paths_replace_and_nothing_else(path: str, value: Any) -> None:
    inputs = github_inputs()
    p = change_set(outputs_for(inputs), changed(inputs, path, value))
    assert p.replaces == (path,)
    assert p.changes
    assert p.patch == () and p.revision == ()


def test_same_name_replacement_deletes_first_and_new_name_does_not() -> None:
    inputs = github_inputs()
    assert change_set(
        outputs_for(inputs), changed(inputs, "source_config.deployment_type", "prod")
    ).delete_before_replace
    assert not change_set(outputs_for(inputs), changed(inputs, "name", "renamed")).delete_before_replace


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("display_name", "Shiny"),
        ("source_config.build_on_push", True),
    ],
)
def test_patch_paths_patch_without_revision(path: str, value: Any) -> None:
    inputs = github_inputs()
    p = change_set(outputs_for(inputs), changed(inputs, path, value))
    assert p.patch == (path,)
    assert p.revision == () and p.replaces == ()


def test_custom_url_on_docker_is_a_patch() -> None:
    inputs = docker_inputs()
    p = change_set(outputs_for(inputs), changed(inputs, "source_config.custom_url", "https://agent.example.com"))
    assert p.patch == ("source_config.custom_url",)


@pytest.mark.parametrize(
    ("make", "path", "value", "reason"),
    [
        (github_inputs, "source_revision_config.repo_ref", "release", "source_revision_config.repo_ref"),
        (
            github_inputs,
            "source_revision_config.langgraph_config_path",
            "x/langgraph.json",
            "source_revision_config.langgraph_config_path",
        ),
        (github_inputs, "secrets", {"OPENAI_API_KEY": "rotated"}, "secrets"),
        (
            docker_inputs,
            "source_revision_config.image_uri",
            "registry.example.com/agent:2",
            "source_revision_config.image_uri",
        ),
        (
            docker_inputs,
            "source_config.resource_spec",
            {"min_scale": 1, "max_scale": 3, "cpu": 0.5},
            "source_config.resource_spec",
        ),
    ],
)
def test_revision_paths_make_one_revision(make: Any, path: str, value: Any, reason: str) -> None:
    inputs = make()
    p = change_set(outputs_for(inputs), changed(inputs, path, value))
    assert p.revision == (reason,)
    assert p.patch == () and p.replaces == ()


def test_local_settings_change_state_but_call_nothing() -> None:
    inputs = github_inputs()
    p = change_set(outputs_for(inputs), changed(inputs, "wait.timeout_seconds", 99))
    assert p.local == ("wait",) and p.changes
    assert not (p.patch or p.revision or p.replaces)


def test_unknown_values_count_as_changes() -> None:
    inputs = github_inputs()
    assert change_set(outputs_for(inputs), changed(inputs, "source_revision_config.repo_ref", UNKNOWN)).revision
    assert change_set(outputs_for(inputs), changed(inputs, "secrets", UNKNOWN)).revision
    assert change_set(outputs_for(inputs), changed(inputs, "source", UNKNOWN)).replaces == ("source",)


def test_secret_drift_seen_through_the_hash_only() -> None:
    inputs = github_inputs()
    olds = outputs_for(inputs)
    olds["secrets_hash"] = changes.secrets_hash({"OPENAI_API_KEY": "changed-out-of-band"})
    assert change_set(olds, copy.deepcopy(inputs)).revision == ("secrets",)


def test_failed_latest_revision_is_retried_by_the_next_up() -> None:
    inputs = github_inputs()
    olds = outputs_for(inputs)
    olds["revision_status"] = "BUILD_FAILED"
    assert change_set(olds, copy.deepcopy(inputs)).revision == ("revision_status",)


def test_resource_spec_server_defaults_are_not_drift() -> None:
    declared = {"min_scale": 1, "cpu": 0.5}
    server = {"min_scale": 1, "max_scale": 1, "cpu": 0.5, "memory_mb": 2048, "queue_cpu": None}
    assert not changes.spec_drift(declared, server)
    assert changes.spec_drift(declared, {**server, "cpu": 1.0})


def test_resource_spec_is_merged_before_writing() -> None:
    current = {
        "source_config": {
            "resource_spec": {
                "min_scale": 1,
                "max_scale": 1,
                "memory_mb": 2048,
                "sidecars": [{"name": "s"}],
                "redis_cpu": None,
            }
        }
    }
    body = changes.revision_body(typed(docker_inputs()), current)
    assert body["source_config"]["resource_spec"] == {
        "min_scale": 1,
        "max_scale": 2,
        "cpu": 0.5,
        "memory_mb": 2048,
        "sidecars": [{"name": "s"}],
    }


def test_create_payload_shape() -> None:
    inputs = github_inputs(display_name="Pretty")
    body = changes.create_body(typed(inputs))
    assert "display_name" not in body  # not accepted on create; PATCHed afterwards
    assert body["secrets"] == [
        {"name": "OPENAI_API_KEY", "value": "sk-test-secret-value-1"},
        {"name": OWNERSHIP_ENV, "value": changes.ownership_tag(typed(inputs))},
    ]
    assert set(body) == {"name", "source", "source_config", "source_revision_config", "secrets"}


def test_revision_payload_never_sends_empty_secrets() -> None:
    inputs = github_inputs(secrets={})
    body = changes.revision_body(typed(inputs), {"secrets": []})
    assert body["secrets"] == [{"name": OWNERSHIP_ENV, "value": changes.ownership_tag(typed(inputs))}]


def test_unmanaged_secrets_are_carried_forward_with_the_ownership_tag() -> None:
    inputs = github_inputs()
    del inputs["secrets"]
    current = {"secrets": [{"name": "FROM_UI", "value": "v"}]}
    body = changes.revision_body(typed(inputs), current)
    assert body["secrets"] == [
        {"name": "FROM_UI", "value": "v"},
        {"name": OWNERSHIP_ENV, "value": changes.ownership_tag(typed(inputs))},
    ]
    current["secrets"].append({"name": OWNERSHIP_ENV, "value": changes.ownership_tag(typed(inputs))})
    assert "secrets" not in changes.revision_body(typed(inputs), current)


def test_patch_payload_only_sends_no_revision_fields() -> None:
    body = changes.patch_body(("display_name", "source_config.build_on_push"), typed(github_inputs(display_name="X")))
    assert body == {"display_name": "X", "source_config": {"build_on_push": False}}


def test_server_secrets_hide_the_ownership_tag_and_ownership_tag_on_reads_it() -> None:
    dep = {"secrets": [{"name": "A", "value": "1"}, {"name": OWNERSHIP_ENV, "value": "abc"}]}
    assert changes.server_secrets(dep) == {"A": "1"}
    assert changes.ownership_tag_on(dep) == "abc"
    assert changes.ownership_tag_on({"secrets": []}) is None


@given(st.dictionaries(st.from_regex(r"[A-Z_][A-Z0-9_]{0,8}", fullmatch=True), st.text(max_size=20), max_size=6))
def test_secrets_hash_ignores_order_and_sees_every_value(secrets: dict[str, str]) -> None:
    reordered = dict(reversed(list(secrets.items())))
    assert changes.secrets_hash(secrets) == changes.secrets_hash(reordered)
    for key in secrets:
        assert changes.secrets_hash({**secrets, key: secrets[key] + "x"}) != changes.secrets_hash(secrets)


@given(st.text(min_size=1, max_size=80))
def test_slug_is_always_a_valid_name(text: str) -> None:
    from pulumi_langsmith.deployment.model import NAME_RE

    assert NAME_RE.match(changes.slug(text))


def test_auto_name_is_random_and_valid() -> None:
    from pulumi_langsmith.deployment.model import NAME_RE

    names = {changes.auto_name("My Agent") for _ in range(20)}
    assert len(names) == 20  # never reused: a re-created stack does not hit a leftover tracing project
    for name in names:
        assert name.startswith("my-agent-") and len(name) == len("my-agent-") + 7 and NAME_RE.match(name)


def test_ownership_tag_is_stable_and_changes_with_replacement_fields() -> None:
    inputs = github_inputs()
    first = changes.ownership_tag(typed(inputs))
    assert first and first.startswith(inputs["owner"] + "-")
    assert first == changes.ownership_tag(typed(copy.deepcopy(inputs)))
    assert first != changes.ownership_tag(typed({**inputs, "owner": "another-owner"}))
    # A replacement carries another ownership tag, so its create never resumes the deployment it replaces.
    assert first != changes.ownership_tag(typed(changed(inputs, "source_config.deployment_type", "prod")))
    # Fields that do not replace keep it, and so does the (auto)name.
    assert first == changes.ownership_tag(typed(changed(inputs, "source_revision_config.repo_ref", "x")))
    assert first == changes.ownership_tag(typed(changed(inputs, "name", "other")))
    assert changes.ownership_tag(typed({k: v for k, v in inputs.items() if k != "owner"})) is None


def test_auto_named_resources_replace_on_the_fields_behind_the_name_only() -> None:
    inputs = github_inputs(name_prefix="agent")
    olds = outputs_for(inputs)
    assert not change_set(olds, changed(inputs, "name", "agent-2222222")).changes
    p = change_set(olds, changed(inputs, "source_config.deployment_type", "prod"))
    assert p.replaces == ("source_config.deployment_type",) and not p.delete_before_replace


#: A valid value for each field the classification test changes (diff only sees checked values).
_VALID: dict[str, st.SearchStrategy[Any]] = {
    "name": st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,20}[a-z0-9]\Z"),
    "source": st.sampled_from(fields.SOURCES),
    "source_config.deployment_type": st.sampled_from(DEPLOYMENT_TYPES),
    "source_config.integration_id": st.uuids().map(str),
    "source_config.repo_url": st.from_regex(r"\Ahttps://github\.com/[a-z]{1,8}/[a-z]{1,8}\Z"),
    "source_config.listener_id": st.uuids().map(str),
    "source_config.listener_config.k8s_namespace": st.from_regex(r"\A[a-z][a-z0-9]{0,10}\Z"),
    "display_name": st.text(min_size=1, max_size=10),
    "source_config.build_on_push": st.booleans(),
    "source_config.custom_url": st.from_regex(r"\Ahttps://[a-z]{1,8}\.example\.com\Z"),
    "source_revision_config.image_uri": st.from_regex(r"\Aregistry\.example\.com/[a-z]{1,6}:[0-9a-z.]{1,5}\Z"),
}


@given(st.sampled_from(changes.REPLACE_PATHS + changes.PATCH_PATHS + fields.REVISION_VALUE_PATHS[:3]), st.data())
def test_every_change_is_classified_exactly_once(path: str, data: st.DataObject) -> None:
    value = data.draw(_VALID.get(path, st.text(min_size=1, max_size=10).filter(str.strip)))
    inputs = github_inputs()
    news = changed(inputs, path, value)
    p = change_set(outputs_for(inputs), news)
    if value_at(typed(inputs), path) == value:
        assert not p.changes
        return
    kinds = [bool(p.replaces), bool(p.patch), bool(p.revision)]
    assert kinds.count(True) == 1
    assert p.changes
    if p.replaces:
        assert path in p.replaces


def test_revision_matches_compares_declared_fields() -> None:
    inputs = github_inputs()
    dep = {
        "source_revision_config": {"repo_ref": "main", "langgraph_config_path": "langgraph.json", "image_uri": None},
        "secrets": [
            {"name": "OPENAI_API_KEY", "value": "sk-test-secret-value-1"},
            {"name": OWNERSHIP_ENV, "value": "x"},
        ],
        "source_config": {},
    }
    assert changes.revision_matches(typed(inputs), dep)
    assert not changes.revision_matches(typed(changed(inputs, "source_revision_config.repo_ref", "dev")), dep)
    assert not changes.revision_matches(typed(changed(inputs, "secrets", {"OPENAI_API_KEY": "other"})), dep)


def test_create_payload_fills_in_the_documented_defaults() -> None:
    inputs = github_inputs()
    del inputs["source_config"]["deployment_type"], inputs["source_config"]["build_on_push"]
    sc = changes.create_body(typed(inputs))["source_config"]
    assert sc["deployment_type"] == "prod" and sc["build_on_push"] is False  # the Terraform provider's defaults
    docker = docker_inputs()
    del docker["source_config"]["resource_spec"]
    assert changes.create_body(typed(docker))["source_config"]["resource_spec"] == {}  # langgraph-cli sends {} too
    assert "deployment_type" not in changes.create_body(typed(docker))["source_config"]
    assert changes.create_body(typed(docker_inputs()))["source_config"]["resource_spec"] == {
        "min_scale": 1,
        "max_scale": 2,
        "cpu": 0.5,
    }


def test_create_payload_always_sends_secrets() -> None:
    inputs = github_inputs()
    del inputs["secrets"], inputs["owner"]
    assert changes.create_body(typed(inputs))["secrets"] == []


def test_state_without_the_defaults_equals_the_explicit_defaults() -> None:
    """State written before the defaults existed must not be replaced when check fills them in."""
    news = github_inputs()
    news["source_config"].update(deployment_type="prod", build_on_push=False)
    olds = outputs_for(news)
    del olds["source_config"]["deployment_type"], olds["source_config"]["build_on_push"]
    assert not change_set(olds, news).changes
    assert not changes.replace_fields_changed(load(olds), load(news))


@pytest.mark.parametrize("status", ["INTERRUPTED", "UNKNOWN", "BUILDING"])
def test_transient_statuses_are_waited_for_not_rolled_again(status: str) -> None:
    inputs = github_inputs()
    olds = outputs_for(inputs)
    olds["revision_status"] = status
    assert change_set(olds, copy.deepcopy(inputs)).revision == ("revision_status",)
    no_wait = changed(inputs, "wait", {"enabled": False})
    assert change_set({**olds, "wait": no_wait["wait"]}, no_wait).revision == ()


def test_an_unknown_revision_status_is_not_work() -> None:
    inputs = github_inputs()
    olds = outputs_for(inputs)
    olds["revision_status"] = None  # e.g. the latest revision was pruned
    assert not change_set(olds, copy.deepcopy(inputs)).changes


@pytest.mark.parametrize("value", [None, "****", "\u2022\u2022\u2022"])
def test_masked_or_absent_secret_values_are_unknown(value: str | None) -> None:
    item = {"name": "A"} if value is None else {"name": "A", "value": value}
    dep = {"secrets": [item, {"name": OWNERSHIP_ENV, "value": value}]}
    assert changes.server_secrets(dep) is None
    assert changes.ownership_tag_on(dep) is None
    assert not changes.revision_matches(typed(github_inputs(secrets={"A": "real"})), dep)


def test_masked_unmanaged_env_is_left_alone_not_overwritten() -> None:
    inputs = github_inputs()
    del inputs["secrets"]
    body = changes.revision_body(typed(inputs), {"secrets": [{"name": "FROM_UI", "value": "****"}]})
    assert "secrets" not in body  # omitted: the server keeps the env; "" or the mask is never sent


def test_empty_values_are_real_values() -> None:
    assert changes.server_secrets({"secrets": [{"name": "A", "value": ""}]}) == {"A": ""}


def test_newer_api_fields_are_not_patched_on_a_spec_server() -> None:
    assert changes.without_newer_api(changes.PATCH_PATHS, "current") == changes.PATCH_PATHS
    assert "display_name" not in changes.without_newer_api(changes.PATCH_PATHS, "spec")


def test_api_shape_is_read_from_display_name() -> None:
    from pulumi_langsmith.core.client import api_shape

    assert api_shape({"id": "x", "display_name": None}) == "current"
    assert api_shape({"id": "x", "name": "n"}) == "spec"


def test_same_name_repo_url_change_is_refused_at_check_and_defaults_are_not_a_change() -> None:
    from pulumi_langsmith.deployment.provider import DeploymentProvider

    olds = outputs_for(github_inputs())
    moved = changed(github_inputs(), "source_config.repo_url", "https://github.com/acme/other")
    assert [p for p, _ in DeploymentProvider._replace_guard(load(olds), load(moved))] == ["source_config.repo_url"]
    assert DeploymentProvider._replace_guard(load({**olds, "delete_tracing_project": True}), load(moved)) == []
    legacy = copy.deepcopy(olds)
    del legacy["source_config"]["deployment_type"]
    explicit = changed(github_inputs(), "source_config.deployment_type", "prod")
    assert DeploymentProvider._replace_guard(load(legacy), load(explicit)) == []


def test_adoption_clashes_name_each_fixed_field_that_differs() -> None:
    inputs = github_inputs()
    server = {"source": "github", "source_config": {**inputs["source_config"], "repo_url": "https://github.com/x/y"}}
    assert changes.fixed_field_clashes(typed(inputs), server) == [
        ("source_config.repo_url", "https://github.com/x/y", inputs["source_config"]["repo_url"])
    ]
    assert (
        changes.fixed_field_clashes(typed(inputs), {"source": "github", "source_config": inputs["source_config"]}) == []
    )
    # A default stands for what is sent on create: adopting a `dev` deployment needs `dev` declared.
    legacy = copy.deepcopy(inputs)
    del legacy["source_config"]["deployment_type"]
    assert [c[0] for c in changes.fixed_field_clashes(typed(legacy), server)] == [
        "source_config.deployment_type",
        "source_config.repo_url",
    ]


# install_command / build_command: one field table entry each (issue 11's "adding a field") ------


def _settled() -> dict[str, Any]:
    return {"revision_status": "DEPLOYED", "secrets_hash": changes.secrets_hash(github_inputs()["secrets"])}


def _js(**source_config: Any) -> dict[str, Any]:
    inputs = github_inputs()
    inputs["source_config"] = {**inputs["source_config"], **source_config}
    return inputs


def test_a_build_command_change_rolls_a_revision_that_carries_it() -> None:
    olds = {**_js(install_command="npm ci", build_command="npm run build"), **_settled()}
    news = _js(install_command="npm ci", build_command="yarn build")
    change = change_set(olds, news)
    assert change.revision == ("source_config.build_command",) and not change.replaces and not change.patch
    body = changes.revision_body(typed(news), {})
    assert body["source_config"] == {"install_command": "npm ci", "build_command": "yarn build"}
    assert changes.create_body(typed(news))["source_config"]["install_command"] == "npm ci"


def test_removing_a_build_command_changes_nothing() -> None:
    olds = {**_js(build_command="npm run build"), **_settled()}
    assert not change_set(olds, _js()).changes


def test_build_commands_only_apply_to_cloud_sources() -> None:
    from pulumi_langsmith.deployment.model import validate

    inputs = docker_inputs()
    inputs["source_config"] = {**inputs["source_config"], "install_command": "npm ci"}
    assert validate(inputs)[1] == [
        ("source_config.install_command", "only applies to source 'github' or 'internal_source'")
    ]


def test_the_values_written_into_deployed_envs_and_state_never_change() -> None:
    """Golden values (the same before and after the typed path): ownership tags sit in every
    deployment's env and the secrets hash in every state, so a change would orphan or re-roll them."""
    assert changes.ownership_id("p", "s", "r") == "4a08fd41d83374a3"
    assert changes.ownership_tag(typed(github_inputs())) == "0123456789abcdef-f5c4f32e"
    assert changes.ownership_tag(typed(docker_inputs())) == "fedcba9876543210-89e140c5"
    assert changes.secrets_hash({"B": "2", "A": "1"}) == (
        "3eda2f06741f1d082a60e34bf134dace8b60136ae69b552a2137bd898f27ea85"
    )


# Removals (issues 27 and 30): what taking an input out of the program does comes from the table ---


def _held(*names: str, tag: str | None = None) -> dict[str, Any]:
    env = [{"name": n, "value": f"v-{n}"} for n in names]
    return {"secrets": env + ([{"name": OWNERSHIP_ENV, "value": tag}] if tag else [])}


def _without(inputs: dict[str, Any], *paths: str) -> dict[str, Any]:
    out = copy.deepcopy(inputs)
    for path in paths:
        node = out
        *parents, key = path.split(".")
        for part in parents:
            node = node[part]
        node.pop(key)
    return out


def test_removing_env_and_secrets_clears_them_in_one_revision_and_keeps_unmanaged_names() -> None:
    olds = {
        **docker_inputs(env={"MODE": "a"}, secret_references=[{"name": "R", "secret_name": "s", "secret_key": "k"}])
    }
    olds = {**outputs_for(olds), "revision_status": "DEPLOYED"}
    news = _without(docker_inputs(), "secrets")
    change = change_set(olds, news)
    assert set(change.revision) == {"env", "secrets", "secret_references"} and not change.patch
    tag = changes.ownership_tag(typed(news))
    # The server holds the declared names, the tag, and one set in the UI (never declared): kept.
    current = _held("MODE", "DB_PASSWORD", "FROM_UI", tag=tag)
    current["secret_references"] = olds["secret_references"]
    body = changes.revision_body(typed(news), current, gone=change.removed)
    assert body["secrets"] == [{"name": "FROM_UI", "value": "v-FROM_UI"}, {"name": OWNERSHIP_ENV, "value": tag}]
    assert body["secret_references"] == []  # the API: `[]` removes all, omission keeps them
    # With nothing else left, the list is the tag alone: never the `[]` the API reads as "unchanged".
    only = changes.revision_body(typed(news), _held("MODE", "DB_PASSWORD", tag=tag), gone=change.removed)
    assert only["secrets"] == [{"name": OWNERSHIP_ENV, "value": tag}]
    # The revision still carrying a removed name is not the one this update asks for (no resume).
    assert not changes.revision_matches(typed(news), current, change.removed)
    cleared = {"secrets": body["secrets"], "secret_references": [], **docker_server_config(news)}
    assert changes.revision_matches(typed(news), cleared, change.removed)


def docker_server_config(inputs: dict[str, Any]) -> dict[str, Any]:
    return {"source_config": inputs["source_config"], "source_revision_config": inputs["source_revision_config"]}


def test_removing_only_secrets_while_env_stays_rolls_out_the_env_alone() -> None:
    olds = {**outputs_for(github_inputs(env={"MODE": "a"})), "revision_status": "DEPLOYED"}
    news = _without(github_inputs(env={"MODE": "a"}), "secrets")
    change = change_set(olds, news)
    assert change.revision == ("secrets",)
    body = changes.revision_body(typed(news), _held("MODE", "OPENAI_API_KEY"), gone=change.removed)
    assert [s["name"] for s in body["secrets"]] == ["MODE", OWNERSHIP_ENV]


def test_a_never_declared_env_is_still_left_alone() -> None:
    inputs = _without(github_inputs(), "secrets")
    olds = {**outputs_for(inputs), "revision_status": "DEPLOYED"}
    change = change_set(olds, copy.deepcopy(inputs))
    assert not change.changes and change.removed == changes.NOTHING_REMOVED
    tag = changes.ownership_tag(typed(inputs))
    assert "secrets" not in changes.revision_body(typed(inputs), _held("FROM_UI", tag=tag), gone=change.removed)


@pytest.mark.parametrize("f", [f for f in fields.FIELDS if f.change is not Change.STATE], ids=lambda f: f.path)
def test_a_removal_is_the_change_the_table_declares(f: Any) -> None:
    """Every field the server holds, declared then removed, on every source it applies to."""
    for make in (github_inputs, docker_inputs):
        full = make(
            display_name="D",
            env={"MODE": "a"},
            **(
                {"secret_references": [{"name": "R", "secret_name": "s", "secret_key": "k"}]}
                if make is docker_inputs
                else {}
            ),
        )
        source = full["source"]
        if source not in f.sources or f.path in ("name", "source") or value_at(typed(full), f.path) is None:
            continue
        if f.path.startswith("source_config.") and f.path.count(".") == 1 and f.key not in full["source_config"]:
            continue
        olds = {**outputs_for(full), "revision_status": "DEPLOYED"}
        news = _without(
            full, f.path if f.path != "source_config.listener_config.k8s_namespace" else "source_config.listener_config"
        )
        removal = f.removal_for(source)
        if removal is Removal.REFUSED:
            from pulumi_langsmith.deployment.model import apply_defaults, validate

            _, problems = validate(apply_defaults(copy.deepcopy(news)))
            assert problems, f.path
            continue
        from pulumi_langsmith.deployment.model import apply_defaults

        change = change_set(olds, apply_defaults(copy.deepcopy(news)))
        named = (*change.replaces, *change.patch, *change.revision)
        if removal is Removal.KEEPS:
            assert not change.changes, (f.path, change)
        elif removal is Removal.CLEARS:
            assert f.path in named, (f.path, change)
        elif removal is Removal.RESETS:
            assert (f.path in named) == (value_at(typed(full), f.path) != f.reset_value), (f.path, change)


def test_removing_a_provider_side_setting_resets_it_in_state_only() -> None:
    """`wait`, `adopt`, `delete_tracing_project`: back to the model default, no request (the walk
    leaves `wait` out: its default health-checks an agent the walk does not run)."""
    full = github_inputs(adopt=True, delete_tracing_project=True)
    olds = {**outputs_for(full), "revision_status": "DEPLOYED"}
    for path in ("wait", "adopt", "delete_tracing_project"):
        f = fields.BY_PATH[path]
        assert f.removal is Removal.RESETS
        news = _without(full, path)
        change = change_set(olds, news)
        assert change.local == (path,) and not (change.patch or change.revision or change.replaces), path
        reset = value_at(typed(news), path)
        assert (reset.model_dump(exclude_unset=True) if path == "wait" else reset) == f.reset_value, path


def test_the_no_revision_fields_go_in_a_patch_of_their_own_only_when_no_revision_goes_out() -> None:
    """One PATCH per update (`changes.patch_alone`): with a revision they ride in its PATCH."""
    plain = ("display_name", "source_config.build_on_push")
    assert changes.patch_alone(plain, rolls_out=False) == plain
    assert changes.patch_alone(plain, rolls_out=True) == ()
    assert changes.patch_alone((), rolls_out=False) == ()
