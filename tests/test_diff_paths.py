"""The diff's property paths (`diff_paths.changed_paths`): as deep as the values go, exactly the keys
that differ, each with how it changes and whether it replaces; what `replaceOnChanges` matches."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pulumi_langsmith.deployment import changes, diff_paths
from pulumi_langsmith.deployment.diff_paths import Kind
from pulumi_langsmith.deployment.model import load

from .support.data import docker_inputs

ENV_NAMES = st.sampled_from(["MODE", "OTHER", "LOG_LEVEL", "A_B"])
ENV = st.dictionaries(ENV_NAMES, st.sampled_from(["a", "b", "c"]), max_size=4)


def paths(old_inputs: dict[str, Any], new_inputs: dict[str, Any]) -> dict[str, tuple[Kind, bool]]:
    outs = {**copy.deepcopy(old_inputs), "secrets_hash": changes.secrets_hash(old_inputs.get("secrets"))}
    old, new = load(outs), load(new_inputs)
    return diff_paths.changed_paths(old, new, changes.change_set(old, new))


@given(old=ENV, new=ENV)
def test_env_changes_are_named_per_key_with_their_kind(old: dict[str, str], new: dict[str, str]) -> None:
    found = paths(docker_inputs(env=old), docker_inputs(env=new))
    expected = {}
    for key in {*old, *new}:
        if old.get(key) != new.get(key):
            kind = Kind.ADD if key not in old else Kind.DELETE if key not in new else Kind.UPDATE
            expected[f"env.{key}"] = (kind, False)
    assert found == expected


def test_resource_spec_names_the_declared_key_that_changed_only() -> None:
    spec = {"min_scale": 1, "max_scale": 3}
    old = docker_inputs()
    old["source_config"]["resource_spec"] = spec
    new = copy.deepcopy(old)
    new["source_config"]["resource_spec"] = {**spec, "min_scale": 2}
    assert paths(old, new) == {"source_config.resource_spec.min_scale": (Kind.UPDATE, False)}
    new["source_config"]["resource_spec"]["labels"] = {"team": "a", "app.kubernetes.io/name": "x"}
    assert paths(old, new) == {
        "source_config.resource_spec.min_scale": (Kind.UPDATE, False),
        # a key a property path cannot name unquoted stops the path at its map
        "source_config.resource_spec.labels": (Kind.ADD, False),
    }


def test_secrets_are_named_whole_and_a_replacement_marks_its_paths() -> None:
    old = docker_inputs()
    new = docker_inputs(secrets={"DB_PASSWORD": "another-value"})
    assert paths(old, new) == {"secrets": (Kind.UPDATE, False)}  # never a key of a secret map
    renamed = docker_inputs(name="image-two", env={"MODE": "a"})
    assert paths(old, renamed) == {"name": (Kind.UPDATE, True)}  # a replacement sends nothing in place
