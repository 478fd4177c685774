"""The `Listener` resource through the real CLI: create, deploy onto it, update in place, drift,
replacement, adoption, bad input at preview, destroy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_langsmith import Deployment, Listener, ListenerConfigArgs, SourceConfigArgs, SourceRevisionConfigArgs

from .harness import E2EStack, api, last_seq
from .lifecycle_support import FAST_WAIT, writes

pytestmark = pytest.mark.e2e

LISTENERS = "/v2/listeners"
ONE_LISTENER = "/v2/listeners/{id}"


def listener_program(s: dict[str, Any], *, with_deployment: bool = False) -> Any:
    def program() -> None:
        cluster = Listener(
            "cluster",
            compute_id=s.get("compute_id", "prod-cluster"),
            k8s_namespaces=s.get("namespaces", ["agents", "batch"]),
            adopt=s.get("adopt"),
        )
        pulumi.export("listener_id", cluster.id)
        pulumi.export("namespaces", cluster.k8s_namespaces)
        if with_deployment:
            agent = Deployment(
                "agent",
                source="external_docker",
                source_config=SourceConfigArgs(
                    listener_id=cluster.id,
                    listener_config=ListenerConfigArgs(k8s_namespace="agents"),
                    resource_spec={"min_scale": 1, "max_scale": 1, "cpu": 1, "memory_mb": 2048},
                ),
                source_revision_config=SourceRevisionConfigArgs(image_uri="registry.example.com/agent:1.0"),
                wait=FAST_WAIT,
            )
            pulumi.export("deployment_id", agent.id)

    return program


def listener(emulator: Any, listener_id: str) -> dict[str, Any]:
    return dict(api(emulator, "GET", f"/v2/listeners/{listener_id}"))


def test_listener_lifecycle_with_a_deployment_on_it(tmp_path: Path, emulator: Any) -> None:
    s: dict[str, Any] = {}
    stack = E2EStack(tmp_path, emulator, listener_program(s, with_deployment=True))
    stack.up()
    outs = stack.outputs()
    lid = outs["listener_id"]
    assert listener(emulator, lid)["compute_config"]["k8s_namespaces"] == ["agents", "batch"]
    dep = api(emulator, "GET", f"/v2/deployments/{outs['deployment_id']}")
    assert dep["source_config"]["listener_id"] == lid

    # A namespace more is a PATCH of the same listener, nothing replaced.
    s["namespaces"] = ["agents", "batch", "eval"]
    seq = last_seq(emulator)
    stack.up()
    assert writes(emulator, seq) == [("PATCH", ONE_LISTENER)]
    assert stack.outputs()["listener_id"] == lid
    assert listener(emulator, lid)["compute_config"]["k8s_namespaces"] == ["agents", "batch", "eval"]

    # Drift: someone drops a namespace; refresh sees it and `up` puts it back.
    api(emulator, "PATCH", f"/v2/listeners/{lid}", json={"compute_config": {"k8s_namespaces": ["agents"]}})
    stack.refresh()
    assert stack.resources("langsmith:Listener")[0]["outputs"]["k8s_namespaces"] == ["agents"]
    stack.up()
    assert listener(emulator, lid)["compute_config"]["k8s_namespaces"] == ["agents", "batch", "eval"]
    stack.preview(expect_no_changes=True)

    stack.destroy()
    ids = [item["id"] for item in api(emulator, "GET", LISTENERS, params={"limit": 100})["resources"]]
    assert lid not in ids


def test_changing_compute_id_replaces_the_listener(tmp_path: Path, emulator: Any) -> None:
    s: dict[str, Any] = {}
    stack = E2EStack(tmp_path, emulator, listener_program(s))
    stack.up()
    old = stack.outputs()["listener_id"]
    s["compute_id"] = "other-cluster"
    stack.up()
    new = stack.outputs()["listener_id"]
    assert new != old and listener(emulator, new)["compute_id"] == "other-cluster"
    ids = [item["id"] for item in api(emulator, "GET", LISTENERS, params={"limit": 100})["resources"]]
    assert old not in ids


def test_existing_compute_id_needs_adopt(tmp_path: Path, emulator: Any) -> None:
    body = {"compute_type": "k8s", "compute_id": "shared-cluster", "compute_config": {"k8s_namespaces": ["x"]}}
    foreign = api(emulator, "POST", LISTENERS, json=body)
    s: dict[str, Any] = {"compute_id": "shared-cluster"}
    stack = E2EStack(tmp_path, emulator, listener_program(s))
    seq = last_seq(emulator)
    with pytest.raises(auto.CommandError) as err:
        stack.up()
    assert "adopt=True" in str(err.value) and foreign["id"] in str(err.value)
    assert writes(emulator, seq) == []

    s["adopt"] = True
    stack.up()
    assert stack.outputs()["listener_id"] == foreign["id"]
    assert listener(emulator, foreign["id"])["compute_config"]["k8s_namespaces"] == ["agents", "batch"]


def test_bad_listener_input_is_refused_at_preview(tmp_path: Path, emulator: Any) -> None:
    s: dict[str, Any] = {"compute_id": "has space", "namespaces": ["Agents"]}
    stack = E2EStack(tmp_path, emulator, listener_program(s))
    seq = last_seq(emulator)
    with pytest.raises(auto.CommandError) as err:
        stack.preview()
    message = str(err.value)
    assert "compute_id" in message and "k8s_namespaces" in message
    assert writes(emulator, seq) == []
