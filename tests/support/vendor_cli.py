"""Run the vendor's own `langgraph` CLI (langgraph-cli, a dev dependency) against a local control plane.

How the CLI is pointed at it, from langgraph-cli 0.4.40 (`deploy.py`, `host_backend.py`):
- `LANGGRAPH_HOST_URL` is the control plane URL (`OPT_HOST_URL`, envvar of the hidden `--host-url`);
  for `127.0.0.1` the dashboard URL is the same URL (`ControlPlaneEndpoints.from_control_plane_url`).
- `LANGSMITH_API_KEY` and `LANGSMITH_TENANT_ID` (`_create_host_backend_client`) become `X-Api-Key` and
  `X-Tenant-ID`, so no workspace prompt (`_call_host_backend_with_optional_tenant`).
- `--no-input` on `deploy` never prompts for a name or writes `.env`; `--force` on `deploy delete`.
- `LANGGRAPH_CLI_NO_ANALYTICS=1` stops the analytics POST to a public endpoint (`analytics.log_command`).
stdin is closed, so a prompt that slipped through fails instead of hanging.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from langsmith_emulator.testing import API_KEY, TENANT_ID

LANGGRAPH = Path(sys.executable).with_name("langgraph")
#: The smallest project `langgraph deploy` accepts (`validate_config_file`); `--image-uri` builds nothing.
LANGGRAPH_JSON = {"dependencies": ["."], "graphs": {"agent": "./agent.py:graph"}}


def digest_image(repository: str, fill: str) -> str:
    """A digest-pinned image reference; `--image-uri` refuses anything else (`_validate_image_uri`)."""
    return f"{repository}@sha256:{fill * (64 // len(fill))}"


def make_project(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "langgraph.json").write_text(json.dumps(LANGGRAPH_JSON))
    (directory / "agent.py").write_text("graph = None\n")
    return directory


def run_cli(
    url: str,
    cwd: Path,
    *args: str,
    tenant_id: str | None = TENANT_ID,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`env` is added last; a value of "" removes that variable (e.g. `LANGGRAPH_HOST_URL`)."""
    full = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
        "LANGGRAPH_HOST_URL": url,
        "LANGSMITH_API_KEY": API_KEY,
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        **({"LANGSMITH_TENANT_ID": tenant_id} if tenant_id else {}),
        **(env or {}),
    }
    return subprocess.run(
        [str(LANGGRAPH), *args],
        cwd=cwd,
        env={k: v for k, v in full.items() if v},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """stdout of a run that must have succeeded (the whole output is the failure message)."""
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


class VendorCli:
    """The CLI bound to one control plane, workspace and project directory."""

    def __init__(self, url: str, cwd: Path, tenant_id: str = TENANT_ID) -> None:
        self.url, self.cwd, self.tenant_id = url, cwd, tenant_id

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(self.url, self.cwd, *args, tenant_id=self.tenant_id)

    def ok(self, *args: str) -> str:
        return ok(self.run(*args))


def json_events(stdout: str) -> list[dict[str, Any]]:
    """`langgraph deploy --json` writes one JSON object per line (`_Emitter._write`)."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
