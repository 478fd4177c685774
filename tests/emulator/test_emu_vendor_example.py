"""The official docs' example script against the emulator: refused for its name, fine with a valid one."""

import os
import re
import subprocess
import sys
from pathlib import Path

from emulator.testing import API_KEY, GITHUB_INTEGRATION_ID, TENANT_ID

SCRIPT = Path(__file__).resolve().parents[1] / "fixtures" / "vendor_example.py"

# The script sleeps 60 s between polls; shorten every sleep. `argv[2]`, if given, replaces the
# deployment name; nothing else changes.
RUNNER = """
import sys, time
_sleep = time.sleep
time.sleep = lambda seconds: _sleep(min(seconds, 0.05))
source = open(sys.argv[1]).read()
if len(sys.argv) > 2:
    source = source.replace('deployment_name = "my_deployment"', f'deployment_name = "{sys.argv[2]}"')
exec(compile(source, sys.argv[1], "exec"), {"__name__": "__main__"})
"""


def _run(emulator, *name):
    env = {
        **os.environ,
        "CONTROL_PLANE_HOST": emulator.url,
        "LANGSMITH_API_KEY": API_KEY,
        "WORKSPACE_ID": TENANT_ID,
        "INTEGRATION_ID": GITHUB_INTEGRATION_ID,
    }
    return subprocess.run(
        [sys.executable, "-c", RUNNER, str(SCRIPT), *name],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=SCRIPT.parent,
    )


def test_vendor_example_name_is_refused_as_the_real_service_would(emulator):
    """Its `my_deployment` breaks the name rules of the vendor CLI and of a live experiment."""
    result = _run(emulator)
    assert result.returncode != 0
    assert "Failed to create deployment" in result.stderr and "Invalid deployment name" in result.stderr
    assert [(e["method"], e["route"], e["status"]) for e in emulator.requests()] == [("POST", "/v2/deployments", 400)]


def test_vendor_example_script_runs_with_a_valid_name(emulator):
    result = _run(emulator, "my-deployment")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    created = re.search(r"^Created deployment my-deployment \(([0-9a-f-]{36})\)$", out, re.MULTILINE)
    assert created, out
    deployment_id = created.group(1)
    assert f"Patched deployment ID {deployment_id}" in out
    assert f"Deployment ID {deployment_id} deleted" in out
    assert "Waiting for revision ID" in out  # it really polled through the lifecycle
    routes = [(e["method"], e["route"], e["status"]) for e in emulator.requests()]
    assert ("PATCH", "/v2/deployments/{id}", 200) in routes
    assert routes[-1] == ("DELETE", "/v2/deployments/{id}", 204)
    assert all(status < 400 for _, _, status in routes)
