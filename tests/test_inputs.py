"""`check` validation: every bad input is refused with a failure naming its property."""

from __future__ import annotations

import pytest

from provider.inputs import UNKNOWN, validate

from .support.bad_inputs import CATALOGUE, Bad
from .support.data import docker_inputs, github_inputs


def test_catalogue_is_large_and_unique() -> None:
    assert len(CATALOGUE) >= 30
    assert len({b.id for b in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("bad", CATALOGUE, ids=lambda b: b.id)
def test_bad_input_is_refused_naming_the_property(bad: Bad) -> None:
    model, failures = validate(bad.make())
    assert model is None
    assert failures, "no failure reported"
    props = [p for p, _ in failures]
    assert any(p.startswith(bad.prop) for p in props), f"{bad.prop!r} not named in {failures}"
    for _prop, reason in failures:
        assert reason and "{" not in reason


def test_valid_inputs_pass() -> None:
    for inputs in (github_inputs(), docker_inputs(), github_inputs(display_name="Nice", secrets={})):
        model, failures = validate(inputs)
        assert failures == [] and model is not None


def test_all_problems_are_reported_at_once() -> None:
    inputs = github_inputs()
    del inputs["source_config"]["integration_id"]
    del inputs["source_revision_config"]["repo_ref"]
    _, failures = validate(inputs)
    assert {p for p, _ in failures} == {"source_config.integration_id", "source_revision_config.repo_ref"}


@pytest.mark.parametrize(
    "path",
    [
        "name",
        "source_config.integration_id",
        "source_revision_config.repo_ref",
        "secrets",
        "source_config.build_on_push",
    ],
)
def test_unknown_values_are_tolerated_at_preview(path: str) -> None:
    inputs = github_inputs()
    node = inputs
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = UNKNOWN
    _, failures = validate(inputs)
    assert failures == []


def test_secret_values_never_appear_in_failures() -> None:
    inputs = github_inputs(secrets={"PORT": "super-secret-value", "OK": 5})
    _, failures = validate(inputs)
    assert failures
    assert all("super-secret-value" not in reason for _, reason in failures)
