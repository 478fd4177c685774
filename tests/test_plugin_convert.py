"""The plugin's value translation, from the field table: every declared input of every source survives
camelCase, the engine's wire format and the way back, with its secrecy; and every field of the table
is a property of the schema, under the name the program writes."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.provider.experimental.property_value import PropertyValue

from pulumi_langsmith.deployment import fields
from pulumi_langsmith.plugin import schema
from pulumi_langsmith.plugin.convert import to_plain, to_property_values
from pulumi_langsmith.plugin.resources import DEPLOYMENT, LISTENER
from pulumi_langsmith.plugin.shapes import ListOf, MapOf, Obj, Shape, camel, camel_path

from .test_data_path import _TEXT, declared_inputs

MAP_INPUTS = ("env", "secrets")


def wire(values: dict[str, PropertyValue]) -> dict[str, PropertyValue]:
    """What the engine gets and gives back: the protobuf Struct, marshalled and unmarshalled."""
    return PropertyValue.unmarshal_map(PropertyValue.marshal_map(values))


def keys_outside_maps(value: Any, path: tuple[str, ...] = ()) -> list[str]:
    if not isinstance(value, dict):
        return [k for v in value for k in keys_outside_maps(v, path)] if isinstance(value, list) else []
    if path and path[-1] in ("env", "secrets", "labels", "annotations"):
        return []
    return [k for k, v in value.items() for k in [k, *keys_outside_maps(v, (*path, k))]]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in [(*prefix, k), *paths(v, (*prefix, k))]]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in [(*prefix, i), *paths(v, (*prefix, i))]]
    return []


@settings(max_examples=150, deadline=None)
@given(declared_inputs(), st.data())
def test_every_declared_input_survives_the_round_trip_with_its_secrecy(drawn: Any, data: st.DataObject) -> None:
    inputs, _ = drawn
    inputs = {**inputs, "env": {"LOG_LEVEL": "info"}, "wait": {"timeout_seconds": 60.0, "stream_logs": False}}
    secret = set(data.draw(st.sets(st.sampled_from(paths(inputs)), max_size=3)))
    out = wire(to_property_values(inputs, DEPLOYMENT.shape, secret, DEPLOYMENT.always_secret))
    # The program's names: camelCase outside the user's own map keys.
    for key in keys_outside_maps({k: _plainish(v) for k, v in out.items()}):
        assert "_" not in key, f"{key!r} is not camelCase"
    found: set[tuple[Any, ...]] = set()
    back = to_plain(out, DEPLOYMENT.shape, found)
    assert back == inputs  # ints come back as floats, which compare equal (2 == 2.0)
    expected = {p for p in secret} | {(k,) for k in DEPLOYMENT.always_secret if k in inputs}
    assert expected <= found, f"lost secrecy of {expected - found}"


_KEY = st.from_regex(r"\A[a-z][a-zA-Z0-9_]{0,8}\Z")  # either case, as a user's own keys come
_JSON = st.recursive(
    st.booleans() | st.integers(-5, 5) | _TEXT,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(_KEY, inner, max_size=2),
    max_leaves=4,
)


def values_of(shape: Shape) -> st.SearchStrategy[Any]:
    """Any value of a shape, every optional key of an object drawn or not, from the model itself: a
    field added to a model is in the draw without a word here."""
    if isinstance(shape, Obj):
        required = {k: values_of(s) for k, (_, s) in shape.fields.items() if k in shape.required}
        optional = {k: values_of(s) for k, (_, s) in shape.fields.items() if k not in shape.required}
        return st.fixed_dictionaries(required, optional=optional)
    if isinstance(shape, MapOf):
        return st.dictionaries(_KEY, values_of(shape.value), max_size=2)
    if isinstance(shape, ListOf):
        return st.lists(values_of(shape.item), max_size=2)
    return {
        "string": st.sampled_from(shape.enum) if shape.enum else _TEXT,
        "integer": st.integers(0, 10**6),
        "number": st.floats(0, 1e6, allow_nan=False).map(lambda f: round(f, 1)),
        "boolean": st.booleans(),
    }.get(shape.kind, _JSON)


def program_keys(value: Any, shape: Shape, built: dict[str, Any], where: str = "") -> None:
    """Every key at an object's level is a property of that type in the schema (so nothing was
    renamed twice or left in snake_case); a map's keys and an open object's are the user's."""
    if isinstance(shape, Obj) and isinstance(value, dict):
        props = built["types"][f"langsmith:index:{shape.name}"]["properties"]
        for key, item in value.items():
            assert key in props, f"{where}.{key} is not a property of {shape.name}"
            program_keys(item, shape.fields[shape.camel_to_snake[key]][1], built, f"{where}.{key}")
    elif isinstance(shape, ListOf) and isinstance(value, list):
        for i, item in enumerate(value):
            program_keys(item, shape.item, built, f"{where}[{i}]")
    elif isinstance(shape, MapOf) and isinstance(value, dict):
        for key, item in value.items():
            program_keys(item, shape.value, built, f"{where}.{key}")


_SPEC_SHAPE = DEPLOYMENT.shape.fields["source_config"][1].fields["resource_spec"][1]  # type: ignore[union-attr]
_BUILT = schema.build()


@settings(max_examples=150, deadline=None)
@given(values_of(_SPEC_SHAPE), st.data())
def test_the_whole_resource_spec_survives_the_round_trip_in_the_programs_names(spec: Any, data: st.DataObject) -> None:
    inputs = {"name": "agent-x", "source": "external_docker", "source_config": {"resource_spec": spec}}
    secret = set(data.draw(st.sets(st.sampled_from(paths(inputs)), max_size=3)))
    out = wire(to_property_values(inputs, DEPLOYMENT.shape, secret))
    program = _plainish(out["sourceConfig"])["resourceSpec"]
    program_keys(program, _SPEC_SHAPE, _BUILT, "sourceConfig.resourceSpec")
    found: set[tuple[Any, ...]] = set()
    assert to_plain(out, DEPLOYMENT.shape, found) == inputs
    assert secret <= found, f"lost secrecy of {secret - found}"


def _plainish(pv: PropertyValue) -> Any:
    value = pv.value
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: _plainish(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plainish(v) for v in value]
    return value


def test_every_field_of_the_table_is_a_schema_property_under_its_program_name() -> None:
    built = schema.build()
    resource = built["resources"][DEPLOYMENT.token]
    for f in fields.FIELDS:
        top, *rest = camel_path(DEPLOYMENT.shape, f.path).split(".")
        assert top in resource["properties"], f.path
        if f.path in DEPLOYMENT.computed:
            assert top not in resource["inputProperties"], f"{f.path} is computed by check, not declared"
            continue
        assert top in resource["inputProperties"], f.path
        node: dict[str, Any] = resource["inputProperties"][top]
        for part in rest:
            token = node["$ref"].split("/")[-1]
            node = built["types"][token]["properties"][part]
    for key in LISTENER.inputs:
        assert camel(key) in built["resources"][LISTENER.token]["inputProperties"]
    assert built["resources"][DEPLOYMENT.token]["inputProperties"]["secrets"]["secret"] is True


def test_map_keys_and_open_objects_keep_the_users_names() -> None:
    volume = {"name": "cfg", "configMap": {"name": "c", "default_mode": 420, "items": [{"key": "a", "path": "b"}]}}
    inputs = {
        "env": {"my_var": "1", "OPENAI_API_KEY": "x"},
        "source_config": {"resource_spec": {"cpu": 1.0, "node_selector": {"pool": "a"}, "volumes": [volume]}},
    }
    out = to_property_values(inputs, DEPLOYMENT.shape)
    assert set(_plainish(out["env"])) == {"my_var", "OPENAI_API_KEY"}
    spec = _plainish(out["sourceConfig"])["resourceSpec"]
    # An open object (the spec's `additionalProperties: true`) keeps its keys; a key no model declares
    # keeps the name the program wrote, for check to refuse by that name.
    assert spec == {"cpu": 1.0, "node_selector": {"pool": "a"}, "volumes": [volume]}
    assert to_plain(out, DEPLOYMENT.shape) == inputs
    assert isinstance(DEPLOYMENT.shape.fields["source_config"][1], Obj)
    assert camel_path(DEPLOYMENT.shape, "secret_references[2].secret_key") == "secretReferences[2].secretKey"
    assert camel_path(DEPLOYMENT.shape, "env.my_var") == "env.my_var"


# The shapes, built the way the module builds them at import (mutmut cannot see import-time calls) ---


def test_shapes_follow_the_model_annotations() -> None:
    from typing import Annotated, Literal

    from pydantic import BaseModel, Field

    from pulumi_langsmith.deployment.model import ResourceSpec, SecretReference, SourceConfig
    from pulumi_langsmith.plugin.shapes import ANY, STRING, Leaf, ListOf, MapOf, of_model, of_type

    assert of_type(str) == STRING and of_type(bool) == Leaf("boolean")
    assert of_type(int) == Leaf("integer") and of_type(float) == Leaf("number")
    assert of_type(Annotated[int, Field(ge=0)] | None) == Leaf("integer")
    assert of_type(Literal["a", "b"]) == Leaf("string", ("a", "b"))
    assert of_type(dict[str, str]) == MapOf(STRING) and of_type(list[str]) == ListOf(STRING)
    assert of_type(str | int) == ANY and of_type(bytes) == ANY
    refs = of_type(list[SecretReference] | None)
    assert isinstance(refs, ListOf) and isinstance(refs.item, Obj) and refs.item.name == "SecretReference"
    assert refs.item.fields == {
        "name": ("name", STRING),
        "secret_name": ("secretName", STRING),
        "secret_key": ("secretKey", STRING),
    }

    config = of_model(SourceConfig)
    assert config.name == "SourceConfig" and config.required == ()
    assert config.fields["listener_config"][0] == "listenerConfig"
    assert refs.item.required == ("name", "secret_name", "secret_key")
    spec = config.fields["resource_spec"][1]
    assert isinstance(spec, Obj) and spec.doc == " ".join((ResourceSpec.__doc__ or "").split())
    containers = spec.fields["init_containers"][1]
    assert isinstance(containers, ListOf) and isinstance(containers.item, Obj)
    assert containers.item.required == ("name", "image")
    # The API's camelCase keys inside Kubernetes sub-objects are their own program names.
    assert containers.item.fields["imagePullPolicy"] == (
        "imagePullPolicy",
        Leaf("string", ("Always", "Never", "IfNotPresent")),
    )
    assert containers.item.snake("volumeMounts")[0] == "volumeMounts"
    assert spec.fields["memory_limit_mb"] == ("memoryLimitMb", Leaf("integer"))
    assert spec.fields["labels"] == ("labels", MapOf(STRING))
    assert spec.snake("memoryLimitMb") == ("memory_limit_mb", Leaf("integer"))
    assert spec.snake("nodeSelector") == ("nodeSelector", ANY) and spec.camel("x_y") == ("x_y", ANY)

    class Extra(BaseModel):
        first_name: str

    named = of_model(Extra, {"server_id": STRING}, name="Renamed")
    assert named.name == "Renamed" and named.fields == {
        "first_name": ("firstName", STRING),
        "server_id": ("serverId", STRING),
    }
    assert named.snake("serverId") == ("server_id", STRING)
    assert camel("k8s_namespace") == "k8sNamespace" and camel("name") == "name" and camel("a_b_c") == "aBC"


def test_property_paths_in_both_of_the_apis_forms() -> None:
    shape = DEPLOYMENT.shape
    assert camel_path(shape, "secret_references.0.secret_key") == "secretReferences[0].secretKey"
    assert camel_path(shape, "secret_references[1].name") == "secretReferences[1].name"
    assert camel_path(shape, "source_config.resource_spec.node_selector.my_pool") == (
        "sourceConfig.resourceSpec.node_selector.my_pool"
    )
    assert camel_path(shape, "no_such_field.inner_key") == "no_such_field.inner_key"
    assert camel_path(LISTENER.shape, "k8s_namespaces[0]") == "k8sNamespaces[0]"


def test_lists_anywhere_secrets_without_a_collector_and_values_that_are_not_plain() -> None:
    from pulumi.asset import StringAsset

    from pulumi_langsmith.plugin.convert import UnsupportedValue, any_value

    inputs = {"source_config": {"resource_spec": {"tolerations": [{"key": "gpu", "effect": "NoSchedule"}]}}}
    assert to_plain(wire(to_property_values(inputs, DEPLOYMENT.shape)), DEPLOYMENT.shape) == inputs
    secret = {"secrets": PropertyValue({"K": PropertyValue("v")}, is_secret=True)}
    assert to_plain(secret, DEPLOYMENT.shape) == {"secrets": {"K": "v"}}  # no collector: no error
    with pytest.raises(UnsupportedValue, match=r"^source_dir: takes plain values, not StringAsset$"):
        to_plain({"sourceDir": PropertyValue(StringAsset("x"))}, DEPLOYMENT.shape)
    assert to_plain({"name": PropertyValue(None)}, DEPLOYMENT.shape) == {"name": None}
    assert _plainish(any_value({"a_b": [1, True, None, "x"], "n": None})) == {"a_b": [1.0, True, None, "x"]}
    assert isinstance(any_value(3).value, float) and any_value(True).value is True


def test_import_declares_each_field_of_the_source_the_server_holds() -> None:
    from pulumi_langsmith.deployment.changes import declared_from_server

    server = {
        "name": "made-outside",
        "source": "external_docker",
        "display_name": "Made outside",
        "source_config": {
            "listener_id": "0b5f4b3e-3f5e-4f5e-8f5e-0b5f4b3e3f5e",
            "listener_config": {"k8s_namespace": "agents"},
            "custom_url": "https://agent.example.com",
            "resource_spec": {"min_scale": 1, "cpu": 1},
            "deployment_type": "prod",  # not a field of this source: left out
            "integration_id": None,
        },
        "source_revision_config": {"image_uri": "registry.example.com/a:1", "repo_ref": None},
        "secret_references": [{"name": "TOKEN", "secret_name": "s", "secret_key": "k"}],
        "secrets": [
            {"name": "MODE", "value": "a"},
            {"name": "PULUMI_LANGSMITH_OWNER", "value": "0123456789abcdef-00000000"},
        ],
        "latest_revision_id": "r",
    }
    assert declared_from_server(server) == {
        "name": "made-outside",
        "source": "external_docker",
        "display_name": "Made outside",
        "source_config": {
            "listener_id": "0b5f4b3e-3f5e-4f5e-8f5e-0b5f4b3e3f5e",
            "listener_config": {"k8s_namespace": "agents"},
            "custom_url": "https://agent.example.com",
            "resource_spec": {"min_scale": 1, "cpu": 1},
        },
        "source_revision_config": {"image_uri": "registry.example.com/a:1"},
        "secret_references": [{"name": "TOKEN", "secret_name": "s", "secret_key": "k"}],
        "secrets": {"MODE": "a"},  # the provider's own tag is not the user's
    }
    github = declared_from_server(
        {
            "name": "g",
            "source": "github",
            "source_config": {"repo_url": "https://github.com/a/b", "build_on_push": False, "resource_spec": {}},
            "secrets": [{"name": "K", "value": "****"}],  # masked: unknown, not declared
        }
    )
    assert github == {
        "name": "g",
        "source": "github",
        "source_config": {"repo_url": "https://github.com/a/b", "build_on_push": False},
    }
    first = declared_from_server(server)
    server["source_config"]["resource_spec"]["cpu"] = 2  # what import returned is a copy, not the answer
    assert first["source_config"]["resource_spec"]["cpu"] == 1


def test_a_calls_custom_timeouts_bound_the_wait_and_are_named_when_they_run_out() -> None:
    from pulumi_langsmith.core import operation
    from pulumi_langsmith.core.waiter import Polling
    from pulumi_langsmith.deployment.model import WaitOptions

    wait = WaitOptions(timeout_seconds=600, poll_min_seconds=0.2, poll_max_seconds=2)
    assert wait.polling() == Polling(600, 0.2, 2, "wait.timeout_seconds")
    with operation.serving("urn:x", 5.0):
        assert wait.polling() == Polling(5.0, 0.2, 2, "customTimeouts")
        assert operation.URN.get() == "urn:x"
    with operation.serving("urn:x", 0):  # the engine sends 0 when none is set
        assert wait.polling().timeout == 600
    assert operation.timeout() is None and operation.URN.get() is None


def test_a_seeded_autoname_is_the_seeds_and_an_unseeded_one_is_random() -> None:
    from pulumi_langsmith.deployment.changes import auto_name

    seeded = auto_name("My Agent", b"seed")
    assert seeded == auto_name("My Agent", b"seed") == "my-agent-" + hashlib.sha256(b"seed").hexdigest()[:7]
    assert auto_name("My Agent", b"other") != seeded
    assert len({auto_name("My Agent") for _ in range(10)}) == 10
