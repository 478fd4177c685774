"""SQLite persistence: one connection, one lock, short transactions.

Pulumi fires many requests at once, and the lifecycle ticker writes concurrently with them. A
single connection guarded by a re-entrant lock serialises every transaction, which is simple,
correct for `:memory:` databases (which cannot be shared between connections) and fast enough:
each transaction touches a handful of rows. WAL keeps a file database readable by outside tools
while the emulator runs, and timestamps are epoch seconds so that in-flight revisions resume
correctly after a restart.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .schema import TABLES, prepare

JSON_COLUMNS = frozenset({"source_config", "secrets", "secret_references", "compute_config"})
IN_FLIGHT_STATUSES = ("AWAITING_BUILD", "BUILDING", "AWAITING_DEPLOY", "DEPLOYING")
#: Statuses a revision may pass through and leave again (a scripted transient, see lifecycle).
TRANSIENT_STATUSES = ("INTERRUPTED", "UNKNOWN")
#: SQLite integers are 64-bit; the API accepts any offset >= 0, so larger ones are clamped.
MAX_SQL_INT = 2**62


def _page(limit: int, offset: int) -> tuple[int, int]:
    return min(limit, MAX_SQL_INT), min(offset, MAX_SQL_INT)


@dataclass
class DeploymentRecord:
    seq: int
    id: str
    tenant_id: str
    name: str
    display_name: str | None
    source: str
    status: str
    source_config: dict[str, Any]
    secrets: list[dict[str, str]]
    secret_references: list[dict[str, str]] | None
    created_at: float
    updated_at: float
    latest_revision_id: str | None
    active_revision_id: str | None
    image_version: str | None
    delete_at: float | None
    delete_tracing_project: bool
    is_preview: bool = False


@dataclass
class RevisionRecord:
    seq: int
    id: str
    deployment_id: str
    source: str
    status: str
    repo_ref: str | None
    langgraph_config_path: str | None
    image_uri: str | None
    source_tarball_path: str | None
    repo_commit_sha: str | None
    outcome: str | None
    created_at: float
    updated_at: float
    phase_started_at: float
    next_at: float | None
    outcome_seconds: float | None = None
    #: 1 when the agent runner really builds and serves this revision (`--run-agents`).
    agent_run: int = 0


@dataclass
class ListenerRecord:
    seq: int
    tenant_id: str
    id: str
    compute_type: str
    compute_id: str
    version: str | None
    compute_config: dict[str, Any]
    created_at: float
    updated_at: float


@dataclass
class LogRecord:
    id: int
    revision_id: str
    type: str
    ts: float
    level: str
    message: str


def _decode(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    for key in JSON_COLUMNS.intersection(data):
        if data[key] is not None:
            data[key] = json.loads(data[key])
    return data


def _encode(value: Any, column: str) -> Any:
    if column in JSON_COLUMNS and value is not None:
        return json.dumps(value, separators=(",", ":"))
    return value


def _deployment(row: sqlite3.Row) -> DeploymentRecord:
    data = _decode(row)
    data["delete_tracing_project"] = bool(data["delete_tracing_project"])
    data["is_preview"] = bool(data.get("is_preview", 0))
    return DeploymentRecord(**data)


def _revision(row: sqlite3.Row) -> RevisionRecord:
    return RevisionRecord(**dict(row))


def _listener(row: sqlite3.Row) -> ListenerRecord:
    return ListenerRecord(**_decode(row))


@dataclass
class UploadRecord:
    object_path: str
    token: str
    tenant_id: str
    deployment_id: str
    created_at: float
    expires_at: float
    uploaded_at: float | None
    size: int | None
    md5: str | None


@dataclass(frozen=True)
class DeploymentFilter:
    name_contains: str | None = None
    status: str | None = None
    deployment_type: str | None = None
    deployment_ids: Sequence[str] | None = None
    image_version: str | None = None
    tag_value_ids: Sequence[str] | None = None


class Tx:
    """Typed queries over one open transaction; only valid inside `Store.tx()`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _update(self, table: str, where: str, params: Sequence[Any], fields: dict[str, Any]) -> None:
        if not fields:
            return
        assignments = ", ".join(f"{column} = ?" for column in fields)
        values = [_encode(value, column) for column, value in fields.items()]
        self._conn.execute(f"UPDATE {table} SET {assignments} WHERE {where}", [*values, *params])

    def _insert(self, table: str, fields: dict[str, Any]) -> None:
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        values = [_encode(value, column) for column, value in fields.items()]
        self._conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)

    # --- tenants ---------------------------------------------------------------------------

    def add_tenant(self, tenant_id: str, now: float) -> bool:
        """Record a tenant; True when it was new (and so still needs its seed data)."""
        cur = self._conn.execute("INSERT OR IGNORE INTO tenants (tenant_id, seeded_at) VALUES (?, ?)", (tenant_id, now))
        return cur.rowcount == 1

    # --- deployments -----------------------------------------------------------------------

    def insert_deployment(self, fields: dict[str, Any]) -> None:
        self._insert("deployments", fields)

    def get_deployment(self, tenant_id: str, deployment_id: str) -> DeploymentRecord | None:
        row = self._conn.execute(
            "SELECT * FROM deployments WHERE id = ? AND tenant_id = ?", (deployment_id, tenant_id)
        ).fetchone()
        return _deployment(row) if row else None

    def get_deployment_by_id(self, deployment_id: str) -> DeploymentRecord | None:
        row = self._conn.execute("SELECT * FROM deployments WHERE id = ?", (deployment_id,)).fetchone()
        return _deployment(row) if row else None

    def update_deployment(self, deployment_id: str, **fields: Any) -> None:
        self._update("deployments", "id = ?", (deployment_id,), fields)

    def deployment_name_exists(self, tenant_id: str, name: str) -> bool:
        row = self._conn.execute(
            # A preview deployment carries its parent's name (docs: deployments-v2, `is_preview`).
            "SELECT 1 FROM deployments WHERE tenant_id = ? AND name = ? AND is_preview = 0",
            (tenant_id, name),
        ).fetchone()
        return row is not None

    def list_deployments(
        self, tenant_id: str, flt: DeploymentFilter, limit: int, offset: int
    ) -> list[DeploymentRecord]:
        where = ["tenant_id = ?"]
        params: list[Any] = [tenant_id]
        if flt.name_contains:
            where.append("instr(name, ?) > 0")
            params.append(flt.name_contains)
        if flt.status is not None:
            where.append("status = ?")
            params.append(flt.status)
        if flt.deployment_type is not None:
            where.append("json_extract(source_config, '$.deployment_type') = ?")
            params.append(flt.deployment_type)
        if flt.image_version is not None:
            where.append("image_version = ?")
            params.append(flt.image_version)
        if flt.deployment_ids is not None:  # one JSON parameter: any number of IDs, no SQLite variable limit
            where.append("id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(flt.deployment_ids)))
        if flt.tag_value_ids:
            where.append("0")  # the emulator has no resource tags, so no deployment carries one
        rows = self._conn.execute(
            f"SELECT * FROM deployments WHERE {' AND '.join(where)} ORDER BY seq DESC LIMIT ? OFFSET ?",
            [*params, *_page(limit, offset)],
        ).fetchall()
        return [_deployment(row) for row in rows]

    def count_deployments(self, tenant_id: str, deployment_type: str) -> int:
        row = self._conn.execute(
            "SELECT COUNT(*) FROM deployments WHERE tenant_id = ? AND delete_at IS NULL"
            " AND json_extract(source_config, '$.deployment_type') = ?",
            (tenant_id, deployment_type),
        ).fetchone()
        return int(row[0])

    def deployments_due_for_removal(self, now: float) -> list[DeploymentRecord]:
        rows = self._conn.execute(
            "SELECT * FROM deployments WHERE delete_at IS NOT NULL AND delete_at <= ?", (now,)
        ).fetchall()
        return [_deployment(row) for row in rows]

    def remove_deployment(self, deployment_id: str) -> None:
        self._conn.execute(
            "DELETE FROM revision_logs WHERE revision_id IN (SELECT id FROM revisions WHERE deployment_id = ?)",
            (deployment_id,),
        )
        self._conn.execute("DELETE FROM revisions WHERE deployment_id = ?", (deployment_id,))
        self._conn.execute("DELETE FROM uploads WHERE deployment_id = ?", (deployment_id,))
        self._conn.execute("DELETE FROM deployments WHERE id = ?", (deployment_id,))

    # --- tracing projects ------------------------------------------------------------------

    def tracing_project_exists(self, tenant_id: str, name: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM tracing_projects WHERE tenant_id = ? AND name = ?", (tenant_id, name)
        ).fetchone()
        return row is not None

    def add_tracing_project(self, tenant_id: str, name: str, now: float) -> None:
        self._conn.execute(
            "INSERT OR IGNORE INTO tracing_projects (tenant_id, name, created_at) VALUES (?, ?, ?)",
            (tenant_id, name, now),
        )

    def remove_tracing_project(self, tenant_id: str, name: str) -> None:
        self._conn.execute("DELETE FROM tracing_projects WHERE tenant_id = ? AND name = ?", (tenant_id, name))

    # --- revisions -------------------------------------------------------------------------

    def insert_revision(self, fields: dict[str, Any]) -> None:
        self._insert("revisions", fields)

    def get_revision(self, deployment_id: str, revision_id: str) -> RevisionRecord | None:
        row = self._conn.execute(
            "SELECT * FROM revisions WHERE id = ? AND deployment_id = ?", (revision_id, deployment_id)
        ).fetchone()
        return _revision(row) if row else None

    def update_revision(self, revision_id: str, **fields: Any) -> None:
        self._update("revisions", "id = ?", (revision_id,), fields)

    def list_revisions(
        self, deployment_id: str, statuses: Sequence[str] | None, limit: int, offset: int
    ) -> list[RevisionRecord]:
        where = "deployment_id = ?"
        params: list[Any] = [deployment_id]
        if statuses is not None:
            where += f" AND status IN ({', '.join('?' for _ in statuses) or 'NULL'})"
            params.extend(statuses)
        rows = self._conn.execute(
            f"SELECT * FROM revisions WHERE {where} ORDER BY seq DESC LIMIT ? OFFSET ?",
            [*params, *_page(limit, offset)],
        ).fetchall()
        return [_revision(row) for row in rows]

    def open_revisions(self, deployment_id: str) -> list[RevisionRecord]:
        """Revisions that have not reached a terminal state (or are in a transient one), oldest first."""
        rows = self._conn.execute(
            "SELECT * FROM revisions WHERE deployment_id = ? AND (status IN"
            " ('CREATING', 'QUEUED', 'AWAITING_BUILD', 'BUILDING', 'AWAITING_DEPLOY', 'DEPLOYING')"
            " OR (status IN ('INTERRUPTED', 'UNKNOWN') AND next_at IS NOT NULL))"
            " ORDER BY seq",
            (deployment_id,),
        ).fetchall()
        return [_revision(row) for row in rows]

    def count_revisions(self, deployment_id: str) -> int:
        row = self._conn.execute("SELECT COUNT(*) FROM revisions WHERE deployment_id = ?", (deployment_id,)).fetchone()
        return int(row[0])

    def prunable_revisions(self, deployment_id: str, keep_ids: Sequence[str]) -> list[str]:
        """Finished revisions, oldest first, other than `keep_ids` (the latest and the active one)."""
        rows = self._conn.execute(
            "SELECT id FROM revisions WHERE deployment_id = ? AND next_at IS NULL AND status IN"
            " ('CREATE_FAILED', 'BUILD_FAILED', 'DEPLOY_FAILED', 'DEPLOYED', 'SKIPPED', 'INTERRUPTED', 'UNKNOWN')"
            " ORDER BY seq",
            (deployment_id,),
        ).fetchall()
        return [str(row[0]) for row in rows if str(row[0]) not in keep_ids]

    def remove_revision(self, revision_id: str) -> None:
        self._conn.execute("DELETE FROM revision_logs WHERE revision_id = ?", (revision_id,))
        self._conn.execute("DELETE FROM revisions WHERE id = ?", (revision_id,))

    def deployments_with_due_revisions(self, now: float) -> list[str]:
        rows = self._conn.execute(
            "SELECT DISTINCT deployment_id FROM revisions WHERE next_at IS NOT NULL AND next_at <= ?", (now,)
        ).fetchall()
        return [str(row[0]) for row in rows]

    def next_due_time(self) -> float | None:
        row = self._conn.execute("SELECT MIN(next_at) FROM revisions WHERE next_at IS NOT NULL").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    # --- logs ------------------------------------------------------------------------------

    def add_log(self, revision_id: str, log_type: str, ts: float, level: str, message: str) -> None:
        self._conn.execute(
            "INSERT INTO revision_logs (revision_id, type, ts, level, message) VALUES (?, ?, ?, ?, ?)",
            (revision_id, log_type, ts, level, message),
        )

    def list_logs(
        self, revision_id: str, log_type: str, level: str | None, descending: bool, limit: int, offset: int
    ) -> list[LogRecord]:
        where = "revision_id = ? AND type = ?"
        params: list[Any] = [revision_id, log_type]
        if level is not None:
            where += " AND level = ?"
            params.append(level)
        order = "DESC" if descending else "ASC"
        rows = self._conn.execute(
            f"SELECT * FROM revision_logs WHERE {where} ORDER BY id {order} LIMIT ? OFFSET ?",
            [*params, *_page(limit, offset)],
        ).fetchall()
        return [LogRecord(**dict(row)) for row in rows]

    # --- listeners -------------------------------------------------------------------------

    def insert_listener(self, fields: dict[str, Any]) -> None:
        self._insert("listeners", fields)

    def get_listener(self, tenant_id: str, listener_id: str) -> ListenerRecord | None:
        row = self._conn.execute(
            "SELECT * FROM listeners WHERE tenant_id = ? AND id = ?", (tenant_id, listener_id)
        ).fetchone()
        return _listener(row) if row else None

    def listener_compute_id_exists(self, tenant_id: str, compute_id: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM listeners WHERE tenant_id = ? AND compute_id = ?", (tenant_id, compute_id)
        ).fetchone()
        return row is not None

    def list_listeners(self, tenant_id: str, limit: int, offset: int) -> list[ListenerRecord]:
        rows = self._conn.execute(
            "SELECT * FROM listeners WHERE tenant_id = ? ORDER BY seq LIMIT ? OFFSET ?",
            (tenant_id, *_page(limit, offset)),
        ).fetchall()
        return [_listener(row) for row in rows]

    def update_listener(self, tenant_id: str, listener_id: str, **fields: Any) -> None:
        self._update("listeners", "tenant_id = ? AND id = ?", (tenant_id, listener_id), fields)

    def delete_listener(self, tenant_id: str, listener_id: str) -> None:
        self._conn.execute("DELETE FROM listeners WHERE tenant_id = ? AND id = ?", (tenant_id, listener_id))

    # --- uploads and the agent runner ------------------------------------------------------

    def insert_upload(self, fields: dict[str, Any]) -> None:
        self._insert("uploads", fields)

    def get_upload(self, *, object_path: str | None = None, token: str | None = None) -> UploadRecord | None:
        column, value = ("object_path", object_path) if object_path is not None else ("token", token)
        row = self._conn.execute(
            "SELECT object_path, token, tenant_id, deployment_id, created_at, expires_at, uploaded_at, size, md5"
            f" FROM uploads WHERE {column} = ?",
            (value,),
        ).fetchone()
        return UploadRecord(**dict(row)) if row else None

    def upload_data(self, object_path: str) -> bytes | None:
        row = self._conn.execute("SELECT data FROM uploads WHERE object_path = ?", (object_path,)).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def store_upload(self, object_path: str, data: bytes, md5: str, now: float) -> None:
        self._conn.execute(
            "UPDATE uploads SET data = ?, size = ?, md5 = ?, uploaded_at = ? WHERE object_path = ?",
            (data, len(data), md5, now, object_path),
        )

    def revision_using_tarball(self, object_path: str) -> str | None:
        row = self._conn.execute("SELECT id FROM revisions WHERE source_tarball_path = ?", (object_path,)).fetchone()
        return None if row is None else str(row[0])

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def agent_waiting(self) -> list[RevisionRecord]:
        """Real-run revisions whose build or start the agent runner owes (no timer: `next_at` is NULL)."""
        rows = self._conn.execute(
            "SELECT r.* FROM revisions r JOIN deployments d ON d.id = r.deployment_id"
            " WHERE r.agent_run = 1 AND r.next_at IS NULL AND r.status IN ('BUILDING', 'DEPLOYING')"
            " AND d.delete_at IS NULL ORDER BY r.seq"
        ).fetchall()
        return [_revision(row) for row in rows]

    def agent_serving(self) -> list[RevisionRecord]:
        """The active revisions of live deployments that the agent runner serves."""
        rows = self._conn.execute(
            "SELECT r.* FROM revisions r JOIN deployments d ON d.active_revision_id = r.id"
            " WHERE r.agent_run = 1 AND d.delete_at IS NULL ORDER BY r.seq"
        ).fetchall()
        return [_revision(row) for row in rows]

    def live_deployment_ids(self) -> set[str]:
        rows = self._conn.execute("SELECT id FROM deployments WHERE delete_at IS NULL").fetchall()
        return {str(row[0]) for row in rows}

    # --- maintenance -----------------------------------------------------------------------

    def wipe(self) -> None:
        for table in TABLES:
            self._conn.execute(f"DELETE FROM {table}")


class Store:
    """Owns the SQLite connection; `tx()` is the only way in."""

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10.0)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        with self._lock:
            try:
                prepare(self._conn, path)
                if path != ":memory:":
                    self._conn.execute("PRAGMA journal_mode=WAL")
                    self._conn.execute("PRAGMA synchronous=NORMAL")
            except BaseException:
                self._conn.close()
                raise

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        """Serialise a unit of work; nested calls join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield Tx(self._conn)
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield Tx(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()
