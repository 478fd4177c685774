"""The model's resource_spec parts: what `pulumi import` may declare from a server's resource_spec
(`declared_resource_spec`), the Kubernetes names inside it, and whole-number floats (Pulumi sends
every number as a float)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pulumi_langsmith.deployment.model import DNS_LABEL, ResourceSpec, declared_resource_spec, validate

from .support.data import docker_inputs

# A server's resource_spec: keys the spec defines, nulls, and keys a newer server added, at the top
# and inside each sub-object (a list of them, or one).
SERVER: dict[str, Any] = {
    "min_scale": 1,
    "max_scale": None,
    "cpu": 0.5,
    "labels": {"team": "agents"},
    "newer_top_level": {"x": 1},
    "volumes": [
        {"name": "data", "configMap": {"name": "cm", "items": [{"key": "k"}]}, "newer_volume_key": 1},
        {"name": "scratch", "emptyDir": {}, "nfs": None},
    ],
    "init_containers": [
        {
            "name": "init",
            "image": "busybox:1",
            "env": [{"name": "A", "value": "1", "newer_env_key": True}],
            "resources": {"limits": {"cpu": "500m"}, "newer_resources_key": 2},
            "newer_container_key": "x",
        }
    ],
}

DECLARED: dict[str, Any] = {
    "min_scale": 1,
    "cpu": 0.5,
    "labels": {"team": "agents"},
    "volumes": [
        {"name": "data", "configMap": {"name": "cm", "items": [{"key": "k"}]}},
        {"name": "scratch", "emptyDir": {}},
    ],
    "init_containers": [
        {
            "name": "init",
            "image": "busybox:1",
            "env": [{"name": "A", "value": "1"}],
            "resources": {"limits": {"cpu": "500m"}},
        }
    ],
}


def test_declared_resource_spec_keeps_the_spec_keys_and_drops_nulls_and_newer_keys() -> None:
    server = copy.deepcopy(SERVER)
    declared = declared_resource_spec(server)
    assert declared == DECLARED
    assert server == SERVER  # the server's value is not changed
    ResourceSpec.model_validate(declared)  # a program can declare exactly this


def test_declared_resource_spec_is_a_copy() -> None:
    """Editing the declared inputs must not change the server's value they came from."""
    server = copy.deepcopy(SERVER)
    declared = declared_resource_spec(server)
    assert declared is not None
    declared["labels"]["team"] = "changed"
    declared["volumes"][0]["configMap"]["name"] = "changed"
    declared["volumes"][0]["configMap"]["items"][0]["key"] = "changed"  # an open object, nested
    declared["init_containers"][0]["resources"]["limits"]["cpu"] = "1"
    assert server == SERVER


@pytest.mark.parametrize("server", [None, "a string", 3, ["min_scale"]])
def test_declared_resource_spec_of_no_object_is_none(server: Any) -> None:
    assert declared_resource_spec(server) is None


def test_declared_resource_spec_of_an_empty_object_is_empty() -> None:
    assert declared_resource_spec({}) == {}
    assert declared_resource_spec({"newer": 1, "cpu": None}) == {}


def _with_spec(spec: dict[str, Any]) -> dict[str, Any]:
    inputs = docker_inputs()
    inputs["source_config"]["resource_spec"] = spec
    return inputs


@pytest.mark.parametrize("name", ["Data", "has_underscore", "-data", "data-", "a" * 64])
def test_a_volume_name_must_be_a_dns_label(name: str) -> None:
    model, failures = validate(_with_spec({"volumes": [{"name": "ok"}, {"name": name}]}))
    assert model is None
    assert [p for p, _ in failures] == ["source_config.resource_spec.volumes[1].name"]
    assert DNS_LABEL in failures[0][1] and repr(name) in failures[0][1]


@pytest.mark.parametrize(
    "volume", [{"name": "data-1"}, {"name": "a" * 63}, {"emptyDir": {}}, {"name": None, "emptyDir": {}}]
)
def test_a_dns_label_volume_name_or_none_passes(volume: dict[str, Any]) -> None:
    model, failures = validate(_with_spec({"volumes": [volume]}))
    assert failures == [] and model is not None


def test_a_whole_number_float_counts_as_the_integer() -> None:
    """Pulumi sends 2 as 2.0; the integer fields take it as 2 (and refuse 2.5)."""
    model, failures = validate(_with_spec({"min_scale": 1.0, "max_scale": 2.0, "memory_mb": 1024.0}))
    assert failures == [] and model is not None
    spec = model.source_config.resource_spec
    assert spec is not None
    assert (spec.min_scale, spec.max_scale, spec.memory_mb) == (1, 2, 1024)
    assert all(type(v) is int for v in (spec.min_scale, spec.max_scale, spec.memory_mb))
    model, failures = validate(_with_spec({"max_scale": 2.5}))
    assert model is None and [p for p, _ in failures] == ["source_config.resource_spec.max_scale"]
