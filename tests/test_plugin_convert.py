"""The plugin's value translation, from the field table: every declared input of every source survives
camelCase, the engine's wire format and the way back, with its secrecy; and every field of the table
is a property of the schema, under the name the program writes."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.provider.experimental.property_value import PropertyValue

from pulumi_langsmith.deployment import fields
from pulumi_langsmith.plugin import schema
from pulumi_langsmith.plugin.convert import to_plain, to_property_values
from pulumi_langsmith.plugin.resources import DEPLOYMENT, LISTENER
from pulumi_langsmith.plugin.shapes import Obj, camel, camel_path

from .test_data_path import declared_inputs

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
    inputs = {
        "env": {"my_var": "1", "OPENAI_API_KEY": "x"},
        "source_config": {"resource_spec": {"cpu": 1.0, "node_selector": {"pool": "a"}}},
    }
    out = to_property_values(inputs, DEPLOYMENT.shape)
    assert set(_plainish(out["env"])) == {"my_var", "OPENAI_API_KEY"}
    spec = _plainish(out["sourceConfig"])["resourceSpec"]
    assert spec == {"cpu": 1.0, "node_selector": {"pool": "a"}}  # an unknown key passes as it is
    assert to_plain(out, DEPLOYMENT.shape) == inputs
    assert isinstance(DEPLOYMENT.shape.fields["source_config"][1], Obj)
    assert camel_path(DEPLOYMENT.shape, "secret_references[2].secret_key") == "secretReferences[2].secretKey"
    assert camel_path(DEPLOYMENT.shape, "env.my_var") == "env.my_var"
