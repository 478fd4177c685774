"""Removals are real (issue 27 defect 8, issue 30 "removal semantics"), through a Python program on the
dynamic provider and the real CLI: taking `env`, `secrets` and `secret_references` out of the program
takes them off the server in one revision, keeps an env var the program never declared (set in the
UI), and the next preview is empty. What a removal does is the field table's (`Field.removal`); the
YAML program on the plugin does the same in tests/e2e/test_property_walk.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pulumi_langsmith import Deployment
from pulumi_langsmith.core.schema import Removal
from pulumi_langsmith.deployment import fields
from pulumi_langsmith.deployment.model import OWNERSHIP_ENV

from .harness import E2EStack, api, last_seq
from .lifecycle_support import ONE, count, deployment, docker_args, env_of, export_deployment, revisions, writes

pytestmark = pytest.mark.e2e

SECRET = "sk-removal-7d41c9"
REFS = [{"name": "DB_URL", "secret_name": "db", "secret_key": "url"}]
REMOVED = ("env", "secrets", "secret_references")


def program(settings: dict[str, Any]) -> Callable[[], None]:
    def run() -> None:
        args = dataclasses.replace(
            docker_args(settings), env=settings.get("env"), secret_references=settings.get("secret_references")
        )
        export_deployment("d", Deployment("agent", args))

    return run


def test_removing_env_secrets_and_secret_references_clears_them_in_one_revision(tmp_path: Path, emulator: Any) -> None:
    assert all(fields.BY_PATH[p].removal is Removal.CLEARS for p in REMOVED)  # what the table promises
    settings: dict[str, Any] = {"env": {"MODE": "a"}, "secrets": {"API_TOKEN": SECRET}, "secret_references": REFS}
    s = E2EStack(tmp_path, emulator, program(settings))
    s.up()
    dep_id = s.outputs()["d_id"]
    held = deployment(emulator, dep_id)
    assert {"MODE", "API_TOKEN"} <= set(env_of(held)) and held["secret_references"] == REFS

    # Someone sets an env var in the UI: the program never declared it, so no removal may touch it
    # (no refresh here: refresh would report it as drift of the declared env, for `up` to undo).
    env = [*held["secrets"], {"name": "FROM_UI", "value": "kept"}]
    api(emulator, "PATCH", f"/v2/deployments/{dep_id}", json={"secrets": env})
    before = len(revisions(emulator, dep_id))

    for key in REMOVED:
        settings.pop(key)
    seq = last_seq(emulator)
    s.up()
    assert count(writes(emulator, seq), "PATCH", ONE) == 1, writes(emulator, seq)
    assert len(revisions(emulator, dep_id)) == before + 1, "one revision for the three removals"
    held = deployment(emulator, dep_id)
    assert set(env_of(held)) == {"FROM_UI", OWNERSHIP_ENV}, env_of(held)
    assert env_of(held)["FROM_UI"] == "kept"
    assert not held.get("secret_references"), held.get("secret_references")

    seq = last_seq(emulator)
    s.preview(expect_no_changes=True)
    assert writes(emulator, seq) == []
    assert SECRET not in s.output()
