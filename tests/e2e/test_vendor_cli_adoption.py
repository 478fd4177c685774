"""A deployment made with the vendor's CLI (`langgraph deploy --image-uri`) is adopted by this provider,
and the two keep working side by side (issue 12, section 5): after our `pulumi up` the vendor CLI still
lists and updates it, and our `pulumi refresh` sees what the CLI changed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pulumi_langsmith import Deployment, DeploymentArgs, SourceConfigArgs, SourceRevisionConfigArgs
from pulumi_langsmith.deployment.model import OWNERSHIP_ENV

from ..support.vendor_cli import VendorCli, digest_image, make_project
from .harness import E2EStack, last_seq, live_deployments
from .lifecycle_support import (
    ALL,
    FAST_WAIT,
    assert_secrets_sealed,
    count,
    deployment,
    env_of,
    export_deployment,
    revisions,
    writes,
)

pytestmark = pytest.mark.e2e

NAME = "vendor-made"
REPO = "registry.example.com/agents/vendor-made"
IMAGE_A = digest_image(REPO, "a")
IMAGE_B = digest_image(REPO, "b")
SECRET = "sk-adopted-by-pulumi-51c0d2"
# What the local control plane fills in for the CLI's `resource_spec: {}` (deploy.py
# `_OPERATOR_DEFAULT_RESOURCE_SPEC`), declared in full so a strict server gets a resource_spec too.
SPEC = {"min_scale": 1, "max_scale": 1, "cpu": 1, "memory_mb": 2048}


def program(settings: dict[str, Any]) -> Callable[[], None]:
    def run() -> None:
        d = Deployment(
            "agent",
            DeploymentArgs(
                source="external_docker",
                name=NAME,
                source_config=SourceConfigArgs(resource_spec=SPEC),
                source_revision_config=SourceRevisionConfigArgs(image_uri=settings["image_uri"]),
                secrets={"FEATURE_FLAGS": SECRET},
                adopt=True,
                wait=FAST_WAIT,
            ),
        )
        export_deployment("d", d)

    return run


def test_vendor_cli_deployment_is_adopted_and_stays_usable_from_the_cli(tmp_path: Path, emulator: Any) -> None:
    cli = VendorCli(emulator.url, make_project(tmp_path / "langgraph-project"))

    # 1. The vendor CLI creates the deployment (external_docker, no build, no listener on a local plane).
    created = cli.ok("deploy", "--image-uri", IMAGE_A, "--name", NAME, "--no-input", "--json")
    [result] = [e for e in map(json.loads, created.splitlines()) if e.get("event") == "result"]
    assert result["status"] == "succeeded", created
    dep_id = result["deployment_id"]
    made = deployment(emulator, dep_id)
    assert made["source"] == "external_docker" and made["source_revision_config"]["image_uri"] == IMAGE_A
    assert OWNERSHIP_ENV not in env_of(made)

    # 2. Our stack adopts it: no second deployment, one revision carrying the declared env and our ownership tag.
    settings = {"image_uri": IMAGE_A}
    s = E2EStack(tmp_path, emulator, program(settings))
    seq = last_seq(emulator)
    s.up()
    assert count(writes(emulator, seq), "POST", ALL) == 0
    out = s.outputs()
    assert out["d_id"] == dep_id and out["d_name"] == NAME and out["d_status"] == "DEPLOYED"
    adopted = deployment(emulator, dep_id)
    assert adopted["source_revision_config"]["image_uri"] == IMAGE_A
    assert env_of(adopted)["FEATURE_FLAGS"] == SECRET and OWNERSHIP_ENV in env_of(adopted)
    assert len(revisions(emulator, dep_id)) == 2
    assert [d["id"] for d in live_deployments(emulator)] == [dep_id]
    s.preview(expect_no_changes=True)

    # 3. The vendor CLI still lists it, and updates it with another digest (one PATCH).
    assert json.loads(cli.ok("deploy", "list", "--json")) == [{"id": dep_id, "name": NAME}]
    seq = last_seq(emulator)
    updated = cli.ok("deploy", "--image-uri", IMAGE_B, "--name", NAME, "--no-input")
    assert f"Found existing deployment (ID: {dep_id})" in updated and "Deployment successful!" in updated, updated
    assert writes(emulator, seq) == [("PATCH", "/v2/deployments/{id}")]
    server = deployment(emulator, dep_id)
    assert server["source_revision_config"]["image_uri"] == IMAGE_B
    # The CLI sends `secrets: []` when the project has no .env: the env and our ownership tag stay.
    assert env_of(server)["FEATURE_FLAGS"] == SECRET and OWNERSHIP_ENV in env_of(server)
    listed = cli.ok("deploy", "revisions", "list", dep_id)
    assert [line.split()[1] for line in listed.splitlines()[2:]] == ["DEPLOYED", "REPLACED", "REPLACED"]

    # 4. Our refresh sees the CLI's change as drift; the next up puts the declared image back.
    start = len(s.log)
    refreshed = s.refresh(diff=True)
    text = re.sub(r"[ ]+:", ":", "\n".join(s.log[start:]))
    assert {k: v for k, v in (refreshed.summary.resource_changes or {}).items() if k != "same"} == {"update": 1}
    assert f'image_uri: "{IMAGE_A}" => "{IMAGE_B}"' in text, text
    seq = last_seq(emulator)
    s.up()
    assert count(writes(emulator, seq), "POST", ALL) == 0
    restored = deployment(emulator, dep_id)
    assert restored["source_revision_config"]["image_uri"] == IMAGE_A
    rows = [line.split()[:2] for line in cli.ok("deploy", "revisions", "list", dep_id).splitlines()[2:]]
    assert rows == [[restored["latest_revision_id"], "DEPLOYED"]] + [
        [r["id"], "REPLACED"] for r in revisions(emulator, dep_id)[1:]
    ]
    assert_secrets_sealed(s, [SECRET])

    # Adopted means managed: destroy deletes it, and the vendor CLI sees it gone.
    s.destroy()
    assert live_deployments(emulator) == []
    assert "No deployments found." in cli.ok("deploy", "list")
