"""`check` validation: every bad input is refused with a failure naming its property."""

from __future__ import annotations

import pytest

from pulumi_langsmith.core.values import UNKNOWN
from pulumi_langsmith.deployment.fields import defaults
from pulumi_langsmith.deployment.model import apply_defaults, reserved_env, validate

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


def test_self_hosted_may_set_the_names_reserved_on_cloud_only() -> None:
    for name in ("LANGSMITH_API_KEY", "POSTGRES_URI_CUSTOM", "REDIS_URI_CUSTOM", "PORT", "PATH", "LSD_ENV"):
        assert name in reserved_env("github")
        assert name not in reserved_env("external_docker")
        _, failures = validate(docker_inputs(secrets={name: "v"}))
        assert failures == []
    for source in ("github", "external_docker"):
        assert "POSTGRES_URI" in reserved_env(source) and "LANGSMITH_DEPLOYMENT_NAME" in reserved_env(source)


def test_defaults_are_filled_in_for_github_only() -> None:
    inputs = github_inputs()
    del inputs["source_config"]["deployment_type"], inputs["source_config"]["build_on_push"]
    filled = apply_defaults(inputs)
    assert filled["source_config"]["deployment_type"] == defaults("github")["source_config.deployment_type"] == "prod"
    assert filled["source_config"]["build_on_push"] is False
    assert validate(filled)[1] == []
    docker = apply_defaults(docker_inputs())
    assert "deployment_type" not in docker["source_config"] and validate(docker)[1] == []
    explicit = apply_defaults(github_inputs())
    assert explicit["source_config"]["deployment_type"] == "dev"  # never overrides a declared value
    unknown = github_inputs(source_config=UNKNOWN)
    assert apply_defaults(unknown)["source_config"] == UNKNOWN


@pytest.mark.parametrize("cpu", [0.1, 0.5, 1, 2.0, 7.9])
def test_one_decimal_cpu_passes(cpu: float) -> None:
    inputs = docker_inputs()
    inputs["source_config"]["resource_spec"] = {"cpu": cpu, "cpu_limit": 8}
    assert validate(inputs)[1] == []


def test_cli_deployment_type_names_get_a_hint() -> None:
    _, failures = validate(
        github_inputs(source_config={**github_inputs()["source_config"], "deployment_type": "dedicated"})
    )
    assert any("'prod'" in reason for _, reason in failures)
