"""Run the emulator as a real subprocess from tests, and drive its test-control API.

This module is a stable interface for every test suite that needs a control plane (ours and
other teams' CI). Typical use::

    from langsmith_emulator.testing import API_KEY, TENANT_ID, running_emulator

    with running_emulator(build_seconds=0.2) as emu:
        requests.get(f"{emu.url}/v2/deployments", headers=emu.headers())
        emu.add_fault(method="POST", path="^/v2/deployments$", kind="503", count=1)

A subprocess (not an in-process app) is used on purpose: connection drops, restarts and
persistence behave exactly as they will for the code under test.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import requests as _requests

from .seeds import FORGE_INTEGRATION_ID, GITHUB_INTEGRATION_ID, LISTENER_ID, SECOND_GITHUB_INTEGRATION_ID

__all__ = [
    "API_ENV",
    "API_KEY",
    "FORGE_INTEGRATION_ID",
    "GITHUB_INTEGRATION_ID",
    "GITHUB_REPO_URL",
    "LISTENER_ID",
    "OTHER_TENANT_ID",
    "SECOND_GITHUB_INTEGRATION_ID",
    "TENANT_ID",
    "Emulator",
    "EmulatorProcess",
    "RequestStats",
    "default_api",
    "free_port",
    "request_stats",
    "running_emulator",
]

#: Workspace used by tests; any UUID works, this one is simply fixed.
TENANT_ID = "7e57e57e-0000-4000-8000-000000000001"
#: A second workspace, for tenancy-isolation tests.
OTHER_TENANT_ID = "7e57e57e-0000-4000-8000-000000000002"
API_KEY = "test-api-key"
GITHUB_REPO_URL = "https://github.com/langchain-ai/langgraph-example"

#: Environment variable giving `running_emulator` its default API shape (`current` or `spec`), so a
#: whole suite can be re-run against the older, spec-only server without editing a test.
API_ENV = "LANGSMITH_EMULATOR_API"
STARTUP_TIMEOUT = 15.0


def default_api() -> str:
    """The API shape from `LANGSMITH_EMULATOR_API` (default `current`); anything else is an error."""
    value = os.environ.get(API_ENV, "").strip() or "current"
    if value not in ("current", "spec"):
        raise ValueError(f"{API_ENV} must be 'current' or 'spec', not {value!r}")
    return value


@dataclass(frozen=True)
class RequestStats:
    """What a benchmark reports about a slice of the request log."""

    #: Public requests, rate-limited ones included.
    total: int
    #: The most requests that arrived within any one second (a sliding window, not clock seconds).
    peak_per_second: int
    #: `"GET /v2/deployments/{id}"` -> count, most frequent first.
    by_route: dict[str, int]
    #: Requests the rate limit answered with 429 (`fault == "rate_limit"`).
    rate_limited: int


def _arrival(entry: Mapping[str, Any]) -> float:
    return datetime.fromisoformat(str(entry["time"]).replace("Z", "+00:00")).timestamp()


def request_stats(entries: Iterable[Mapping[str, Any]]) -> RequestStats:
    """Summarise request-log entries (`EmulatorProcess.requests()`): totals, peak rate, routes."""
    log = list(entries)
    times = sorted(_arrival(entry) for entry in log)
    peak, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    routes = Counter(f"{entry['method']} {entry['route']}" for entry in log)
    return RequestStats(
        total=len(log),
        peak_per_second=peak,
        by_route=dict(routes.most_common()),
        rate_limited=sum(1 for entry in log if entry.get("fault") == "rate_limit"),
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmulatorProcess:
    """One emulator subprocess on a fixed port and database, restartable with `stop()`/`start()`."""

    def __init__(
        self,
        *,
        build_seconds: float = 0.3,
        deploy_seconds: float = 0.3,
        delete_seconds: float = 0.2,
        fault_rate: float = 0.0,
        seed: int = 0,
        api_keys: Sequence[str] = (),
        db: str | os.PathLike[str] | None = None,
        port: int | None = None,
        api: str | None = None,
        rate_limit: float | None = None,
        rate_burst: int | None = None,
        run_agents: bool = False,
        extra_args: Sequence[str] = (),
    ) -> None:
        # Holds the process output and, unless `db` is given, the database.
        self._tmpdir: str | None = tempfile.mkdtemp(prefix="emulator-")
        self.db = str(db) if db is not None else os.path.join(self._tmpdir, "control-plane.sqlite3")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(self._tmpdir) / "emulator.log"
        self.api = api or default_api()
        self._args = [
            "--host=127.0.0.1",
            f"--port={self.port}",
            f"--db={self.db}",
            f"--build-seconds={build_seconds}",
            f"--deploy-seconds={deploy_seconds}",
            f"--delete-seconds={delete_seconds}",
            f"--fault-rate={fault_rate}",
            f"--seed={seed}",
            f"--api={self.api}",
            *(f"--api-key={key}" for key in api_keys),
            *([f"--rate-limit={rate_limit}"] if rate_limit else []),
            *([f"--rate-burst={rate_burst}"] if rate_burst is not None else []),
            *(["--run-agents"] if run_agents else []),
            *extra_args,
        ]
        self._process: subprocess.Popen[bytes] | None = None

    # --- process control ---------------------------------------------------------------------

    def start(self) -> None:
        """Start (or restart, on the same port and database) and wait for `GET /ok`."""
        if self._process is not None and self._process.poll() is None:
            return
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                # The installed package (editable or not), as a user runs it: no source path added.
                [sys.executable, "-m", "langsmith_emulator", *self._args],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"emulator exited with {self._process.returncode}:\n{self.output()}")
            try:
                if _requests.get(f"{self.url}/ok", timeout=1).ok:
                    return
            except (_requests.ConnectionError, _requests.Timeout):  # not listening yet, or a loaded machine
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"emulator did not answer /ok within {STARTUP_TIMEOUT}s:\n{self.output()}")

    def stop(self) -> None:
        """Terminate the process gracefully (SIGTERM), killing it if it does not exit in time."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def close(self) -> None:
        self.stop()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def output(self) -> str:
        """What the process printed (it should print nothing but warnings)."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def __enter__(self) -> EmulatorProcess:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- public API conveniences -------------------------------------------------------------

    @staticmethod
    def headers(tenant_id: str | None = TENANT_ID, api_key: str | None = API_KEY) -> dict[str, str]:
        """Auth headers for the public API (pass None to leave one out)."""
        result: dict[str, str] = {}
        if api_key is not None:
            result["X-Api-Key"] = api_key
        if tenant_id is not None:
            result["X-Tenant-Id"] = tenant_id
        return result

    # --- test-control API --------------------------------------------------------------------

    def _control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = _requests.request(method, f"{self.url}/_emulator{path}", timeout=10, **kwargs)
        response.raise_for_status()
        return None if response.status_code == 204 else response.json()

    def reset(self) -> None:
        """Wipe all state, rules and the request log; settings back to the start values."""
        self._control("POST", "/reset")

    def settings(self, **changes: Any) -> dict[str, Any]:
        """Return the settings, after applying `changes` (build_seconds, fault_rate, seed, ...)."""
        if changes:
            return dict(self._control("PATCH", "/settings", json=changes))
        return dict(self._control("GET", "/settings"))

    def requests(self, since: int | None = None) -> list[dict[str, Any]]:
        """The public API request log, optionally only entries with `seq > since`."""
        params = {} if since is None else {"since": since}
        return list(self._control("GET", "/requests", params=params))

    def request_stats(self, since: int | None = None) -> RequestStats:
        """Totals of the request log (optionally only `seq > since`): see `request_stats`."""
        return request_stats(self.requests(since))

    def clear_requests(self) -> None:
        self._control("DELETE", "/requests")

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """Add a fault rule: kind, method, path (regex), count, probability, retry_after, latency_ms."""
        return dict(self._control("POST", "/faults", json=rule))

    def faults(self) -> list[dict[str, Any]]:
        return list(self._control("GET", "/faults"))

    def clear_faults(self) -> None:
        self._control("DELETE", "/faults")

    def add_outcome(self, **script: Any) -> dict[str, Any]:
        """Script revision outcomes: outcome, deployment_name, repo_ref, image_uri, count, echo_env."""
        return dict(self._control("POST", "/outcomes", json=script))

    def outcomes(self) -> list[dict[str, Any]]:
        return list(self._control("GET", "/outcomes"))

    def clear_outcomes(self) -> None:
        self._control("DELETE", "/outcomes")

    def agents(self) -> list[dict[str, Any]]:
        """The Agent Servers of `--run-agents`: `deployment_id`, `url`, `revision_id`, `running`, `pid`."""
        return list(self._control("GET", "/agents"))


#: The object `running_emulator` yields.
Emulator = EmulatorProcess


@contextmanager
def running_emulator(
    *,
    build_seconds: float = 0.3,
    deploy_seconds: float = 0.3,
    delete_seconds: float = 0.2,
    fault_rate: float = 0.0,
    seed: int = 0,
    api_keys: Sequence[str] = (),
    db: str | os.PathLike[str] | None = None,
    api: str | None = None,
    rate_limit: float | None = None,
    rate_burst: int | None = None,
    run_agents: bool = False,
    extra_args: Sequence[str] = (),
) -> Iterator[Emulator]:
    """Start an emulator subprocess on a free port (temp database by default); stop it on exit.

    `api` is `current` or `spec`; without it, `LANGSMITH_EMULATOR_API` decides (default `current`).
    `rate_limit` (requests per second per API key) and `rate_burst` start it with a rate limit.
    """
    emulator = EmulatorProcess(
        build_seconds=build_seconds,
        deploy_seconds=deploy_seconds,
        delete_seconds=delete_seconds,
        fault_rate=fault_rate,
        seed=seed,
        api_keys=api_keys,
        db=db,
        api=api,
        rate_limit=rate_limit,
        rate_burst=rate_burst,
        run_agents=run_agents,
        extra_args=extra_args,
    )
    try:
        emulator.start()
        yield emulator
    finally:
        emulator.close()
