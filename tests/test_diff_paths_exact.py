"""`diff_paths` at its edges, without a server: the walk of two maps (`_leaves`), and `changed_paths`
over a hand-made change set (a rollout left unsettled, a value not known yet, a hashed field, a
resource_spec whose undeclared keys the server added); what `replaceOnChanges` matches."""

from __future__ import annotations

from pulumi_langsmith.core.values import UNKNOWN
from pulumi_langsmith.deployment import changes
from pulumi_langsmith.deployment.diff_paths import UNSETTLED, Kind, _leaves, changed_paths
from pulumi_langsmith.deployment.model import load

from .support.data import docker_inputs

ADD, DELETE, UPDATE = Kind.ADD, Kind.DELETE, Kind.UPDATE


def test_a_map_given_where_there_was_none_names_each_key_added() -> None:
    assert _leaves("env", None, {"A": "1", "B": "2"}) == {"env.A": ADD, "env.B": ADD}
    assert _leaves("env", None, {}) == {"env": ADD}
    assert _leaves("env", {"A": "1"}, None) == {"env": DELETE}
    assert _leaves("env", "x", {"A": "1"}) == {"env": UPDATE}  # not both maps: the path itself


def test_keys_of_either_side_count_below_the_top_and_only_declared_ones_at_it() -> None:
    old, new = {"a": 1, "b": 2, "c": {"x": 1, "y": 2}}, {"a": 1, "c": {"x": 1}}
    assert _leaves("p", old, new) == {"p.b": DELETE, "p.c.y": DELETE}
    # Declared keys only (resource_spec): a key the program left out is not a change, at the top; below
    # it, a key removed from a declared sub-object is.
    assert _leaves("p", old, new, True) == {"p.c.y": DELETE}
    assert _leaves("p", {"a": 1, "b": 2}, {"a": 1}, True) == {"p": UPDATE}  # nothing to name below it
    assert _leaves("p", {}, {}) == {"p": UPDATE}


def test_a_key_a_path_cannot_name_stops_the_path_at_its_map() -> None:
    labels = "app.kubernetes.io/name"
    assert _leaves("labels", {labels: "a"}, {labels: "b"}) == {"labels": UPDATE}
    assert _leaves("labels", {1: "a"}, {"b": "c"}) == {"labels": UPDATE}  # keys of mixed types sort as text


def test_changed_paths_over_a_hand_made_change_set() -> None:
    base = docker_inputs(env={"MODE": "a"})
    old = load({**base, "secrets_hash": changes.secrets_hash(base["secrets"])})
    # A rollout left unsettled is an update of its own, and the paths after it are still named.
    new = load(docker_inputs(env={"MODE": "b"}))
    assert changed_paths(old, new, changes.ChangeSet(patch=(UNSETTLED, "env"))) == {
        UNSETTLED: (UPDATE, False),
        "env.MODE": (UPDATE, False),
    }
    assert changed_paths(old, new, changes.ChangeSet(replaces=("env",))) == {"env.MODE": (UPDATE, True)}
    # A value not known yet: the path itself, an update where there was a value, an add where none.
    unknown = load(docker_inputs(env=UNKNOWN))
    assert changed_paths(old, unknown, changes.ChangeSet(patch=("env",))) == {"env": (UPDATE, False)}
    no_env = load({**docker_inputs(), "secrets_hash": changes.secrets_hash(base["secrets"])})
    assert changed_paths(no_env, unknown, changes.ChangeSet(patch=("env",))) == {"env": (ADD, False)}
    # A hashed field (secrets) is named as a whole: its keys would say which secret changed.
    other = load(docker_inputs(env={"MODE": "a"}, secrets={"DB_PASSWORD": "pw-other-secret-value"}))
    assert changed_paths(old, other, changes.ChangeSet(patch=("secrets",))) == {"secrets": (UPDATE, False)}


def test_a_resource_spec_key_the_program_leaves_out_is_not_named() -> None:
    old_inputs = docker_inputs()
    old = load({**old_inputs, "secrets_hash": changes.secrets_hash(old_inputs["secrets"])})
    inputs = docker_inputs()
    inputs["source_config"]["resource_spec"] = {"min_scale": 1, "max_scale": 2}  # cpu left out
    found = changed_paths(old, load(inputs), changes.ChangeSet(patch=("source_config.resource_spec",)))
    assert found == {"source_config.resource_spec": (UPDATE, False)}
    inputs["source_config"]["resource_spec"] = {"min_scale": 2}
    found = changed_paths(old, load(inputs), changes.ChangeSet(patch=("source_config.resource_spec",)))
    assert found == {"source_config.resource_spec.min_scale": (UPDATE, False)}
