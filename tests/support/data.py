"""Valid inputs used across tests (the IDs are the local control plane's seeded fixtures)."""

from __future__ import annotations

import copy
from typing import Any

from langsmith_emulator.testing import GITHUB_INTEGRATION_ID, GITHUB_REPO_URL, LISTENER_ID


def github_inputs(name: str = "agent-one", **overrides: Any) -> dict[str, Any]:
    """Valid inputs for a GitHub-source deployment on the emulator."""
    inputs: dict[str, Any] = {
        "name": name,
        "source": "github",
        "source_config": {
            "integration_id": GITHUB_INTEGRATION_ID,
            "repo_url": "https://github.com/langchain-ai/langgraph-example",
            "deployment_type": "dev",
            "build_on_push": False,
        },
        "source_revision_config": {"repo_ref": "main", "langgraph_config_path": "langgraph.json"},
        "secrets": {"OPENAI_API_KEY": "sk-test-secret-value-1"},
        "owner": "0123456789abcdef",
        "wait": {"timeout_seconds": 60, "poll_min_seconds": 0.05, "poll_max_seconds": 0.5},
    }
    inputs.update(overrides)
    return inputs


def docker_inputs(name: str = "image-one", **overrides: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "name": name,
        "source": "external_docker",
        "source_config": {
            "listener_id": LISTENER_ID,
            "listener_config": {"k8s_namespace": "agents"},
            "resource_spec": {"min_scale": 1, "max_scale": 2, "cpu": 0.5},
        },
        "source_revision_config": {"image_uri": "registry.example.com/agent:1.0.0"},
        "secrets": {"DB_PASSWORD": "pw-test-secret-value-2"},
        "owner": "fedcba9876543210",
        "wait": {"timeout_seconds": 60, "poll_min_seconds": 0.05, "poll_max_seconds": 0.5},
    }
    inputs.update(overrides)
    return inputs


def with_path(inputs: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `inputs` with the dotted `path` set to `value` (parents created as needed)."""
    out = copy.deepcopy(inputs)
    node = out
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return out


def without_path(inputs: dict[str, Any], path: str) -> dict[str, Any]:
    """A deep copy of `inputs` with the dotted `path` removed."""
    out = copy.deepcopy(inputs)
    node = out
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    del node[parts[-1]]
    return out


def github_body(name: str, **overrides: Any) -> dict[str, Any]:
    """A create body as the official example sends it."""
    body: dict[str, Any] = {
        "name": name,
        "source": "github",
        "source_config": {
            "integration_id": GITHUB_INTEGRATION_ID,
            "repo_url": GITHUB_REPO_URL,
            "deployment_type": "dev",
            "build_on_push": False,
        },
        "source_revision_config": {"repo_ref": "main", "langgraph_config_path": "langgraph.json"},
        "secrets": [{"name": "OPENAI_API_KEY", "value": "sk-test"}],
    }
    body.update(overrides)
    return body
