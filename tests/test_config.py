"""Where the provider finds its control plane, workspace and dashboard: the vendor CLI's rules."""

from __future__ import annotations

import pytest

from pulumi_langsmith.core.config import (
    ConfigurationError,
    control_plane_from_endpoint,
    dashboard_for,
    deployment_dashboard_url,
    explain_forbidden,
    resolve_settings,
)

KEY = {"LANGSMITH_API_KEY": "lsv2_x"}
WS = "0b5c0000-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    ("endpoint", "control_plane"),
    [
        ("https://api.smith.langchain.com", "https://api.host.langchain.com"),
        ("https://eu.api.smith.langchain.com", "https://eu.api.host.langchain.com"),
        ("https://eu.api.smith.langchain.com/", "https://eu.api.host.langchain.com"),
        ("https://langsmith.example.com/api/v1", "https://langsmith.example.com/api-host"),
        ("https://langsmith.example.com/api", "https://langsmith.example.com/api-host"),
        ("https://example.com/ls/api/v1", "https://example.com/ls/api-host"),
        ("http://localhost:1984", "http://localhost:1984/api-host"),
    ],
)
def test_control_plane_derived_from_langsmith_endpoint(endpoint: str, control_plane: str) -> None:
    assert control_plane_from_endpoint(endpoint) == control_plane


@pytest.mark.parametrize(
    ("base_url", "dashboard"),
    [
        ("https://api.host.langchain.com", "https://smith.langchain.com"),
        ("https://eu.api.host.langchain.com", "https://eu.smith.langchain.com"),
        ("https://langsmith.example.com/api-host", "https://langsmith.example.com"),
        ("http://127.0.0.1:8124", "http://127.0.0.1:8124"),
    ],
)
def test_dashboard_follows_the_control_plane(base_url: str, dashboard: str) -> None:
    assert dashboard_for(base_url) == dashboard


def test_endpoint_is_used_only_when_no_url_is_configured() -> None:
    env = {**KEY, "LANGSMITH_ENDPOINT": "https://eu.api.smith.langchain.com"}
    assert resolve_settings({}, env).base_url == "https://eu.api.host.langchain.com"
    assert resolve_settings({}, env).dashboard_url == "https://eu.smith.langchain.com"
    env_url = {**env, "LANGSMITH_CONTROL_PLANE_URL": "us"}
    assert resolve_settings({}, env_url).base_url == "https://api.host.langchain.com"
    cfg = {"langsmith:controlPlaneUrl": "https://ls.example.com/api-host"}
    assert resolve_settings(cfg, env).base_url == "https://ls.example.com/api-host"


def test_bad_endpoint_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="LANGSMITH_ENDPOINT"):
        resolve_settings({}, {**KEY, "LANGSMITH_ENDPOINT": "smith.langchain.com"})


def test_workspace_from_either_variable_config_first() -> None:
    assert resolve_settings({}, {**KEY, "LANGSMITH_TENANT_ID": WS}).workspace_id == WS
    other = "0b5c0000-0000-4000-8000-000000000002"
    env = {**KEY, "LANGSMITH_WORKSPACE_ID": WS, "LANGSMITH_TENANT_ID": other}
    assert resolve_settings({}, env).workspace_id == WS
    assert resolve_settings({"langsmith:workspaceId": other}, env).workspace_id == other
    with pytest.raises(ConfigurationError, match="LANGSMITH_TENANT_ID"):
        resolve_settings({}, {**KEY, "LANGSMITH_TENANT_ID": "not-a-uuid"})


def test_missing_key_names_config_and_variable() -> None:
    with pytest.raises(ConfigurationError, match=r"langsmith:apiKey.*LANGSMITH_API_KEY"):
        resolve_settings({}, {})


def test_api_key_never_in_repr() -> None:
    assert "lsv2_x" not in repr(resolve_settings({}, KEY))


def test_deployment_dashboard_url() -> None:
    url = deployment_dashboard_url("https://smith.langchain.com", WS, "d1")
    assert url == f"https://smith.langchain.com/o/{WS}/host/deployments/d1"
    assert deployment_dashboard_url("https://smith.langchain.com", None, "d1") is None


def test_org_scoped_key_403_is_explained() -> None:
    hint = explain_forbidden("This API key is org-scoped and requires workspace specification")
    assert hint is not None and "langsmith:workspaceId" in hint and "Settings > Workspaces" in hint
    assert explain_forbidden("Forbidden") is None
