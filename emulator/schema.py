"""The SQLite schema, its version (`PRAGMA user_version`) and the migrations between versions.

A `.emulator/` database outlives the code that wrote it (`make up` keeps it between runs), so a
file is opened only at a version this code can read: older ones are migrated step by step, the
rest are refused with one line naming the file and what to do, never half-read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

#: Added in version 3: uploaded source tarballs and the key that signs their upload URLs.
UPLOADS_SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    object_path TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    uploaded_at REAL,
    size INTEGER,
    md5 TEXT,
    data BLOB
);
CREATE INDEX IF NOT EXISTS uploads_by_deployment ON uploads (deployment_id);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS tenants (
    tenant_id TEXT PRIMARY KEY,
    seeded_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deployments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    display_name TEXT,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    source_config TEXT NOT NULL,
    secrets TEXT NOT NULL,
    secret_references TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    latest_revision_id TEXT,
    active_revision_id TEXT,
    image_version TEXT,
    delete_at REAL,
    delete_tracing_project INTEGER NOT NULL DEFAULT 0,
    is_preview INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS deployments_by_tenant ON deployments (tenant_id, seq);
CREATE INDEX IF NOT EXISTS deployments_by_delete_at ON deployments (delete_at) WHERE delete_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS revisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    deployment_id TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    repo_ref TEXT,
    langgraph_config_path TEXT,
    image_uri TEXT,
    source_tarball_path TEXT,
    repo_commit_sha TEXT,
    outcome TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    phase_started_at REAL NOT NULL,
    next_at REAL,
    outcome_seconds REAL,
    agent_run INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS revisions_by_deployment ON revisions (deployment_id, seq);
CREATE INDEX IF NOT EXISTS revisions_by_next_at ON revisions (next_at) WHERE next_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS revision_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    revision_id TEXT NOT NULL,
    type TEXT NOT NULL,
    ts REAL NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS revision_logs_by_revision ON revision_logs (revision_id, type, id);
CREATE TABLE IF NOT EXISTS tracing_projects (
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
CREATE TABLE IF NOT EXISTS listeners (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    compute_type TEXT NOT NULL,
    compute_id TEXT NOT NULL,
    version TEXT,
    compute_config TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, compute_id)
);
"""
    + UPLOADS_SCHEMA
)


#: The tables of a version-1 file (written before versioning), which carries `user_version` 0.
V1_TABLES = ("tenants", "deployments", "revisions", "revision_logs", "tracing_projects", "listeners")
#: What `reset` wipes; `meta` (the upload-signing key) is kept.
TABLES = (*V1_TABLES, "uploads")
#: What `SCHEMA` creates.
SCHEMA_VERSION = 4
#: What to do about a file this code cannot read.
REMEDY = "delete it (or run `make clean`) and start again"


class IncompatibleDatabase(Exception):
    """A database file this emulator cannot read; the message is one line naming the file."""


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")}


def _revisions_gain_outcome_seconds(conn: sqlite3.Connection) -> None:
    # Idempotent: an unversioned file may already have the column (written between its addition
    # and the introduction of `user_version`).
    if "outcome_seconds" not in _columns(conn, "revisions"):
        conn.execute("ALTER TABLE revisions ADD COLUMN outcome_seconds REAL")


def _uploads_and_agent_runs(conn: sqlite3.Connection) -> None:
    # Version 3: uploaded source tarballs (`uploads`), the signing key (`meta`), and which
    # revisions the agent runner really builds and serves (`revisions.agent_run`).
    if "agent_run" not in _columns(conn, "revisions"):  # idempotent, as above
        conn.execute("ALTER TABLE revisions ADD COLUMN agent_run INTEGER NOT NULL DEFAULT 0")
    for statement in UPLOADS_SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def _deployments_gain_is_preview(conn: sqlite3.Connection) -> None:
    # Version 4: preview deployments (the service's per-pull-request builds, `is_preview`).
    if "is_preview" not in _columns(conn, "deployments"):  # idempotent, as above
        conn.execute("ALTER TABLE deployments ADD COLUMN is_preview INTEGER NOT NULL DEFAULT 0")


#: version N -> the step that turns a version-N file into version N + 1.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _revisions_gain_outcome_seconds,
    2: _uploads_and_agent_runs,
    3: _deployments_gain_is_preview,
}


def _stored_version(conn: sqlite3.Connection, path: str) -> int | None:
    """The file's schema version; None for a new (empty) database."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version:
        return version
    present = {str(row[0]) for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    present.discard("sqlite_sequence")
    if not present:
        return None
    if set(V1_TABLES) <= present:
        return 1  # written before versioning
    raise IncompatibleDatabase(
        f"{path} is not a database of this emulator (tables: {', '.join(sorted(present))}); {REMEDY}"
    )


def prepare(conn: sqlite3.Connection, path: str) -> None:
    """Create a new database at `SCHEMA_VERSION`, or migrate an older one to it, or refuse."""
    try:
        version = _stored_version(conn, path)
        if version is None:
            conn.executescript(SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
        if version == SCHEMA_VERSION:
            return
        missing = [step for step in range(version, SCHEMA_VERSION) if step not in MIGRATIONS]
        if version > SCHEMA_VERSION or missing:
            raise IncompatibleDatabase(
                f"{path} has schema version {version} and this emulator reads version {SCHEMA_VERSION}"
                f" with no migration from it; {REMEDY}"
            )
        conn.execute("BEGIN IMMEDIATE")
        try:
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](conn)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        raise IncompatibleDatabase(f"{path} cannot be opened as an SQLite database ({exc}); {REMEDY}") from None
