"""Helpers shared by the lifecycle, drift, secrets and examples suites (on top of `harness.py`).

Programs are closures over a mutable settings dict, so one stack walks through ordered steps: a test
edits the dict between `up`s the way a user edits their program between runs.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pulumi

from langsmith_emulator.testing import API_KEY, GITHUB_INTEGRATION_ID, GITHUB_REPO_URL, LISTENER_ID
from pulumi_langsmith import (
    Deployment,
    DeploymentArgs,
    ListenerConfigArgs,
    SourceConfigArgs,
    SourceRevisionConfigArgs,
    WaitArgs,
)

from .harness import E2EStack, api, is_ciphertext, mutating_requests

# Fast polling: the emulator builds in 0.4 s and deploys in 0.4 s during tests.
FAST_WAIT = WaitArgs(timeout_seconds=60, poll_min_seconds=0.05, poll_max_seconds=0.3)
SECRET_OUTPUTS = ("secrets", "secrets_hash")
STACK_TYPE = "pulumi:pulumi:Stack"

Settings = dict[str, Any]


# Programs ---------------------------------------------------------------------------------------


def github_args(s: Mapping[str, Any]) -> DeploymentArgs:
    """A GitHub-source deployment from a settings dict; keys absent from `s` stay unset."""
    return DeploymentArgs(
        source="github",
        name=s.get("name"),
        display_name=s.get("display_name"),
        source_config=SourceConfigArgs(
            integration_id=GITHUB_INTEGRATION_ID,
            repo_url=s.get("repo_url", GITHUB_REPO_URL),
            deployment_type=s.get("deployment_type", "dev"),
            build_on_push=s.get("build_on_push", False),
        ),
        source_revision_config=SourceRevisionConfigArgs(
            repo_ref=s.get("repo_ref", "main"), langgraph_config_path="langgraph.json"
        ),
        secrets=s.get("secrets"),
        env=s.get("env"),
        adopt=s.get("adopt"),
        adopt_id=s.get("adopt_id"),
        delete_tracing_project=s.get("delete_tracing_project"),
        wait=FAST_WAIT,
    )


def docker_args(s: Mapping[str, Any]) -> DeploymentArgs:
    """A self-hosted (external_docker) deployment on the seeded listener."""
    return DeploymentArgs(
        source="external_docker",
        name=s.get("name"),
        display_name=s.get("display_name"),
        source_config=SourceConfigArgs(
            listener_id=LISTENER_ID,
            listener_config=ListenerConfigArgs(k8s_namespace="agents"),
            resource_spec=s.get("resource_spec", {"min_scale": 1, "max_scale": 2, "cpu": 0.5}),
        ),
        source_revision_config=SourceRevisionConfigArgs(image_uri=s.get("image_uri", "registry.example.com/agent:1.0")),
        secrets=s.get("secrets"),
        delete_tracing_project=s.get("delete_tracing_project"),
        wait=FAST_WAIT,
    )


def export_deployment(prefix: str, d: Deployment) -> None:
    """Stack outputs for one deployment; `secrets_hash` is exported to check that it stays secret."""
    pulumi.export(f"{prefix}_id", d.id)
    pulumi.export(f"{prefix}_name", d.name)
    pulumi.export(f"{prefix}_status", d.revision_status)
    pulumi.export(f"{prefix}_url", d.url)
    pulumi.export(f"{prefix}_revision", d.latest_revision_id)
    pulumi.export(f"{prefix}_secrets_hash", d.secrets_hash)


def single_program(settings: Settings, resource_name: str = "agent", kind: str = "github") -> Callable[[], None]:
    make = github_args if kind == "github" else docker_args

    def program() -> None:
        export_deployment("d", Deployment(resource_name, make(settings)))

    return program


# Project directories ----------------------------------------------------------------------------


def fleet(n: int, prefix: str = "fleet", secrets: Mapping[str, str] | None = None) -> Callable[[], None]:
    """A program of `n` alike GitHub deployments (the fleet tests and `make bench`)."""

    def program() -> None:
        for i in range(n):
            Deployment(
                f"{prefix}-{i}",
                source="github",
                source_config=SourceConfigArgs(
                    integration_id=GITHUB_INTEGRATION_ID, repo_url=GITHUB_REPO_URL, deployment_type="dev"
                ),
                source_revision_config=SourceRevisionConfigArgs(
                    repo_ref="main", langgraph_config_path="langgraph.json"
                ),
                secrets=dict(secrets) if secrets else None,
            )

    return program


def copy_project(src: Path, dest: Path) -> Path:
    """Run a project directory from a copy: the CLI writes `Pulumi.<stack>.yaml` next to
    `Pulumi.yaml`, and the source tree is shared with other people."""
    shutil.copytree(
        src,
        dest,
        ignore=shutil.ignore_patterns("Pulumi.*.yaml", "__pycache__", ".pulumi", ".venv", "*.md"),
    )
    return dest


# Request log ------------------------------------------------------------------------------------


def writes(emulator: Any, since: int) -> list[tuple[str, str]]:
    """(method, route) of every mutating public request after `since`, oldest first."""
    return [(r["method"], r["route"]) for r in mutating_requests(emulator, since)]


def count(calls: Iterable[tuple[str, str]], method: str, route: str) -> int:
    return sum(1 for c in calls if c == (method, route))


ONE = "/v2/deployments/{id}"
ALL = "/v2/deployments"


# Server state -----------------------------------------------------------------------------------


def deployment(emulator: Any, dep_id: str) -> dict[str, Any]:
    return dict(api(emulator, "GET", f"/v2/deployments/{dep_id}"))


def revision(emulator: Any, dep_id: str, rev_id: str) -> dict[str, Any]:
    return dict(api(emulator, "GET", f"/v2/deployments/{dep_id}/revisions/{rev_id}"))


def revisions(emulator: Any, dep_id: str) -> list[dict[str, Any]]:
    return list(api(emulator, "GET", f"/v2/deployments/{dep_id}/revisions", params={"limit": 100})["resources"])


def env_of(dep: Mapping[str, Any]) -> dict[str, str]:
    """The deployment's env vars as the server holds them (ownership tag included)."""
    return {s["name"]: s.get("value") or "" for s in dep.get("secrets") or []}


# Secrets ----------------------------------------------------------------------------------------


def assert_secrets_sealed(stack: E2EStack, values: Iterable[str], *, expect_resources: bool = True) -> None:
    """The issue's check after every step: no secret value nor the API key in the backend files,
    `stack export` or the CLI output; the secret inputs/outputs of every Deployment and the secret
    stack outputs are ciphertext in `stack export`."""
    values = list(values)
    stack.assert_no_plaintext(values)
    exported = stack.export()
    text = json.dumps(exported)
    assert API_KEY not in text and API_KEY not in stack.output()
    resources = exported.get("resources") or []
    deployments = [r for r in resources if r.get("type", "").endswith("langsmith:Deployment")]
    if expect_resources:
        assert deployments, "no Deployment in state"
    for res in deployments:
        inputs, outputs = res.get("inputs") or {}, res.get("outputs") or {}
        assert is_ciphertext(inputs.get("__provider")) and is_ciphertext(outputs.get("__provider"))
        if "secrets" in inputs:
            assert is_ciphertext(inputs["secrets"]), f"{res['urn']}: input secrets not ciphertext"
            for key in SECRET_OUTPUTS:
                assert is_ciphertext(outputs.get(key)), f"{res['urn']}: output {key} not ciphertext"
    for res in resources:
        if res.get("type") == STACK_TYPE:
            for key, value in (res.get("outputs") or {}).items():
                if key.endswith("secrets_hash") and value is not None:
                    assert is_ciphertext(value), f"stack output {key} not ciphertext"
