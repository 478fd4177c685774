"""One Agent Server process (in-memory runtime) for one built revision.

It is started the way `langgraph dev` starts it (`langgraph_api.cli.run_server`, via `_launch.py` in the
revision's own virtualenv), without reload, browser, tunnel, PyPI version check or tracing, so it needs
no network and no license. Each server runs in its own process group, is killed with its group, and
exits by itself if the emulator dies (`_launch.py` watches its parent). An `atexit` hook stops any
server still running when the emulator exits normally.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from .build import BuildResult, host_env
from .logs import LogLine, LogRecorder, LogSink, kill_group, pump

LAUNCH_SCRIPT = Path(__file__).resolve().parent / "_launch.py"
#: Set for every server, whatever the deployment says: they keep it offline and its logs plain text.
FORCED_ENV = {
    "LANGGRAPH_NO_VERSION_CHECK": "true",  # run_server otherwise asks PyPI for newer versions
    "LOG_COLOR": "false",
}
#: Defaults a deployment may override (a user who sets a LangSmith key and tracing gets tracing).
DEFAULT_ENV = {
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
}


class ServerStartError(RuntimeError):
    """The server exited or did not answer `/ok` in time; `logs` holds its output."""

    def __init__(self, message: str, logs: list[LogLine]) -> None:
        super().__init__(message)
        self.logs = logs


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


_LIVE: set[AgentServer] = set()
_LIVE_LOCK = threading.Lock()


def stop_all_servers() -> None:
    """Stops every server this process started (the `atexit` hook, also usable from tests)."""
    with _LIVE_LOCK:
        servers = list(_LIVE)
    for server in servers:
        server.stop(grace=2.0)


atexit.register(stop_all_servers)


def server_env(build: BuildResult, env: Mapping[str, str] | None) -> dict[str, str]:
    """langgraph.json `env` < defaults < the deployment's env vars and secrets < forced settings."""
    merged = {**build.project.env, **DEFAULT_ENV, **(env or {}), **FORCED_ENV}
    child = host_env(merged)
    child["PYTHONPATH"] = os.pathsep.join(build.project.pythonpath())
    return child


def group_rss_bytes(pgid: int) -> int:
    """Resident memory of every process in group `pgid` (Linux `/proc`; 0 elsewhere)."""
    total = 0
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            continue
    return total


class AgentServer:
    """A running (or stopped) Agent Server; `start()` returns only once `GET /ok` answers."""

    def __init__(
        self,
        build: BuildResult,
        *,
        env: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        on_log: LogSink | None = None,
    ) -> None:
        if not build.ok or build.env_dir is None:
            raise ValueError("cannot serve a failed build")
        self.build = build
        self.host = host
        self.port = port or free_port(host)
        self._env = {**(env or {}), **(secrets or {})}
        self.recorder = LogRecorder(secrets=(secrets or {}).values(), sink=on_log)
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._stop_lock = threading.Lock()
        self._stopped = False
        self.started_at: float | None = None
        self.healthy_after: float | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def logs(self) -> list[LogLine]:
        return self.recorder.lines()

    def start(self, health_timeout: float = 120.0) -> AgentServer:
        spec = {"host": self.host, "port": self.port, "graphs": self.build.project.graphs}
        for key in ("http", "store", "auth", "checkpointer"):
            if self.build.project.config.get(key) is not None:
                spec[key] = self.build.project.config[key]
        self.recorder.emit(f"Starting Agent Server for graphs {', '.join(self.build.project.graphs)} on {self.url}")
        self.started_at = time.monotonic()
        self._proc = subprocess.Popen(
            [str(self.build.python), str(LAUNCH_SCRIPT), json.dumps(spec)],
            cwd=self.build.project.root,
            env=server_env(self.build, self._env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        with _LIVE_LOCK:
            _LIVE.add(self)
        assert self._proc.stdout is not None
        self._reader = threading.Thread(target=pump, args=(self._proc.stdout, self.recorder), daemon=True)
        self._reader.start()
        try:
            self._wait_healthy(health_timeout)
        except ServerStartError:
            self.stop(grace=1.0)
            raise
        self.healthy_after = time.monotonic() - self.started_at
        self.recorder.emit(f"Agent Server healthy at {self.url} after {self.healthy_after:.1f}s")
        return self

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                assert self._proc is not None
                if self._reader:
                    self._reader.join(timeout=5)
                message = f"Agent Server exited with code {self._proc.returncode} before it was healthy"
                self.recorder.emit(f"ERROR: {message}", "ERROR")
                raise ServerStartError(message, self.logs())
            if self.ping():
                return
            if time.monotonic() > deadline:
                message = f"Agent Server did not answer GET /ok within {timeout:g}s"
                self.recorder.emit(f"ERROR: {message}", "ERROR")
                raise ServerStartError(message, self.logs())
            time.sleep(0.1)

    def ping(self, timeout: float = 2.0) -> bool:
        """`GET /ok` answers 200: the readiness probe the hosted service uses."""
        try:
            with urllib.request.urlopen(f"{self.url}/ok", timeout=timeout) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def rss_bytes(self) -> int:
        """Resident memory of the server's process group (the launcher is the server: one process)."""
        if not self.alive() or self.pid is None:
            return 0
        return group_rss_bytes(self.pid)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to the group (uvicorn finishes in-flight requests), SIGKILL after `grace` seconds."""
        with self._stop_lock:
            self._stop(grace)

    def _stop(self, grace: float) -> None:
        proc = self._proc
        if proc is None or self._stopped:
            return
        self._stopped = True
        if proc.poll() is None:
            kill_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                kill_group(proc.pid, signal.SIGKILL)
                proc.wait()
            self.recorder.emit(f"Agent Server stopped (exit {proc.returncode})")
        kill_group(proc.pid, signal.SIGKILL)  # stragglers the server forked (once: the group id is ours)
        if self._reader is not None:
            self._reader.join(timeout=5)
        with _LIVE_LOCK:
            _LIVE.discard(self)


def start_server(
    build: BuildResult,
    *,
    env: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    on_log: LogSink | None = None,
    health_timeout: float = 120.0,
) -> AgentServer:
    """Starts a server for a successful build and waits for `/ok`; raises `ServerStartError` otherwise."""
    return AgentServer(build, env=env, secrets=secrets, host=host, port=port, on_log=on_log).start(health_timeout)
