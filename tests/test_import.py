"""`pulumi import` of a Deployment (the plugin's `read` of a bare id): for every source, inputs that
declare what the server holds, and an empty diff once the program declares them. For internal_source
that is the hash the server's env carries plus the program's own `source_dir` (defect 7 of issue 27:
the import failed, `source_hash`/`source_dir` being required). The CLI runs are in
tests/e2e/test_plugin_programs.py."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_langsmith.deployment.provider import DeploymentError, DeploymentProvider
from pulumi_langsmith.source_archive import SOURCE_HASH_ENV

from .support.typed import change_set

CODE = "ab" * 32
OTHER = "cd" * 32


class Server:
    """The two reads an import makes."""

    def __init__(self, deployment: dict[str, Any]) -> None:
        self.deployment = deployment

    def get_deployment(self, _id: str) -> dict[str, Any]:
        return self.deployment

    def get_revision(self, _id: str, _rev: str) -> dict[str, Any]:
        return {"status": "DEPLOYED"}


def imported(deployment: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    provider = DeploymentProvider()
    provider.config_error = None
    provider.client = lambda: Server(deployment)  # type: ignore[method-assign,assignment,return-value]
    result = provider.imported("d")
    return dict(result.outs or {}), dict(result.inputs or {})


def source_deployment(env: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "id": "d",
        "name": "local-agent",
        "source": "internal_source",
        "source_config": {"deployment_type": "dev", "resource_spec": None},
        "source_revision_config": {"langgraph_config_path": "langgraph.json", "source_tarball_path": "t/x.tgz"},
        "secrets": env,
        "latest_revision_id": "r",
        "active_revision_id": "r",
    }


def program(code: str) -> dict[str, Any]:
    """What the program's check makes of `sourceDir` (the archive's hash and counts)."""
    return {
        "name": "local-agent",
        "source": "internal_source",
        "source_config": {"deployment_type": "dev"},
        "source_revision_config": {"langgraph_config_path": "langgraph.json"},
        "source_dir": "/srv/agent",
        "source_hash": code,
        "source_file_count": 4,
        "source_archive_bytes": 810,
        "owner": "0123456789abcdef",
    }


def test_an_internal_source_deployment_imports_with_the_hash_its_revision_carries() -> None:
    outs, inputs = imported(source_deployment([{"name": SOURCE_HASH_ENV, "value": CODE}, {"name": "K", "value": "v"}]))
    assert inputs["source_hash"] == outs["source_hash"] == CODE
    assert "source_dir" not in inputs and inputs["secrets"] == {"K": "v"}
    # The directory whose files hash to it is no change; other files are a rollout (and state notes the
    # directory with it).
    declared = {**program(CODE), "secrets": {"K": "v"}}
    assert not change_set(outs, declared).changes
    moved = change_set(outs, {**declared, "source_hash": OTHER})
    assert moved.revision == ("source_hash",)
    assert moved.local == ("source_dir", "source_file_count", "source_archive_bytes")
    # Once state holds a directory, moving the checkout is a state-only change again.
    assert change_set(declared, {**declared, "source_dir": "/elsewhere"}).local == ("source_dir",)


@pytest.mark.parametrize(
    "env",
    [
        [],  # made by `langgraph deploy`: no hash
        [{"name": SOURCE_HASH_ENV, "value": "not a hash"}],
        [{"name": SOURCE_HASH_ENV, "value": "****"}],  # masked
    ],
)
def test_without_a_hash_the_provider_wrote_the_first_up_rolls_the_program_out_once(env: list[dict[str, str]]) -> None:
    outs, inputs = imported(source_deployment(env))
    assert "source_hash" not in inputs and outs.get("source_hash") is None
    assert change_set(outs, program(CODE)).revision == ("source_hash",)


def test_import_declares_only_the_resource_spec_a_program_can_declare() -> None:
    server = {
        "id": "d",
        "name": "made-outside",
        "source": "external_docker",
        "source_config": {
            "resource_spec": {
                "min_scale": 1,
                "db_cpu": 0.5,
                "volumes": None,
                "init_containers": [{"name": "init", "image": "busybox:1", "imagePullPolicy": None, "ports": [1]}],
                "a_newer_field": 3,  # a key a newer server adds is left to the server
            }
        },
        "source_revision_config": {"image_uri": "registry.example.com/a:1"},
        "secrets": [],
        "latest_revision_id": "r",
        "active_revision_id": "r",
    }
    outs, inputs = imported(server)
    assert inputs["source_config"]["resource_spec"] == {
        "min_scale": 1,
        "init_containers": [{"name": "init", "image": "busybox:1"}],
        "db_cpu": 0.5,
    }
    assert not change_set(outs, {**inputs, "owner": "0123456789abcdef"}).changes
    server["source_config"]["resource_spec"] = {"a_newer_field": 3}
    assert "resource_spec" not in imported(server)[1]["source_config"]


def test_what_no_program_can_declare_fails_the_import_naming_it() -> None:
    server = {**source_deployment([]), "source_config": {"deployment_type": "serverless"}}
    with pytest.raises(DeploymentError, match=r"^import: deployment d holds .*source_config\.deployment_type"):
        imported(server)
