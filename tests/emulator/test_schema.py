"""The database file's schema version: new files are stamped, older ones migrated, the rest refused."""

import sqlite3
import subprocess
import sys

import pytest

from langsmith_emulator.schema import SCHEMA, SCHEMA_VERSION, UPLOADS_SCHEMA, IncompatibleDatabase
from langsmith_emulator.store import Store

#: Version 3: no `deployments.is_preview`.
VERSION_3_SCHEMA = SCHEMA.replace(",\n    is_preview INTEGER NOT NULL DEFAULT 0", "")
#: Version 2: no uploads, no `revisions.agent_run`.
VERSION_2_SCHEMA = VERSION_3_SCHEMA.replace(UPLOADS_SCHEMA, "").replace(
    ",\n    agent_run INTEGER NOT NULL DEFAULT 0", ""
)
#: The first release's shape: no version stamp, no `revisions.outcome_seconds`.
VERSION_1_SCHEMA = VERSION_2_SCHEMA.replace(",\n    outcome_seconds REAL", "")


def _user_version(path):
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


def _revision_columns(path):
    with sqlite3.connect(path) as conn:
        return {row[1] for row in conn.execute("PRAGMA table_info(revisions)")}


def _write(path, script, version=0):
    with sqlite3.connect(path) as conn:
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


def test_a_new_database_is_stamped_with_the_current_version(tmp_path):
    path = tmp_path / "new.sqlite3"
    Store(str(path)).close()
    assert _user_version(path) == SCHEMA_VERSION
    Store(str(path)).close()  # and reopens as it is
    assert _user_version(path) == SCHEMA_VERSION


def test_an_unversioned_first_release_file_is_migrated_keeping_its_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    _write(path, VERSION_1_SCHEMA + "INSERT INTO tenants VALUES ('t-old', 1.0);")
    assert "outcome_seconds" not in _revision_columns(path)
    store = Store(str(path))
    try:
        with store.tx() as tx:
            assert tx.open_revisions("none") == []
    finally:
        store.close()
    assert "outcome_seconds" in _revision_columns(path)
    assert _user_version(path) == SCHEMA_VERSION
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT tenant_id FROM tenants").fetchall() == [("t-old",)]
    conn.close()


def test_a_version_2_file_gains_uploads_and_agent_runs_keeping_its_rows(tmp_path):
    path = tmp_path / "v2.sqlite3"
    _write(path, VERSION_2_SCHEMA + "INSERT INTO tenants VALUES ('t-two', 2.0);", version=2)
    assert "agent_run" not in _revision_columns(path)
    store = Store(str(path))
    try:
        with store.tx() as tx:
            assert tx.get_upload(object_path="none") is None and tx.agent_waiting() == []
    finally:
        store.close()
    assert "agent_run" in _revision_columns(path)
    assert _user_version(path) == SCHEMA_VERSION == 4
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT tenant_id FROM tenants").fetchall() == [("t-two",)]
    conn.close()


def test_a_version_3_file_gains_preview_deployments_keeping_its_deployments(tmp_path):
    path = tmp_path / "v3.sqlite3"
    row = (
        "INSERT INTO deployments (id, tenant_id, name, source, status, source_config, secrets, created_at, "
        "updated_at) VALUES ('d-3', 't-3', 'kept', 'github', 'DEPLOYED', '{}', '[]', 3.0, 3.0);"
    )
    _write(path, VERSION_3_SCHEMA + row, version=3)
    assert VERSION_3_SCHEMA != SCHEMA
    store = Store(str(path))
    try:
        with store.tx() as tx:
            kept = tx.get_deployment("t-3", "d-3")
            assert kept is not None and kept.name == "kept" and kept.is_preview is False
            assert tx.deployment_name_exists("t-3", "kept")
    finally:
        store.close()
    assert _user_version(path) == SCHEMA_VERSION == 4


def test_an_unversioned_file_that_already_has_the_column_is_stamped(tmp_path):
    path = tmp_path / "between.sqlite3"
    _write(path, SCHEMA)
    Store(str(path)).close()
    assert _user_version(path) == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("script", "version", "says"),
    [
        (SCHEMA, SCHEMA_VERSION + 1, f"has schema version {SCHEMA_VERSION + 1}"),
        ("CREATE TABLE notes (body TEXT);", 0, "is not a database of this emulator (tables: notes)"),
    ],
    ids=["newer", "foreign"],
)
def test_a_file_it_cannot_read_is_refused_untouched(tmp_path, script, version, says):
    path = tmp_path / "other.sqlite3"
    _write(path, script, version)
    with pytest.raises(IncompatibleDatabase) as refused:
        Store(str(path))
    message = str(refused.value)
    assert str(path) in message and says in message and "make clean" in message and "\n" not in message
    assert _user_version(path) == version


def test_the_command_refuses_in_one_line_without_a_traceback(tmp_path):
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"this is not SQLite" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "langsmith_emulator", "--db", str(path), "--port", "1"],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"langsmith-emulator: {path} cannot be opened as an SQLite database")
    assert "make clean" in lines[0]
