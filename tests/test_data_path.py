"""Nothing the user declares is lost between the layers (issue 20).

Derived from the field table: for every source and every combination of declared inputs, each
declared value reaches the request that must carry it (the create POST, the revision PATCH, the plain
PATCH), and no field reaches a request that must not carry it. Which request carries what is the
contract (the spec and the vendor's clients), stated once below per kind of change.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_langsmith.core.schema import Change, Field
from pulumi_langsmith.deployment import changes, fields
from pulumi_langsmith.deployment.model import DEPLOYMENT_TYPES, OWNERSHIP_ENV, validate
from pulumi_langsmith.source_archive import SOURCE_HASH_ENV

from .support.data import with_path

_TEXT = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=8)
_URL = st.from_regex(r"\Ahttps://[a-z]{1,8}\.example\.com/[a-z]{1,8}\Z")


def _env(prefix: str) -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.from_regex(rf"\A{prefix}[A-Z0-9_]{{1,6}}\Z"), _TEXT, max_size=3)


#: A valid value for each declarable field (keys of env, secrets and secret references kept apart,
#: as check requires).
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "source_config.deployment_type": st.sampled_from(DEPLOYMENT_TYPES),
    "source_config.integration_id": st.uuids().map(str),
    "source_config.repo_url": _URL,
    "source_config.listener_id": st.uuids().map(str),
    "source_config.listener_config.k8s_namespace": st.from_regex(r"\A[a-z][a-z0-9]{0,8}\Z"),
    "display_name": _TEXT,
    "source_config.build_on_push": st.booleans(),
    "source_config.custom_url": _URL,
    "source_revision_config.repo_ref": st.from_regex(r"\A[a-z]{1,8}\Z"),
    "source_revision_config.langgraph_config_path": st.from_regex(r"\A[a-z]{1,6}/langgraph\.json\Z"),
    "source_revision_config.image_uri": st.from_regex(r"\Aregistry\.example\.com/[a-z]{1,6}:[0-9]\Z"),
    "source_config.install_command": _TEXT,
    "source_config.build_command": _TEXT,
    "source_hash": st.from_regex(r"\A[0-9a-f]{64}\Z"),
    "secret_references": st.lists(
        st.fixed_dictionaries({"name": st.from_regex(r"\AR_[A-Z]{1,4}\Z"), "secret_name": _TEXT, "secret_key": _TEXT}),
        max_size=2,
        unique_by=lambda r: r["name"],
    ),
    "env": _env("E_"),
    "secrets": _env("S_"),
    "source_config.resource_spec": st.fixed_dictionaries(
        {},
        optional={
            "min_scale": st.integers(0, 3),
            "max_scale": st.integers(3, 9),
            "cpu": st.sampled_from([0.5, 1.0, 2.0]),
            "memory_mb": st.integers(256, 4096),
        },
    ),
    "source_dir": st.just("/srv/agent"),
}
API = (Change.REPLACE, Change.PATCH, Change.REVISION)


@st.composite
def declared_inputs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """(inputs, {field path: declared value}) for a random source and set of declared fields."""
    source = draw(st.sampled_from(fields.SOURCES))
    inputs: dict[str, Any] = {"name": "agent-x", "source": source, "owner": "0123456789abcdef"}
    declared: dict[str, Any] = {}
    for f in fields.FIELDS:
        if f.path not in VALUES or source not in f.sources:
            continue
        if source in f.required_for or draw(st.booleans()):
            declared[f.path] = draw(VALUES[f.path])
            inputs = with_path(inputs, f.path, declared[f.path])
    return inputs, declared


def leaves(body: dict[str, Any]) -> dict[str, Any]:
    """A request body as {API path: value}; each env var of the `secrets` list is `secrets.NAME`."""
    out: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            path = f"{prefix}{key}"
            if path == "secrets":
                out.update({f"secrets.{item['name']}": item["value"] for item in value})
            elif isinstance(value, dict) and value:
                walk(value, f"{path}.")
            else:
                out[path] = value

    walk(body, "")
    return out


def expected(f: Field, value: Any) -> dict[str, Any]:
    """Where a declared value travels in a request that carries its field."""
    if f.path in ("env", "secrets"):
        return {f"secrets.{k}": v for k, v in value.items()}
    if f.path == "source_hash":
        return {f"secrets.{SOURCE_HASH_ENV}": value}
    if f.path == "source_config.resource_spec":
        return {f"{f.path}.{k}": v for k, v in value.items()}
    return {f.path: value}


def _places(f: Field) -> tuple[str, ...]:
    """The API paths a field may take in any request (any value)."""
    if f.path in ("env", "secrets"):
        return ()  # both share the list; their names are checked through `expected`
    if f.path == "source_hash":
        return (f"secrets.{SOURCE_HASH_ENV}",)
    return (f.path,)


def carried_on_create(f: Field, source: str) -> bool:
    """The create POST carries what the deployment is made of; not `display_name` ("not accepted on
    create"), not the code's hash (it comes with the revision that uploads it), and for `source_dir`
    no revision config (the CLI creates with `source_revision_config: {}`)."""
    if f.change not in API or f.path in ("display_name", "source_hash"):
        return False
    return not (source == fields.INTERNAL_SOURCE and f.parent == "source_revision_config")


def carried_on_revision(f: Field) -> bool:
    """A revision PATCH carries each field that "will trigger creation of a new revision" (spec)."""
    return f.change is Change.REVISION


def _check(body: dict[str, Any], declared: dict[str, Any], carries: Any, what: str) -> None:
    got = leaves(body)
    for f in fields.FIELDS:
        if carries(f):
            if f.path in declared:
                for path, value in expected(f, declared[f.path]).items():
                    assert got.get(path) == value, f"{what}: {f.path} declared as {value!r}, sent {got.get(path)!r}"
        else:
            for path in _places(f):
                assert path not in got, f"{what}: {f.path} must not be sent, got {path}={got[path]!r}"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(declared_inputs())
def test_every_declared_value_reaches_the_create_and_nothing_else_does(case: tuple[dict[str, Any], Any]) -> None:
    inputs, declared = case
    model, failures = validate(copy.deepcopy(inputs))
    assert model is not None, failures
    body = changes.create_body(model)
    _check(body, declared, lambda f: carried_on_create(f, model.source), "create")
    env = leaves({"secrets": body["secrets"]})
    assert env.pop(f"secrets.{OWNERSHIP_ENV}") == changes.ownership_tag(model)
    assert env == {
        **expected(fields.BY_PATH["env"], declared.get("env", {})),
        **expected(fields.BY_PATH["secrets"], declared.get("secrets", {})),
    }


#: The deployment the server holds before the revision PATCH: its env in sync, other, or masked.
SERVERS = st.sampled_from(["same", "other", "masked", "empty"])


def _server(kind: str, inputs: dict[str, Any]) -> dict[str, Any]:
    env = {**inputs.get("env", {}), **inputs.get("secrets", {})}
    held = {"same": env, "other": {"FROM_UI": "ui"}, "masked": {"FROM_UI": "****", **dict.fromkeys(env, "****")}}
    items = [{"name": k, "value": v} for k, v in held.get(kind, {}).items()]
    return {"id": "d", "latest_revision_id": "r1", "secrets": items, "source_config": {"resource_spec": {"cpu": 4.0}}}


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(declared_inputs(), SERVERS)
def test_every_declared_value_reaches_the_revision_patch_and_nothing_else_does(
    case: tuple[dict[str, Any], Any], server: str
) -> None:
    inputs, declared = case
    model, failures = validate(copy.deepcopy(inputs))
    assert model is not None, failures
    current = _server(server, inputs)
    uploaded = changes.Uploaded("objects/x.tgz", "cfg/langgraph.json")
    body = changes.revision_body(model, current, uploaded)
    if model.source == fields.INTERNAL_SOURCE:
        # The archive's revision config replaces the declared one, which the archive was made from.
        declared = {k: v for k, v in declared.items() if not k.startswith("source_revision_config.")}
        assert body["source_revision_config"] == {
            "source_tarball_path": "objects/x.tgz",
            "langgraph_config_path": "cfg/langgraph.json",
        }
    unmanaged = "env" not in declared and "secrets" not in declared
    if unmanaged and server == "masked":
        # The server hides its values: sending a list would wipe them, so the env is left as it is.
        assert "secrets" not in body
        declared.pop("source_hash", None)
    elif unmanaged:
        sent = leaves({"secrets": body.get("secrets", [])})
        for item in current["secrets"]:  # the server's env is carried forward, never dropped
            assert item["name"] not in sent or sent[f"secrets.{item['name']}"] == item["value"]
        if sent:
            assert {k for k in sent if k.startswith("secrets.") and not k.endswith(("OWNER", "HASH"))} == {
                f"secrets.{item['name']}" for item in current["secrets"]
            }
    else:
        assert leaves({"secrets": body["secrets"]})[f"secrets.{OWNERSHIP_ENV}"] == changes.ownership_tag(model)
    _check(body, declared, carried_on_revision, f"revision PATCH (server env {server})")


@settings(max_examples=200)
@given(declared_inputs())
def test_every_declared_value_reaches_the_plain_patch_and_nothing_else_does(case: tuple[dict[str, Any], Any]) -> None:
    inputs, declared = case
    model, failures = validate(copy.deepcopy(inputs))
    assert model is not None, failures
    body = changes.patch_body(changes.PATCH_PATHS, model)
    _check(body, declared, lambda f: f.change is Change.PATCH, "plain PATCH")
