"""Wires the agent runner (`agents/`) into the revision lifecycle (`--run-agents`).

The lifecycle marks what it cannot time itself: a real-run `internal_source` revision waits in
BUILDING or DEPLOYING with no timer (`next_at` NULL, `agent_run` 1). The ticker calls `poll()`, which
reads those rows and runs the work in worker threads, never on the event loop or the ticker:
BUILDING unpacks the uploaded tarball into a per-revision directory and runs `EnvCache.build`;
DEPLOYING runs `Supervisor.switch`. Each reports back through `lifecycle.real_build_done` /
`real_deploy_done`; build and server output lines become the revision's build and deploy logs.

Because the work list is read from the database, a restart picks up where it stopped: waiting
revisions are built or started again, and deployments whose active revision is a real run are
served again at the URL stored in `source_config.custom_url`. Deployments that are deleted (or gone)
have their servers stopped.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from . import lifecycle
from .agents.build import BuildResult, EnvCache, ProjectError
from .agents.logs import LogLine, LogSink
from .agents.mapping import MappingError, export_source
from .agents.supervisor import DeploymentServer, Supervisor
from .config import EmulatorConfig, LiveSettings
from .store import DeploymentRecord, RevisionRecord, Store
from .uploads import unpack

log = logging.getLogger("emulator")

#: Builds and starts at most this many at once (pip and the Agent Server are CPU-hungry).
MAX_PARALLEL_JOBS = 2


def stored_port(custom_url: object) -> int | None:
    """The proxy port of a URL the supervisor handed out earlier (so it survives a restart)."""
    if not isinstance(custom_url, str):
        return None
    parts = urlsplit(custom_url)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost"):
        return None
    if parts.path not in ("", "/"):  # a simulated agent's URL on the emulator's own port
        return None
    return parts.port


def _secrets(dep: DeploymentRecord) -> dict[str, str]:
    return {s["name"]: s.get("value", "") for s in dep.secrets}


class AgentRunner:
    def __init__(self, store: Store, settings: LiveSettings, config: EmulatorConfig) -> None:
        self._store = store
        self._settings = settings
        self._config = config
        self.cache = EnvCache(config.agent_cache)
        self.work_root = self.cache.root / "revisions"
        self._lock = threading.Lock()
        self._supervisor: Supervisor | None = None
        self._busy: set[str] = set()  # deployment ids with a job running
        self._builds: dict[str, BuildResult] = {}  # revision id -> its successful build
        self._dirs: dict[str, set[str]] = {}  # deployment id -> revision ids unpacked for it
        self._note: dict[str, str] = {}  # revision id -> what a mapped source was exported from
        self._slots = threading.Semaphore(MAX_PARALLEL_JOBS)
        self._closed = False
        self._generation = 0  # bumped by reset: jobs of an older generation report nothing

    # --- state -----------------------------------------------------------------------------------

    @property
    def supervisor(self) -> Supervisor:
        with self._lock:
            if self._supervisor is None:
                self._supervisor = Supervisor(
                    max_servers=self._config.max_agent_servers, idle_seconds=self._config.agent_idle_seconds
                )
            return self._supervisor

    def servers(self) -> list[DeploymentServer]:
        with self._lock:
            supervisor = self._supervisor
        if supervisor is None:
            return []
        return [s for s in (supervisor.status(i) for i in supervisor.deployment_ids()) if s is not None]

    def _served(self, deployment_id: str) -> bool:
        with self._lock:
            supervisor = self._supervisor
        return supervisor is not None and supervisor.status(deployment_id) is not None

    # --- the ticker's entry point ----------------------------------------------------------------

    def poll(self) -> None:
        """Starts the work the database says is owed; cheap when there is none."""
        if self._closed:
            return
        with self._store.tx() as tx:
            waiting = tx.agent_waiting()
            serving = tx.agent_serving() if self._settings.current.run_agents or self._supervisor else []
            live = tx.live_deployment_ids() if self._supervisor is not None else set()
        for server in self.servers():
            if server.deployment_id not in live:
                self._submit(server.deployment_id, "stop", lambda d=server.deployment_id: self.stop_deployment(d))  # type: ignore[misc]
        for rev in waiting:
            job = self._build if rev.status == "BUILDING" else self._deploy
            self._submit(rev.deployment_id, rev.id, lambda rev=rev, job=job: job(rev))  # type: ignore[misc]
        for rev in serving:
            if rev.status == "DEPLOYED" and not self._served(rev.deployment_id):
                self._submit(rev.deployment_id, rev.id, lambda rev=rev: self._serve_again(rev))  # type: ignore[misc]

    def _submit(self, deployment_id: str, what: str, job: Callable[[], None]) -> None:
        """One job per deployment at a time, in a daemon thread (a build never holds up shutdown)."""
        with self._lock:
            if deployment_id in self._busy or self._closed:
                return
            self._busy.add(deployment_id)
            generation = self._generation

        def run() -> None:
            try:
                with self._slots:
                    if generation == self._generation and not self._closed:
                        job()
            except Exception:
                if not self._closed:  # at shutdown the store is closed under a running job: expected
                    log.exception("agent runner job failed")
            finally:
                with self._lock:
                    self._busy.discard(deployment_id)

        threading.Thread(target=run, name=f"agent-job-{what[:8]}", daemon=True).start()

    # --- jobs ------------------------------------------------------------------------------------

    def _sink(self, revision_id: str, log_type: str, generation: int) -> LogSink:
        def write(line: LogLine) -> None:
            if generation != self._generation or self._closed:
                return
            try:
                with self._store.tx() as tx:
                    tx.add_log(revision_id, log_type, line.timestamp, line.level, line.message)
            except Exception:  # a closed store at shutdown: the line is lost, nothing else
                pass

        return write

    def _load(
        self, rev: RevisionRecord, phase: str | None = None
    ) -> tuple[DeploymentRecord, RevisionRecord, bytes | None] | None:
        """The revision as stored now; None once its deployment is gone or, with `phase`, once the
        revision has left that phase or is already timed (another worker or a restart got there first)."""
        with self._store.tx() as tx:
            dep = tx.get_deployment_by_id(rev.deployment_id)
            current = tx.get_revision(rev.deployment_id, rev.id)
            if dep is None or current is None or dep.delete_at is not None:
                return None
            if phase is not None and (current.status != phase or current.next_at is not None):
                return None
            data = tx.upload_data(current.source_tarball_path) if current.source_tarball_path else None
        return dep, current, data

    def _source_dir(self, rev: RevisionRecord, data: bytes | None) -> Path:
        """The revision's unpacked source (kept: the in-memory runtime stores its state next to it)."""
        target = self.work_root / rev.id / "src"
        with self._lock:
            self._dirs.setdefault(rev.deployment_id, set()).add(rev.id)
        if not target.is_dir():
            shutil.rmtree(target.parent, ignore_errors=True)
            if rev.source != "internal_source":  # a repository or image mapped to a local directory
                dep = self._deployment(rev.deployment_id)
                local = lifecycle.mapped_source(dep, rev, self._settings.current) if dep else None
                if local is None:
                    raise ProjectError("its repository or image is no longer mapped to a local directory")
                self._note[rev.id] = export_source(local, rev.repo_ref, target)
            elif data is None:
                raise ProjectError("the uploaded source tarball is missing")
            else:
                unpack(data, target)
        return target

    def _deployment(self, deployment_id: str) -> DeploymentRecord | None:
        with self._store.tx() as tx:
            return tx.get_deployment_by_id(deployment_id)

    def _real_build(self, dep: DeploymentRecord, rev: RevisionRecord, data: bytes | None, sink: LogSink) -> BuildResult:
        source = self._source_dir(rev, data)
        note = self._note.pop(rev.id, None)
        if note:
            sink(LogLine(time.time(), "INFO", note))
        return self.cache.build(
            source, secrets=_secrets(dep), on_log=sink, config=rev.langgraph_config_path or "langgraph.json"
        )

    def _build(self, rev: RevisionRecord) -> None:
        loaded = self._load(rev, "BUILDING")
        if loaded is None:
            return
        dep, current, data = loaded
        generation = self._generation
        error: str | None = None
        try:
            result = self._real_build(dep, current, data, self._sink(rev.id, "build", generation))
            if result.ok:
                self._builds[rev.id] = result
            else:
                error = result.error or "build failed"
        except (ProjectError, MappingError, OSError, ValueError, subprocess.SubprocessError) as exc:
            error = str(exc)
        self._report(
            rev,
            "BUILDING",
            generation,
            lambda tx, d, r, at: lifecycle.real_build_done(tx, d, r, at, self._settings.current, error),
        )

    def _deploy(self, rev: RevisionRecord) -> None:
        loaded = self._load(rev, "DEPLOYING")
        if loaded is None:
            return
        dep, current, data = loaded
        generation = self._generation
        url: str | None = None
        error: str | None = None
        try:
            url = self._switch(dep, current, data, generation)
        except Exception as exc:  # ServerStartError, a failed rebuild, a port in use: the revision failed
            error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        self._report(
            rev, "DEPLOYING", generation, lambda tx, d, r, at: lifecycle.real_deploy_done(tx, d, r, at, error, url)
        )

    def _switch(self, dep: DeploymentRecord, rev: RevisionRecord, data: bytes | None, generation: int) -> str:
        build = self._builds.get(rev.id)
        if build is None:  # after a restart: the environment is cached, so this is the import check only
            build = self._real_build(dep, rev, data, self._sink(rev.id, "deploy", generation))
            if not build.ok:
                raise RuntimeError(build.error or "build failed")
            self._builds[rev.id] = build
        return self.supervisor.switch(
            dep.id,
            build,
            revision_id=rev.id,
            secrets=_secrets(dep),
            port=stored_port(dep.source_config.get("custom_url")),
            on_log=self._sink(rev.id, "deploy", generation),
        )

    def _serve_again(self, rev: RevisionRecord) -> None:
        """After a restart (or a reset of the supervisor): the active revision answers again."""
        loaded = self._load(rev)
        if loaded is None:
            return
        dep, current, data = loaded
        generation = self._generation
        sink = self._sink(rev.id, "deploy", generation)
        try:
            url = self._switch(dep, current, data, generation)
        except Exception as exc:
            sink(LogLine(time.time(), "ERROR", f"ERROR: could not restart the Agent Server: {exc}"))
            return
        sink(LogLine(time.time(), "INFO", f"Agent Server for revision {rev.id} serving again at {url}"))

    def _report(self, rev: RevisionRecord, expected: str, generation: int, done: Callable[..., None]) -> None:
        if generation != self._generation or self._closed:
            return
        with self._store.tx() as tx:
            dep = tx.get_deployment_by_id(rev.deployment_id)
            current = tx.get_revision(rev.deployment_id, rev.id)
            if dep is None or dep.delete_at is not None or current is None:
                return  # deleted or reset meanwhile
            if current.status != expected or current.next_at is not None:
                return
            done(tx, dep, current, time.time())

    # --- stopping --------------------------------------------------------------------------------

    def stop_deployment(self, deployment_id: str) -> None:
        """A deleted deployment: its server and proxy stop, its unpacked revisions go."""
        with self._lock:
            supervisor = self._supervisor
            revisions = self._dirs.pop(deployment_id, set())
        if supervisor is not None:
            supervisor.stop(deployment_id)
        for revision_id in revisions:
            self._builds.pop(revision_id, None)
            shutil.rmtree(self.work_root / revision_id, ignore_errors=True)

    def reset(self) -> None:
        """`POST /_emulator/reset`: every server stops; running jobs report nothing."""
        with self._lock:
            self._generation += 1
            supervisor, self._supervisor = self._supervisor, None
            self._builds.clear()
            revisions = [rev for revs in self._dirs.values() for rev in revs]
            self._dirs.clear()
        if supervisor is not None:
            supervisor.stop_all()
        if not self._closed:  # reset wipes the deployments, so their unpacked sources go too
            for revision_id in revisions:
                shutil.rmtree(self.work_root / revision_id, ignore_errors=True)

    def close(self) -> None:
        """Shutdown: nothing is left running."""
        self._closed = True
        self.reset()
