"""The official docs' example script runs unchanged against the emulator."""

import os
import re
import subprocess
import sys
from pathlib import Path

from emulator.testing import API_KEY, GITHUB_INTEGRATION_ID, TENANT_ID

SCRIPT = Path(__file__).resolve().parents[1] / "fixtures" / "vendor_example.py"

# The script sleeps 60 s between polls; shorten every sleep, change nothing else.
RUNNER = """
import runpy, sys, time
_sleep = time.sleep
time.sleep = lambda seconds: _sleep(min(seconds, 0.05))
runpy.run_path(sys.argv[1], run_name="__main__")
"""


def test_vendor_example_script_runs_unchanged(emulator):
    env = {
        **os.environ,
        "CONTROL_PLANE_HOST": emulator.url,
        "LANGSMITH_API_KEY": API_KEY,
        "WORKSPACE_ID": TENANT_ID,
        "INTEGRATION_ID": GITHUB_INTEGRATION_ID,
    }
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, str(SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=SCRIPT.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    created = re.search(r"^Created deployment my_deployment \(([0-9a-f-]{36})\)$", out, re.MULTILINE)
    assert created, out
    deployment_id = created.group(1)
    assert f"Patched deployment ID {deployment_id}" in out
    assert f"Deployment ID {deployment_id} deleted" in out
    assert "Waiting for revision ID" in out  # it really polled through the lifecycle
    routes = [(e["method"], e["route"], e["status"]) for e in emulator.requests()]
    assert ("PATCH", "/v2/deployments/{id}", 200) in routes
    assert routes[-1] == ("DELETE", "/v2/deployments/{id}", 204)
    assert all(status < 400 for _, _, status in routes)
