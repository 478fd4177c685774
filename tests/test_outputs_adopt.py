"""`dashboard_url`/`tenant_id`/`url` outputs and `adopt_id` (taking over a deployment by UUID)."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_langsmith.deployment.model import validate
from pulumi_langsmith.deployment.provider import DeploymentError, DeploymentProvider

from .support.data import github_inputs
from .support.typed import typed

TENANT = "11111111-2222-4333-8444-555555555555"


def _server(**over: Any) -> dict[str, Any]:
    body = {k: v for k, v in github_inputs().items() if k not in ("secrets", "owner", "wait")}
    return {**body, "id": "d-1", "tenant_id": TENANT, "secrets": [], **over}


def test_dashboard_url_and_tenant_id_come_from_the_deployment() -> None:
    outs = DeploymentProvider._outputs(typed(github_inputs()), _server(), None, "https://smith.example.com/")
    assert outs["tenant_id"] == TENANT
    assert outs["dashboard_url"] == f"https://smith.example.com/o/{TENANT}/host/deployments/d-1"


def test_url_is_none_until_the_service_assigns_one() -> None:
    outs = DeploymentProvider._outputs(typed(github_inputs()), _server(), None, "https://smith.example.com")
    assert outs["url"] is None
    assigned = _server(source_config={"custom_url": "https://a.us.langgraph.app"})
    assert DeploymentProvider._outputs(typed(github_inputs()), assigned, None)["url"] == "https://a.us.langgraph.app"
    assert (
        DeploymentProvider._outputs(typed(github_inputs()), _server(tenant_id=None), None, "https://x")["dashboard_url"]
        is None
    )


def test_adopt_id_must_be_a_uuid() -> None:
    _, failures = validate(github_inputs(adopt_id="agent-one"))
    assert failures == [("adopt_id", "must be a deployment UUID, got 'agent-one'")]


def test_adopt_id_refuses_a_different_fixed_field_or_name() -> None:
    props = github_inputs(adopt_id=TENANT, name="mine")
    theirs = _server(name="theirs", source_config={**_server()["source_config"], "repo_url": "https://github.com/o/r"})
    with pytest.raises(DeploymentError) as err:
        DeploymentProvider._adopt(None, theirs, typed(props))  # type: ignore[arg-type]
    message = str(err.value)
    assert "name is 'theirs' there, 'mine' here" in message and "source_config.repo_url" in message
    auto = {**github_inputs(adopt_id=TENANT, name="agent-x1"), "name_prefix": "agent"}
    assert DeploymentProvider._adopt(None, _server(name="theirs"), typed(auto))["name"] == "theirs"  # type: ignore[arg-type]
