"""A catalogue of bad inputs, each with the property its refusal must name.

Used three ways: against `validate` directly, through the real provider host's Check, and through
`pulumi preview` with the real CLI (tests/e2e), each time asserting zero writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .data import docker_inputs, github_inputs, with_path, without_path


@dataclass(frozen=True)
class Bad:
    id: str
    make: Callable[[], dict[str, Any]]
    prop: str  # the failure must name this property (prefix match)


def _set(base: Callable[[], dict[str, Any]], path: str, value: Any) -> Callable[[], dict[str, Any]]:
    return lambda: with_path(base(), path, value)


def _drop(base: Callable[[], dict[str, Any]], path: str) -> Callable[[], dict[str, Any]]:
    return lambda: without_path(base(), path)


G, D = github_inputs, docker_inputs

CATALOGUE: list[Bad] = [
    # names
    Bad("name-uppercase", _set(G, "name", "MyAgent"), "name"),
    Bad("name-space", _set(G, "name", "my agent"), "name"),
    Bad("name-empty", _set(G, "name", ""), "name"),
    Bad("name-too-long", _set(G, "name", "a" * 64), "name"),
    Bad("name-starts-with-hyphen", _set(G, "name", "-agent"), "name"),
    Bad("name-not-string", _set(G, "name", 42), "name"),
    Bad("name-underscore", _set(G, "name", "my_agent"), "name"),  # langgraph-cli: [a-z0-9-] only
    Bad("name-trailing-hyphen", _set(G, "name", "agent-"), "name"),
    # source and enums
    Bad("source-unknown", _set(G, "source", "gitlab"), "source"),
    Bad("source-internal-docker", _set(G, "source", "internal_docker"), "source"),
    Bad("deployment-type-unknown", _set(G, "source_config.deployment_type", "huge"), "source_config.deployment_type"),
    Bad(
        "deployment-type-cli-name",
        _set(G, "source_config.deployment_type", "serverless"),
        "source_config.deployment_type",
    ),
    Bad("deployment-type-not-string", _set(G, "source_config.deployment_type", 3), "source_config.deployment_type"),
    Bad("build-on-push-not-bool", _set(G, "source_config.build_on_push", "yes"), "source_config.build_on_push"),
    # github-specific
    Bad("github-missing-integration", _drop(G, "source_config.integration_id"), "source_config.integration_id"),
    Bad("github-missing-repo-url", _drop(G, "source_config.repo_url"), "source_config.repo_url"),
    Bad("github-missing-repo-ref", _drop(G, "source_revision_config.repo_ref"), "source_revision_config.repo_ref"),
    Bad(
        "github-missing-config-path",
        _drop(G, "source_revision_config.langgraph_config_path"),
        "source_revision_config.langgraph_config_path",
    ),
    Bad("github-with-image", _set(G, "source_revision_config.image_uri", "r/x:1"), "source_revision_config.image_uri"),
    Bad("github-with-resource-spec", _set(G, "source_config.resource_spec", {"cpu": 1}), "source_config.resource_spec"),
    Bad(
        "github-with-custom-url",
        _set(G, "source_config.custom_url", "https://x.example.com"),
        "source_config.custom_url",
    ),
    Bad("integration-not-uuid", _set(G, "source_config.integration_id", "abc"), "source_config.integration_id"),
    Bad("repo-url-not-url", _set(G, "source_config.repo_url", "github.com/acme/x"), "source_config.repo_url"),
    Bad(
        "tag-with-build-on-push",
        _set(_set(G, "source_revision_config.repo_ref", "refs/tags/v1"), "source_config.build_on_push", True),
        "source_config.build_on_push",
    ),
    Bad("empty-repo-ref", _set(G, "source_revision_config.repo_ref", ""), "source_revision_config.repo_ref"),
    # external_docker-specific
    Bad("docker-missing-image", _drop(D, "source_revision_config.image_uri"), "source_revision_config.image_uri"),
    Bad(
        "docker-image-is-url",
        _set(D, "source_revision_config.image_uri", "https://r/x:1"),
        "source_revision_config.image_uri",
    ),
    Bad(
        "docker-with-deployment-type", _set(D, "source_config.deployment_type", "dev"), "source_config.deployment_type"
    ),
    Bad("docker-with-build-on-push", _set(D, "source_config.build_on_push", True), "source_config.build_on_push"),
    Bad("listener-not-uuid", _set(D, "source_config.listener_id", "listener-1"), "source_config.listener_id"),
    Bad(
        "namespace-invalid",
        _set(D, "source_config.listener_config.k8s_namespace", "Bad_NS"),
        "source_config.listener_config",
    ),
    Bad("custom-url-not-url", _set(D, "source_config.custom_url", "agent.example.com"), "source_config.custom_url"),
    # resource_spec bounds
    Bad("cpu-too-high", _set(D, "source_config.resource_spec.cpu", 9), "source_config.resource_spec.cpu"),
    Bad("cpu-too-low", _set(D, "source_config.resource_spec.cpu", 0.01), "source_config.resource_spec.cpu"),
    Bad("cpu-two-decimals", _set(D, "source_config.resource_spec.cpu", 0.25), "source_config.resource_spec.cpu"),
    Bad(
        "cpu-limit-two-decimals",
        _set(D, "source_config.resource_spec.cpu_limit", 1.25),
        "source_config.resource_spec.cpu_limit",
    ),
    Bad(
        "memory-negative", _set(D, "source_config.resource_spec.memory_mb", -1), "source_config.resource_spec.memory_mb"
    ),
    Bad(
        "min-scale-negative",
        _set(D, "source_config.resource_spec.min_scale", -1),
        "source_config.resource_spec.min_scale",
    ),
    Bad(
        "min-above-max",
        _set(_set(D, "source_config.resource_spec.min_scale", 3), "source_config.resource_spec.max_scale", 2),
        "source_config.resource_spec",
    ),
    Bad(
        "scale-not-int", _set(D, "source_config.resource_spec.max_scale", "2"), "source_config.resource_spec.max_scale"
    ),
    # secrets
    Bad("secret-reserved", _set(G, "secrets", {"PORT": "8080"}), "secrets.PORT"),
    Bad("secret-reserved-langsmith-key", _set(G, "secrets", {"LANGSMITH_API_KEY": "x"}), "secrets.LANGSMITH_API_KEY"),
    Bad(
        "secret-ownership-tag-name",
        _set(G, "secrets", {"PULUMI_LANGSMITH_OWNER": "x"}),
        "secrets.PULUMI_LANGSMITH_OWNER",
    ),
    Bad("secret-invalid-name", _set(G, "secrets", {"MY-VAR": "x"}), "secrets.MY-VAR"),
    Bad("secret-name-starts-with-digit", _set(G, "secrets", {"1VAR": "x"}), "secrets.1VAR"),
    Bad("secret-value-not-string", _set(G, "secrets", {"A": 1}), "secrets.A"),
    Bad("secrets-not-a-map", _set(G, "secrets", ["A=1"]), "secrets"),
    Bad(
        "secret-ref-on-github",
        _set(G, "secret_references", [{"name": "A", "secret_name": "s", "secret_key": "k"}]),
        "secret_references",
    ),
    Bad(
        "secret-ref-missing-key", _set(D, "secret_references", [{"name": "A", "secret_name": "s"}]), "secret_references"
    ),
    Bad(
        "secret-ref-bad-env",
        _set(D, "secret_references", [{"name": "A-B", "secret_name": "s", "secret_key": "k"}]),
        "secret_references",
    ),
    # misc
    Bad("display-name-empty", _set(G, "display_name", ""), "display_name"),
    Bad("unknown-property", _set(G, "colour", "blue"), "colour"),
    Bad("unknown-nested-property", _set(G, "source_config.region", "us"), "source_config.region"),
    Bad("wait-timeout-zero", _set(G, "wait.timeout_seconds", 0), "wait.timeout_seconds"),
    Bad("wait-poll-inverted", _set(_set(G, "wait.poll_min_seconds", 10), "wait.poll_max_seconds", 1), "wait"),
    Bad("adopt-not-bool", _set(G, "adopt", "yes"), "adopt"),
]
