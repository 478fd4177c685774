"""The host boundary: the engine's props decoded once into `Props` (model, outputs, values not known yet)."""

from __future__ import annotations

import copy

import pytest

from pulumi_langsmith.core.values import UNKNOWN
from pulumi_langsmith.deployment.fields import INPUT_KEYS, OUTPUTS
from pulumi_langsmith.deployment.model import DeploymentOutputs, Props, PropsError, load

from .support.data import docker_inputs, github_inputs, with_path


def test_known_props_decode_whole_and_echo_exactly_what_was_given() -> None:
    raw = github_inputs(env={"A": "1"})
    p = load(copy.deepcopy(raw))
    assert p.unknown == frozenset()
    assert p.inputs.env == {"A": "1"} and p.inputs.source_config.repo_url == raw["source_config"]["repo_url"]
    assert p.to_inputs() == raw
    assert list(p.to_inputs()) == [k for k in INPUT_KEYS if k in raw]


def test_decoding_does_not_touch_the_engine_s_dict() -> None:
    raw = github_inputs()
    del raw["source_config"]["deployment_type"]
    before = copy.deepcopy(raw)
    assert load(raw).inputs.source_config.deployment_type == "prod"  # the default, for old state
    assert raw == before


@pytest.mark.parametrize(
    ("path", "recorded"),
    [
        ("source_revision_config.repo_ref", "source_revision_config.repo_ref"),
        ("source_config", "source_config"),
        ("env", "env"),
        ("env.A", "env"),  # a map is known or not as a whole
        ("source_config.resource_spec.cpu", "source_config.resource_spec"),
        ("source_config.listener_config.k8s_namespace", "source_config.listener_config"),
        ("secret_references", "secret_references"),
        ("wait.timeout_seconds", "wait"),
    ],
)
def test_a_value_not_known_yet_is_left_out_and_listed(path: str, recorded: str) -> None:
    base = docker_inputs(env={"A": "1"}, secret_references=[{"name": "R", "secret_name": "s", "secret_key": "k"}])
    p = load(with_path(base, path, UNKNOWN))
    assert recorded in p.unknown
    assert p.unknown_at(recorded) and p.unknown_at(path)
    assert p.unknown_at(recorded.split(".")[0])  # a parent of what is not known
    assert not p.unknown_at("name") and not p.unknown_at("display_name")


def test_unknown_at_matches_whole_path_segments_only() -> None:
    p = Props(load(github_inputs()).inputs, unknown=frozenset({"source_config.repo_url"}))
    assert p.unknown_at("source_config.repo_url") and p.unknown_at("source_config")
    assert not p.unknown_at("source_config.repo") and not p.unknown_at("source_config.repo_url_x")
    assert not p.unknown_at("source_revision_config")


def test_an_unknown_or_missing_name_and_source_are_placeholders_listed_as_unknown() -> None:
    p = load(github_inputs(name=UNKNOWN))
    assert p.inputs.name == UNKNOWN and "name" in p.unknown
    p = load(github_inputs(source=UNKNOWN))
    assert "source" in p.unknown and p.unknown_at("source")
    raw = github_inputs()
    del raw["source"]
    assert "source" in load(raw).unknown


def test_outputs_are_decoded_and_anything_else_is_ignored() -> None:
    raw = {**github_inputs(), "deployment_id": "d", "revision_status": "DEPLOYED", "health": 5, "other": "x"}
    p = load(raw)
    assert p.outputs.deployment_id == "d" and p.outputs.revision_status == "DEPLOYED"
    assert p.outputs.health is None  # not a string: not a value this provider wrote
    assert set(DeploymentOutputs.model_fields) == set(OUTPUTS)


def test_props_that_do_not_decode_name_the_property() -> None:
    with pytest.raises(PropsError, match=r"^the stored or planned values of source_config.integration_id cannot"):
        load(with_path(github_inputs(), "source_config.integration_id", 7))
    raw = github_inputs()
    del raw["name"]
    with pytest.raises(PropsError, match="values of name cannot be read"):
        load(raw)
