"""The plugin's schema against the control plane's contract (../shared/contract/control-plane-openapi.json).

Every object the spec defines that a program declares (the Deployment's request, its `source_config`,
`source_revision_config`, `resource_spec` and every Kubernetes object under it, secret references, the
listener config, the Listener) is a type of the schema with each of the spec's properties under its
program name (camelCase; the Kubernetes objects' keys are camelCase in the API already), of the spec's
type, required where the spec requires it, and nothing the spec does not define. What the schema leaves
out or adds on purpose is listed below with why. The pydantic model, which the schema is generated
from, refuses a value outside the spec's bounds. Without ../shared the contract is not here to compare
with, and the tests that read it are skipped saying so (the emulator's copy is the same file, vendored).
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest

from pulumi_langsmith.core.schema import Change
from pulumi_langsmith.deployment import fields
from pulumi_langsmith.deployment.model import DeploymentInputs, validate
from pulumi_langsmith.listener import fields as listener_fields
from pulumi_langsmith.plugin import schema
from pulumi_langsmith.plugin.resources import DEPLOYMENT, LISTENER
from pulumi_langsmith.plugin.shapes import camel

from .support.data import docker_inputs, with_path

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "control-plane-openapi.json"
PACKAGE = "langsmith:index:"
ANY = {"$ref": "pulumi.json#/Any"}

#: The spec's name of each of the schema's types, where they differ (the request forms: a program
#: declares what is sent).
SPEC_NAME = {
    "ResourceSpec": "ResourceSpec-Input",
    "SourceConfig": "SourceConfigRequest",
    "SourceRevisionConfig": "SourceRevisionConfigRequest",
}
#: Spec properties a program does not declare, and why.
LEFT_OUT = {
    ("SourceRevisionConfigRequest", "source_tarball_path"): "the provider uploads `sourceDir` and sends its path",
}
#: Properties the schema requires and the spec does not, and why.
ALSO_REQUIRED = {
    ("ListenerConfig", "k8sNamespace"): "the namespace is all a listener config carries (validated per listener)",
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not CONTRACT.exists():
        pytest.skip(f"{CONTRACT} is absent: no contract to compare the plugin's schema with")
    return dict(json.loads(CONTRACT.read_text())["components"]["schemas"])


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    return schema.build()


def declared(prop: dict[str, Any]) -> dict[str, Any]:
    """A spec property's type without its `null` option (every optional property is nullable)."""
    options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
    assert len(options) == 1, prop
    return options[0]


def spec_ref(theirs: dict[str, Any]) -> str:
    return str(theirs["$ref"]).rsplit("/", 1)[-1]


def our_name(spec_name: str) -> str:
    return {v: k for k, v in SPEC_NAME.items()}.get(spec_name, spec_name)


class Comparison:
    """One walk of the schema's types beside the spec's, from a property down; each type once."""

    def __init__(self, spec: dict[str, Any], built: dict[str, Any]) -> None:
        self.spec, self.built, self.seen = spec, built, set[str]()

    def same_type(self, ours: dict[str, Any], theirs: dict[str, Any], where: str) -> None:
        if "$ref" in theirs:
            name = our_name(spec_ref(theirs))
            assert ours.get("$ref") == f"#/types/{PACKAGE}{name}", f"{where}: {ours} is not {name}"
            self.same_object(name)
        elif theirs["type"] == "array":
            assert ours.get("type") == "array", f"{where}: {ours} is not a list"
            self.same_type(ours["items"], theirs["items"], f"{where}[]")
        elif theirs["type"] == "object":
            assert ours.get("type") == "object", f"{where}: {ours} is not a map"
            value = theirs.get("additionalProperties")
            if value is True:  # the spec leaves it open: a map of anything, keys as the user writes them
                assert ours["additionalProperties"] == ANY, where
            else:
                self.same_type(ours["additionalProperties"], value, f"{where}.*")
        else:
            assert ours.get("type") == theirs["type"], f"{where}: {ours} is not {theirs['type']}"

    def same_object(self, name: str) -> None:
        if name in self.seen:
            return
        self.seen.add(name)
        spec_name = SPEC_NAME.get(name, name)
        theirs = self.spec[spec_name]
        ours = self.built["types"][f"{PACKAGE}{name}"]
        expected = {camel(k): v for k, v in theirs["properties"].items() if (spec_name, k) not in LEFT_OUT}
        assert list(ours["properties"]) == list(expected), f"{name}: not the spec's {spec_name} properties"
        for prop, value in expected.items():
            self.same_type(ours["properties"][prop], declared(value), f"{name}.{prop}")
        required = {camel(k) for k in theirs.get("required", ())} | {p for t, p in ALSO_REQUIRED if t == name}
        assert set(ours.get("required", ())) == required, name


def test_every_object_a_deployment_declares_is_the_specs(spec: dict[str, Any], built: dict[str, Any]) -> None:
    request = spec["DeploymentCreateRequest"]
    inputs = built["resources"][DEPLOYMENT.token]["inputProperties"]
    walk = Comparison(spec, built)
    for key, prop in request["properties"].items():
        assert camel(key) in inputs, f"the spec's {key} is not an input"
        if key == "secrets":  # the API's list of {name, value} is two maps in a program: env and secrets
            assert {f.path for f in fields.FIELDS if f.api_path == "secrets"} == {"env", "secrets"}
            assert set(spec["Secret"]["required"]) == {"name", "value"}
            for name in ("env", "secrets"):
                assert inputs[name]["additionalProperties"] == {"type": "string"}, name
            continue
        walk.same_type(inputs[camel(key)], declared(prop), key)
    assert walk.seen >= {
        "SourceConfig",
        "SourceRevisionConfig",
        "ResourceSpec",
        "ListenerConfig",
        "SecretReference",
        "LocalObjectReference",
        "Volume",
        "VolumeMount",
        "Container",
        "EnvVar",
        "ResourceRequirements",
    }
    # The sources a program may name are the spec's (internal_docker is not one this provider makes).
    sources = typing.get_args(DeploymentInputs.model_fields["source"].annotation)
    assert set(sources) < set(request["properties"]["source"]["enum"])
    # Anything else a program declares is the provider's own, as the field table says.
    spec_keys = {camel(k) for k in request["properties"]}
    for name in set(inputs) - spec_keys:
        [f] = [f for f in fields.FIELDS if camel(f.path) == name]
        assert f.change is Change.STATE or f.newer_api or f.api, f"{f.path} is in no request of the spec"


def test_the_listener_is_the_specs(spec: dict[str, Any], built: dict[str, Any]) -> None:
    resource = built["resources"][LISTENER.token]
    request = spec["ListenerCreateRequest"]
    leaves = {
        f"compute_config.{k}" if key == "compute_config" else key: v
        for key, prop in request["properties"].items()
        for k, v in (spec["ListenerComputeConfig"]["properties"].items() if key == "compute_config" else [(key, prop)])
    }
    by_api = {f.api_path: f for f in listener_fields.FIELDS}
    walk = Comparison(spec, built)
    for path, prop in leaves.items():
        if path == "compute_type":  # a const (`k8s`): the server's answer, an output
            assert resource["properties"]["computeType"]["type"] == prop["type"]
            continue
        name = camel(by_api[path].path)
        walk.same_type(resource["inputProperties"][name], declared(prop), path)
    for name in set(resource["inputProperties"]) - {camel(by_api[p].path) for p in leaves if p in by_api}:
        [f] = [f for f in listener_fields.FIELDS if camel(f.path) == name]
        assert f.change is Change.STATE, f"{f.path} is in no request of the spec"


def _numbers(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    props = spec["ResourceSpec-Input"]["properties"]
    return [(k, declared(v)) for k, v in props.items() if declared(v)["type"] in ("integer", "number")]


def _refused(key: str, value: float) -> bool:
    _, failures = validate(with_path(docker_inputs(), "source_config.resource_spec", {key: value}))
    assert [p for p, _ in failures] in ([], [f"source_config.resource_spec.{key}"]), failures
    return bool(failures)


def test_the_models_bounds_are_the_specs(spec: dict[str, Any]) -> None:
    """Where the spec states a bound, the value on it is taken and the next one (a tenth) refused; where
    it states none, only a negative count or size is refused. Integers take no fraction."""
    numbers = _numbers(spec)
    assert len(numbers) >= 30
    for key, theirs in numbers:
        low, high = theirs.get("minimum"), theirs.get("maximum")
        if low is not None:
            assert not _refused(key, low) and _refused(key, round(low - 0.1, 1)), key
        else:
            assert not _refused(key, 0) and _refused(key, -1), key
        if high is not None:
            assert not _refused(key, high) and _refused(key, high + 0.1), key
        else:
            assert not _refused(key, 1_000_000), key
        if theirs["type"] == "integer":
            assert _refused(key, 1.5) and not _refused(key, 2.0), key


def test_an_undeclared_key_anywhere_in_resource_spec_is_refused_by_its_path() -> None:
    spec = {
        "db_cpuu": 1,
        "init_containers": [{"name": "a", "image": "i", "volumeMounts": [{"name": "v", "mount_path": "/x"}]}],
        "volumes": [{"name": "v", "configMap": {"any_key": {"nested": [1]}}}],  # open: anything goes
    }
    _, failures = validate(with_path(docker_inputs(), "source_config.resource_spec", spec))
    assert sorted(failures) == [
        ("source_config.resource_spec.db_cpuu", "is not a known property"),
        ("source_config.resource_spec.init_containers[0].volumeMounts[0].mount_path", "is not a known property"),
    ]


def test_the_python_programs_typed_args_name_every_field_of_the_model() -> None:
    """The dynamic provider's frontend: `ResourceSpecArgs` has the model's keys, in its order."""
    from pulumi_langsmith import ResourceSpecArgs
    from pulumi_langsmith.deployment.model import ResourceSpec

    assert list(ResourceSpecArgs.__annotations__) == list(ResourceSpec.model_fields)
