"""The outside read's findings (issue 20), each against its source: the vendor's example script and
CLI (the revision after a PATCH), langgraph-cli's `normalize_name` (names), the spec's ResourceSpec
(bounds), LangChain's Terraform provider (the `prod` default, shown at preview) and Pulumi's
organizations (the ownership tag)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from pulumi_langsmith.deployment import changes
from pulumi_langsmith.deployment import provider as provider_module
from pulumi_langsmith.deployment.model import validate
from pulumi_langsmith.deployment.provider import DeploymentError, DeploymentProvider

from .support.data import docker_inputs, github_inputs, with_path
from .support.typed import typed


class RevisionServer:
    """The reads `_new_revision` makes, with what each shows of the new revision."""

    def __init__(self, *, answer: str | None, get: str | None, listed: str | None) -> None:
        self.answer, self.get, self.listed = answer, get, listed
        self.patches: list[dict[str, Any]] = []

    def patch_deployment(self, _dep: str, body: dict[str, Any], *, rolls_out: bool = False) -> dict[str, Any]:
        assert rolls_out
        self.patches.append(body)
        return {"id": "d", "latest_revision_id": self.answer}

    def get_deployment(self, _dep: str) -> dict[str, Any]:
        return {"id": "d", "latest_revision_id": self.get}

    def list_revisions(self, _dep: str, *, limit: int = 100) -> list[dict[str, Any]]:
        return [{"id": self.listed}] if self.listed else []

    def note_once(self, _key: str) -> bool:
        return False


CURRENT = {"id": "d", "latest_revision_id": "r1", "secrets": []}


@pytest.mark.parametrize(
    ("answer", "get", "listed", "expected"),
    [
        ("r2", "r1", None, "r2"),  # the PATCH's answer names it
        ("r1", "r2", None, "r2"),  # an answer written before it was visible: the deployment moved
        ("r1", "r1", "r2", "r2"),  # the deployment did not move yet, the revision list shows it
        (None, None, "r2", "r2"),
    ],
)
def test_the_awaited_revision_is_the_new_one(
    answer: str | None, get: str | None, listed: str | None, expected: str
) -> None:
    server = RevisionServer(answer=answer, get=get, listed=listed)
    assert DeploymentProvider._new_revision(server, "d", typed(docker_inputs()), CURRENT) == expected  # type: ignore[arg-type]
    assert len(server.patches) == 1


def test_a_patch_that_shows_no_new_revision_fails_and_never_reports_the_old_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before: `or str(before)` ended the wait at once on the previous, DEPLOYED revision."""
    monkeypatch.setattr(provider_module, "REVISION_VISIBLE_SECONDS", 0.2)
    server = RevisionServer(answer="r1", get="r1", listed="r1")
    with pytest.raises(DeploymentError, match="shows no new revision"):
        DeploymentProvider._new_revision(server, "d", typed(docker_inputs()), CURRENT)  # type: ignore[arg-type]
    assert len(server.patches) == 1


def test_revision_after_patch_skips_the_revision_before() -> None:
    assert changes.revision_after_patch("r1", None, "r1", "", "r2", "r3") == "r2"
    assert changes.revision_after_patch("r1", "r1", None) is None
    assert changes.revision_after_patch(None, None, "r1") == "r1"


@pytest.mark.parametrize("name", ["2024-agent", "7", "0ab", "a", "agent-2"])
def test_names_langgraph_cli_makes_are_accepted(name: str) -> None:
    """langgraph-cli 0.4.40 `normalize_name` keeps a leading digit (`2024 Agent` -> `2024-agent`)."""
    model, failures = validate(github_inputs(name=name))
    assert model is not None and failures == []


@pytest.mark.parametrize("name", ["-agent", "agent-", "Agent", "my_agent", "a" * 64, "a.b"])
def test_names_every_source_refuses_are_refused(name: str) -> None:
    _, failures = validate(github_inputs(name=name))
    assert [p for p, _ in failures] == ["name"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("min_scale", 0),
        ("min_scale", 2),
        ("max_scale", 500),
        ("memory_mb", 64),
        ("memory_limit_mb", 1_048_576),
        ("queue_max_scale", 250),
    ],
)
def test_bounds_the_spec_does_not_state_are_left_to_the_server(path: str, value: int) -> None:
    model, failures = validate(with_path(docker_inputs(), f"source_config.resource_spec.{path}", value))
    assert model is not None, failures


@pytest.mark.parametrize(("path", "value"), [("cpu", 8.5), ("cpu", 0.0), ("cpu_limit", 16.5), ("memory_mb", -1)])
def test_bounds_the_spec_states_are_refused(path: str, value: float) -> None:
    _, failures = validate(with_path(docker_inputs(), f"source_config.resource_spec.{path}", value))
    assert [p for p, _ in failures] == [f"source_config.resource_spec.{path}"]


def _configured() -> DeploymentProvider:
    p = DeploymentProvider()
    p.config_error = None
    return p


def test_the_default_deployment_type_is_named_at_the_first_preview(capsys: pytest.CaptureFixture[str]) -> None:
    inputs = github_inputs()
    del inputs["source_config"]["deployment_type"]
    result = _configured().check({}, inputs)
    assert result.inputs["source_config"]["deployment_type"] == "prod"
    said = capsys.readouterr().err
    assert "source_config.deployment_type is not set: 'prod' is used" in said and "dev_zero" in said
    _configured().check({}, github_inputs())  # declared: nothing to say
    assert "deployment_type" not in capsys.readouterr().err


def _legacy_id(project: str, stack: str, name: str) -> str:
    return hashlib.sha256(f"{project}/{stack}/{name}".encode()).hexdigest()[:16]


def test_the_ownership_id_tells_pulumi_organizations_apart() -> None:
    alice = changes.ownership_id("agents", "dev", "agent", "alice-org")
    bob = changes.ownership_id("agents", "dev", "agent", "bob-org")
    assert alice != bob
    # A backend without organizations answers "organization": the tag every deployment already carries.
    for none in ("organization", "", None):
        assert changes.ownership_id("agents", "dev", "agent", none) == _legacy_id("agents", "dev", "agent")


def test_check_keeps_the_owner_a_deployment_was_created_with() -> None:
    olds = {**github_inputs(owner="legacy-owner-0001"), "deployment_id": "d"}
    result = _configured().check(olds, github_inputs(owner="org-aware-owner01"))
    assert result.inputs["owner"] == "legacy-owner-0001"
    assert _configured().check({}, github_inputs(owner="org-aware-owner01")).inputs["owner"] == "org-aware-owner01"
