"""What makes a revision, from the field table (issue 27): for every source, every combination of
declared inputs and every field that applies to the source, a change of that one field is classified
as the table says, and the server's latest revision is recognised as carrying the inputs exactly when
it does.

The server is the one the revision PATCH of the old inputs made (its body applied as the service
applies it: `source_config` merged, the rest replaced), so "the latest revision carries these inputs"
(`revision_matches`, used to resume an interrupted rollout and on adoption) must hold for the old
inputs, fail after any change of a field that rolls out a revision (else the old revision would be
reported DEPLOYED for a rollout that never happened: the source_dir command defect), and keep holding
after a change of any other field (else a resumed `up` would roll out a duplicate).
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pulumi_langsmith.core.schema import Change, Compare
from pulumi_langsmith.deployment import changes, fields
from pulumi_langsmith.deployment.model import DeploymentInputs, DeploymentOutputs, Props, validate

from .support.data import with_path
from .test_data_path import VALUES, declared_inputs


def _model(inputs: dict[str, Any]) -> DeploymentInputs:
    model, failures = validate(copy.deepcopy(inputs))
    assert model is not None, failures
    return model


def _props(model: DeploymentInputs) -> Props:
    """What state holds after an `up` of `model` that ended DEPLOYED."""
    return Props(model, DeploymentOutputs(secrets_hash=changes.secrets_hash(model.secrets), revision_status="DEPLOYED"))


def server_after_revision_of(model: DeploymentInputs) -> dict[str, Any]:
    """The deployment as the service holds it once the revision PATCH of `model` was applied."""
    config_path = model.source_revision_config.langgraph_config_path or "langgraph.json"
    before: dict[str, Any] = {"id": "d", "latest_revision_id": "r1", "secrets": [], "source_config": {}}
    body = changes.revision_body(model, before, changes.Uploaded("objects/x.tgz", config_path))
    server = {**before, **{k: v for k, v in body.items() if k != "source_config"}}
    server["source_config"] = {**before["source_config"], **body.get("source_config", {})}
    return server


def _unmasked(inputs: dict[str, Any]) -> bool:
    """No env value reads as a server's mask (`****`): the provider takes such a value for unknown and
    rolls out a revision rather than call it carried, the safe side, so it proves nothing here."""
    return not any(changes.masked(v) for key in ("env", "secrets") for v in (inputs.get(key) or {}).values())


def _empty(value: Any) -> bool:
    return value is None or value == {} or value == []


def _at(node: Any, path: str) -> Any:
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


#: Fields with a value to change to (the table's inputs the program declares).
CHANGEABLE = tuple(f for f in fields.FIELDS if f.path in VALUES)


@st.composite
def one_change(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], fields.Field]:
    """(old inputs, new inputs, the field that differs): one field of the source set to another value."""
    old, _ = draw(declared_inputs().filter(lambda case: _unmasked(case[0])))
    f = draw(st.sampled_from([f for f in CHANGEABLE if old["source"] in f.sources]))
    value = draw(VALUES[f.path])
    new = with_path(old, f.path, value)
    assume(_unmasked(new))
    before = _model(old).model_dump()
    assume(_model(new).model_dump() != before)
    # An empty map or list where none was declared asks the server for what it already holds (none
    # of the user's, nothing else in this server): no different revision to tell apart.
    assume(not (_empty(value) and _empty(_at(before, f.path))))
    if f.compare is Compare.DECLARED_KEYS:  # only the keys declared count: one of them must change
        held = _at(before, f.path) or {}
        assume(any(held.get(k) != v for k, v in value.items()))
    return old, new, f


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(declared_inputs().filter(lambda case: _unmasked(case[0])))
def test_the_revision_made_from_the_inputs_is_recognised_as_carrying_them(case: tuple[dict[str, Any], Any]) -> None:
    model = _model(case[0])
    assert changes.revision_matches(model, server_after_revision_of(model))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(one_change())
def test_one_changed_field_does_what_the_table_says(case: tuple[dict[str, Any], dict[str, Any], fields.Field]) -> None:
    old_inputs, new_inputs, f = case
    old, new = _model(old_inputs), _model(new_inputs)
    change = changes.change_set(_props(old), _props(new))
    server = server_after_revision_of(old)
    carried = changes.revision_matches(new, server, change.removed)
    if f.change is Change.REPLACE:
        # A replacement: nothing in place (an autoname follows the fields behind it).
        assert change.replaces and not change.patch and not change.revision, change
    elif f.change is Change.REVISION:
        assert change.revision and not change.replaces, (f.path, change)
        assert not carried, f"{f.path} changed, yet the old revision counts as carrying it"
    elif f.change is Change.PATCH:
        assert change.patch == (f.path,) and not change.revision and not change.replaces, change
        assert carried, f"{f.path} rolls out no revision, yet the old one no longer counts"
    else:
        assert not (change.patch or change.revision or change.replaces), change
        assert carried, f"{f.path} is the provider's own, yet the old revision no longer counts"
