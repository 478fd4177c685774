"""The replacement and ownership decisions (`deployment/ownership.py`), and the pure helpers of what a
user reads (`core/failures.py`, `plugin/language.py`), without a server: the engine's call orders of
pulumi 3.274 (`resource/deploy/step_generator.go`) replayed against the registry."""

from __future__ import annotations

import pytest

from pulumi_langsmith.core.failures import SHOWN_SECRET, parts_of, reported, value_at
from pulumi_langsmith.deployment import changes, ownership
from pulumi_langsmith.deployment.model import DeploymentInputs
from pulumi_langsmith.deployment.ownership import Registry
from pulumi_langsmith.plugin.language import speak
from pulumi_langsmith.plugin.resources import DEPLOYMENT

OWNER = changes.ownership_id("proj", "dev", "agent")
DEP, OTHER = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


def inputs(owner: str = OWNER, **kw: object) -> DeploymentInputs:
    return DeploymentInputs.model_validate(
        {
            "name": "agent-abc1234",
            "source": "external_docker",
            "source_revision_config": {"image_uri": "registry.example.com/a:1"},
            "owner": owner,
            **kw,
        }
    )


@pytest.fixture(autouse=True)
def fresh_registry() -> None:
    ownership.REGISTRY.clear()


def test_a_replacement_owner_is_the_resources_own_id_plus_the_replaced_deployments() -> None:
    first = ownership.replacement_owner(OWNER, DEP)
    assert first.startswith(f"{OWNER}-r") and len(first) == len(OWNER) + 10
    assert ownership.replacement_owner(first, OTHER) == ownership.replacement_owner(OWNER, OTHER)  # never nested
    assert ownership.replacement_owner(OWNER, OTHER) != first
    assert ownership.base_owner(first) == OWNER and ownership.base_owner(OWNER) == OWNER


def test_a_deployment_is_ours_in_any_generation_with_the_same_fields_behind_the_name() -> None:
    d = inputs()
    assert ownership.ours(d, changes.ownership_tag(d))
    later = inputs(owner=ownership.replacement_owner(OWNER, DEP))
    assert ownership.ours(d, changes.ownership_tag(later))  # an earlier replacement's tag
    assert ownership.ours(later, changes.ownership_tag(d))
    other_fields = inputs(source_config={"listener_id": DEP})
    assert not ownership.ours(d, changes.ownership_tag(other_fields))
    stranger = inputs(owner=changes.ownership_id("proj", "dev", "other"))
    assert not ownership.ours(d, changes.ownership_tag(stranger))
    assert not ownership.ours(d, None) and not ownership.ours(inputs(owner=""), changes.ownership_tag(d))


def test_the_registry_remembers_what_the_state_holds_per_resource() -> None:
    r = Registry()
    assert r.held(OWNER) == frozenset() and r.replaced(OWNER) is None and r.held(None) == frozenset()
    r.in_state(ownership.replacement_owner(OWNER, OTHER), DEP)  # any generation counts as the resource's
    assert r.held(OWNER) == {DEP} and r.replaced(OWNER) == DEP
    r.in_state(OWNER, OTHER)
    assert r.held(OWNER) == {DEP, OTHER} and r.replaced(OWNER) is None  # ambiguous: no guess
    r.in_state(None, DEP)
    r.in_state(OWNER, None)
    assert r.held(OWNER) == {DEP, OTHER}
    r.clear()
    assert r.held(OWNER) == frozenset()


def test_a_create_never_takes_a_deployment_the_state_holds() -> None:
    held = frozenset({DEP})
    refusal = ownership.create_refusal("fixed", False, DEP, held)
    assert refusal is not None and DEP in refusal and "nothing was changed" in refusal
    assert "deleteBeforeReplace" in refusal and "leave `name` unset" in refusal
    assert "leave `name` unset" not in str(ownership.create_refusal("agent-x", True, DEP, held))
    assert ownership.create_refusal("fixed", False, OTHER, held) is None  # a resumed attempt or a foreign one
    assert ownership.adopt_id_ignored(DEP, held) and not ownership.adopt_id_ignored(OTHER, held)
    assert not ownership.adopt_id_ignored(None, held)


def test_a_targeted_replacements_delete_of_the_deployment_its_create_resumed_is_skipped() -> None:
    # `up --replace`: check without olds, create (resumes DEP by its tag), then delete of the old: DEP.
    ownership.REGISTRY.checked_fresh(OWNER)
    ownership.REGISTRY.took(DEP)
    ownership.REGISTRY.created(OWNER)
    assert ownership.delete_skip(DEP) and not ownership.delete_skip(OTHER)
    assert ownership.delete_refusal("fixed", True, False, OWNER) is None  # the create already ran


def test_a_delete_first_replacement_that_would_leave_a_fixed_name_taken_is_refused() -> None:
    # deleteBeforeReplace: check without olds, then delete, then create.
    ownership.REGISTRY.checked_fresh(OWNER)
    refusal = ownership.delete_refusal("fixed", True, False, OWNER)
    assert refusal is not None and "nothing was deleted" in refusal and "delete_tracing_project=True" in refusal
    assert ownership.delete_refusal("fixed", True, True, OWNER) is None  # the tracing project goes too
    assert ownership.delete_refusal("agent-x", False, False, OWNER) is None  # an autoname: a new name follows
    assert ownership.delete_refusal("fixed", True, False, changes.ownership_id("p", "s", "other")) is None
    assert ownership.delete_refusal("fixed", True, False, None) is None
    # `pulumi destroy`, or a delete after this run's create: no check without olds is pending.
    ownership.REGISTRY.created(OWNER)
    assert ownership.delete_refusal("fixed", True, False, OWNER) is None


def test_failures_about_nested_paths_carry_the_value_given() -> None:
    raw = {"env": {"OTHER": "x"}, "secret_references": [{"name": "1BAD"}], "n": 4.0, "m": {"a": 1}}
    assert parts_of("secret_references[0].name") == ["secret_references", 0, "name"]
    assert value_at(raw, "secret_references[0].name") == "1BAD" and value_at(raw, "secret_references[1].name") is None
    assert value_at(raw, "env.MISSING") is None and value_at(raw, "env.OTHER.deeper") is None
    assert reported("name", "bad", "Bad", False) == ("name", "bad")  # the engine shows a top-level value itself
    assert reported("env.OTHER", "clash", "x", False) == ("", 'env.OTHER (given "x"): clash')
    assert reported("secrets.K", "bad", "hunter2", True) == ("", f'secrets.K (given "{SHOWN_SECRET}"): bad')
    assert reported("a.n", "bad", 4.0, False) == ("", "a.n (given 4): bad")  # an integral float reads as given
    assert reported("a.m", "bad", {"a": 1}, False) == ("", "a.m: bad")  # an object's keys differ per language
    assert reported("a.q", "is required", None, True) == ("", "a.q: is required")


def test_messages_are_spelled_as_the_schema_names_things() -> None:
    shape = DEPLOYMENT.shape
    text = "min_scale (4) must not exceed max_scale (2); set delete_tracing_project=True or adopt=True"
    assert (
        speak(text, shape) == "minScale (4) must not exceed maxScale (2); set deleteTracingProject: true or adopt: true"
    )
    assert speak("source_config.resource_spec.min_scale", shape) == "sourceConfig.resourceSpec.minScale"
    # Names the schema does not declare stay: env vars, source values, Python's own options.
    kept = "LOG_LEVEL in internal_source; delete_before_replace=True; wait=False; unknown_field=True"
    assert speak(kept, shape) == kept.replace("wait=False", "wait: false")
