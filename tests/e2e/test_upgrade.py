"""Upgrade safety: state written by this version keeps working (issue 11 §6).

The local control plane assigns deployment ids itself, so the checked-in export
(`tests/fixtures/upgrade/stack-export-0.1.json`) cannot be imported against it as is. Instead the test
writes the same stack with the current code (`up`), checks that its shape (resource types, the pickled
provider class paths, input/output keys, which outputs are secret) is the checked-in one, then imports
that export into a fresh backend against the same control plane: `preview` and `refresh` show no
changes and `up` makes no write. `tests/test_upgrade_paths.py` unpickles the checked-in providers.
Regenerate the fixture (on purpose only) with `UPDATE_UPGRADE_FIXTURE=1`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pulumi_langsmith import Deployment, Listener

from ..support.stack_shape import FIXTURE, shape
from .harness import VENV, E2EStack, last_seq
from .lifecycle_support import docker_args, writes

pytestmark = pytest.mark.e2e

SECRET = "pw-upgrade-3c9e51"


def program() -> None:
    Listener("cluster", compute_id="upgrade-eu-1", k8s_namespaces=["agents"])
    Deployment(
        "agent",  # autonamed
        docker_args({"secrets": {"DB_PASSWORD": SECRET}, "resource_spec": {"min_scale": 1, "cpu": 0.5}}),
    )


def pulumi(stack: E2EStack, *args: str) -> None:
    subprocess.run(
        [str(VENV / "bin" / "pulumi"), *args, "--stack", stack.stack.name, "--non-interactive"],
        cwd=stack.work_dir,
        env={**os.environ, **stack.env},
        check=True,
        capture_output=True,
        timeout=300,
    )


def test_an_export_of_this_version_imports_into_a_fresh_backend_with_no_changes(tmp_path: Path, emulator: Any) -> None:
    first = E2EStack(tmp_path / "first", emulator, program)
    first.up()
    exported = first.export()  # as stored: secrets are ciphertext
    assert SECRET not in json.dumps(exported)
    readable = dict(first.stack.export_stack().deployment)  # --show-secrets: the pickled providers readable
    if os.environ.get("UPDATE_UPGRADE_FIXTURE"):
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": 3, "deployment": readable}, indent=2, sort_keys=True) + "\n"
        FIXTURE.write_text(text.replace(emulator.url, "http://127.0.0.1:8124"))  # the run's port: not shape
    assert shape(readable) == shape(json.loads(FIXTURE.read_text())["deployment"])

    fresh = E2EStack(tmp_path / "fresh", emulator, program)
    # Same passphrase and salt, so the export's ciphertext decrypts in the new backend.
    config = f"Pulumi.{first.stack.name}.yaml"
    shutil.copy(first.work_dir / config, fresh.work_dir / config)
    export_file = tmp_path / "export.json"
    export_file.write_text(json.dumps({"version": 3, "deployment": exported}))
    pulumi(fresh, "stack", "import", "--file", str(export_file))

    since = last_seq(emulator)
    preview = fresh.preview()
    assert set(preview.change_summary) == {"same"}, preview.change_summary
    refresh = fresh.refresh()
    assert set(refresh.summary.resource_changes or {}) == {"same"}, refresh.summary.resource_changes
    up = fresh.up()
    assert set(up.summary.resource_changes or {}) == {"same"}, up.summary.resource_changes
    assert writes(emulator, since) == []
