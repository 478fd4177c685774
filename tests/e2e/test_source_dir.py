"""Deploy from a local directory (issue 14): `Deployment(source_dir=...)` through the real CLI.

The archive is computed in the program; `up` uploads it to the URL the control plane signs and
PATCHes `revision_source: internal_source`. A revision is rolled out exactly when the content hash
of the uploaded files changes, and bad input is refused at preview with no request written.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_langsmith import Deployment
from pulumi_langsmith import source_archive as archive_module
from pulumi_langsmith.source_archive import SOURCE_HASH_ENV, SourceArchive

from .harness import ROOT, E2EStack, last_seq, live_deployments, needs_current_api
from .lifecycle_support import deployment, env_of, revisions, writes

pytestmark = [pytest.mark.e2e, needs_current_api]

AGENT = ROOT / "examples" / "local-agent" / "agent"
UPLOAD_URL = "/v2/deployments/{id}/upload-url"
SECRET_IN_DOTENV = "sk-dotenv-never-uploaded-7f3a"
ROLL_OUT = [("POST", UPLOAD_URL), ("PUT", "/_uploads/{id}"), ("PATCH", "/v2/deployments/{id}")]


def agent_dir(tmp_path: Path) -> Path:
    """A copy of the example agent, with a secret `.env` and an ignored log file beside it."""
    work = tmp_path / "agent"
    shutil.copytree(AGENT, work, ignore=shutil.ignore_patterns("__pycache__"))
    (work / ".env").write_text(f"OPENAI_API_KEY={SECRET_IN_DOTENV}\n")
    (work / "debug.log").write_text("first run\n")
    return work


def dir_program(source_dir: str | Path, config_path: str = "langgraph.json") -> Callable[[], None]:
    def program() -> None:
        d = Deployment(
            "local-agent",
            source_dir=source_dir,
            source_revision_config={"langgraph_config_path": config_path},
            source_config={"deployment_type": "dev"},
        )
        pulumi.export("id", d.id)
        pulumi.export("source_hash", d.source_hash)
        pulumi.export("source_file_count", d.source_file_count)
        pulumi.export("source_archive_bytes", d.source_archive_bytes)
        pulumi.export("revision_status", d.revision_status)
        pulumi.export("latest_revision_id", d.latest_revision_id)

    return program


def stored_tarball(emulator: Any, object_path: str) -> bytes:
    """The object the control plane stored for that path (read from its SQLite file, read-only)."""
    conn = sqlite3.connect(f"file:{emulator.db}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT data FROM uploads WHERE object_path = ?", (object_path,)).fetchone()
    finally:
        conn.close()
    assert row is not None and row[0] is not None, f"no object stored at {object_path}"
    return bytes(row[0])


def latest_revision(emulator: Any, dep_id: str) -> dict[str, Any]:
    dep = deployment(emulator, dep_id)
    [rev] = [r for r in revisions(emulator, dep_id) if r["id"] == dep["latest_revision_id"]]
    return rev


def test_create_noop_on_ignored_file_and_one_revision_per_code_change(tmp_path: Path, emulator: Any) -> None:
    work = agent_dir(tmp_path)
    s = E2EStack(tmp_path, emulator, dir_program(work))
    s.up()
    out = s.outputs()
    planned = SourceArchive.from_dir(work)
    assert out["source_hash"] == planned.content_hash
    assert (out["source_file_count"], out["source_archive_bytes"]) == (planned.file_count, planned.size_bytes)
    assert out["revision_status"] == "DEPLOYED"
    dep_id = out["id"]
    server = deployment(emulator, dep_id)
    assert server["source"] == "internal_source" and server["source_config"]["deployment_type"] == "dev"
    assert env_of(server)[SOURCE_HASH_ENV] == planned.content_hash
    [rev] = revisions(emulator, dep_id)
    config = rev["source_revision_config"]
    assert config["langgraph_config_path"] == "langgraph.json"
    # The provider uploaded exactly the archive module's bytes: no .env, no ignored file.
    data = stored_tarball(emulator, config["source_tarball_path"])
    assert data == planned.build_tarball()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        names = tar.getnames()
    assert ".env" not in names and "debug.log" not in names and "graph.py" in names
    assert SECRET_IN_DOTENV.encode() not in data
    s.assert_no_plaintext([SECRET_IN_DOTENV])

    # Touching only an ignored file: no change, no write.
    (work / "debug.log").write_text("second run, much longer\n" * 20)
    (work / ".env").write_text("OPENAI_API_KEY=another\n")
    seq = last_seq(emulator)
    s.preview(expect_no_changes=True)
    s.up()
    assert writes(emulator, seq) == []
    assert len(revisions(emulator, dep_id)) == 1

    # A real code change: preview shows it, and up rolls out exactly one revision.
    graph = work / "graph.py"
    graph.write_text(graph.read_text().replace("message.upper()", "message.lower()"))
    preview = s.preview()
    assert preview.change_summary.get("update") == 1, preview.change_summary
    seq = last_seq(emulator)
    s.up()
    assert writes(emulator, seq) == ROLL_OUT
    assert len(revisions(emulator, dep_id)) == 2
    after = s.outputs()
    assert after["source_hash"] == SourceArchive.from_dir(work).content_hash != out["source_hash"]
    assert after["revision_status"] == "DEPLOYED"
    assert env_of(deployment(emulator, dep_id))[SOURCE_HASH_ENV] == after["source_hash"]
    s.preview(expect_no_changes=True)

    s.destroy()
    assert live_deployments(emulator) == []


def _missing_dir(tmp: Path) -> tuple[Path, str]:
    return tmp / "nowhere", "langgraph.json"


def _missing_config(tmp: Path) -> tuple[Path, str]:
    work = agent_dir(tmp)
    (work / "langgraph.json").unlink()
    return work, "langgraph.json"


def _config_outside(tmp: Path) -> tuple[Path, str]:
    work = agent_dir(tmp)
    shutil.copy2(work / "langgraph.json", tmp / "langgraph.json")
    return work, "../langgraph.json"


def _too_large(tmp: Path) -> tuple[Path, str]:
    return agent_dir(tmp), "langgraph.json"


@pytest.mark.parametrize(
    ("make", "prop", "words"),
    [
        (_missing_dir, "source_dir", "does not exist"),
        (_missing_config, "langgraph_config_path", "holds no"),
        (_config_outside, "langgraph_config_path", "outside source_dir"),
        (_too_large, "source_dir", "over the service's limit"),
    ],
    ids=["missing-dir", "missing-langgraph-json", "config-outside", "too-large"],
)
def test_bad_source_dir_is_refused_at_preview_with_zero_writes(
    tmp_path: Path,
    emulator: Any,
    monkeypatch: pytest.MonkeyPatch,
    make: Callable[[Path], tuple[Path, str]],
    prop: str,
    words: str,
) -> None:
    if make is _too_large:
        # The inline program runs in this process: a tiny limit stands for a 200 MiB archive.
        monkeypatch.setattr(archive_module, "MAX_ARCHIVE_BYTES", 64)
    source_dir, config_path = make(tmp_path)
    s = E2EStack(tmp_path, emulator, dir_program(source_dir, config_path))
    seq = last_seq(emulator)
    with pytest.raises(auto.CommandError) as info:
        s.preview()
    message = str(info.value)
    assert f"{prop}: " in message and words in message, message
    assert "Traceback" not in message, message
    assert writes(emulator, seq) == []
    with pytest.raises(auto.CommandError):
        s.up()
    assert writes(emulator, seq) == []
    assert live_deployments(emulator) == []


def test_lost_patch_answer_rolls_out_exactly_one_revision(tmp_path: Path, emulator: Any) -> None:
    s = E2EStack(tmp_path, emulator, dir_program(agent_dir(tmp_path)))
    emulator.add_fault(method="PATCH", path=r"^/v2/deployments/[0-9a-f-]+$", kind="commit_then_drop", count=1)
    s.up()
    dep_id = s.outputs()["id"]
    patches = [r for r in emulator.requests() if r["method"] == "PATCH"]
    assert [p["fault"] for p in patches] == ["commit_then_drop"], "the revision PATCH was repeated"
    assert len(revisions(emulator, dep_id)) == 1
    assert s.outputs()["revision_status"] == "DEPLOYED"
    s.preview(expect_no_changes=True)


def test_failed_upload_puts_are_retried_and_patch_follows_only_a_stored_object(tmp_path: Path, emulator: Any) -> None:
    s = E2EStack(tmp_path, emulator, dir_program(agent_dir(tmp_path)))
    emulator.add_fault(method="PUT", path="^/_uploads/", kind="503", count=2)
    s.up()
    dep_id = s.outputs()["id"]
    log = [(r["method"], r["route"], r["status"]) for r in emulator.requests() if r["method"] in ("PUT", "PATCH")]
    assert log == [
        ("PUT", "/_uploads/{id}", 503),
        ("PUT", "/_uploads/{id}", 503),
        ("PUT", "/_uploads/{id}", 200),
        ("PATCH", "/v2/deployments/{id}", 200),
    ]
    [rev] = revisions(emulator, dep_id)
    assert rev["status"] == "DEPLOYED"


def test_run_stopped_between_upload_and_patch_converges_without_a_duplicate(tmp_path: Path, emulator: Any) -> None:
    # Every PATCH fails: the archive is uploaded, then the run stops with no revision, as if killed.
    s = E2EStack(tmp_path, emulator, dir_program(agent_dir(tmp_path)))
    emulator.add_fault(method="PATCH", path=r"^/v2/deployments/[0-9a-f-]+$", kind="500", count=1000)
    with pytest.raises(auto.CommandError):
        s.up()
    [dep] = live_deployments(emulator)
    assert revisions(emulator, dep["id"]) == []
    emulator.clear_faults()
    seq = last_seq(emulator)
    s.up()
    assert writes(emulator, seq) == ROLL_OUT  # the deployment is resumed, not created again
    assert [d["id"] for d in live_deployments(emulator)] == [dep["id"]]
    assert len(revisions(emulator, dep["id"])) == 1
    assert s.outputs()["revision_status"] == "DEPLOYED"
    s.preview(expect_no_changes=True)


TOKEN = "tok-source-dir-secret-4b1d"


def test_source_dir_keeps_env_beside_secrets_through_an_env_change_and_a_masked_server(
    tmp_path: Path, emulator: Any
) -> None:
    """Issue 20: `env` reached neither the create nor a change of a `source_dir` deployment; each
    declared value must be on the server, an env change is exactly one revision, and a server that
    masks env values gets nothing wiped."""
    work = agent_dir(tmp_path)
    env = {"MODE": "a"}

    def program() -> None:
        d = Deployment(
            "local-agent",
            source_dir=work,
            source_config={"deployment_type": "dev"},
            env=dict(env),
            secrets={"TOKEN": TOKEN},
        )
        pulumi.export("id", d.id)
        pulumi.export("revision_status", d.revision_status)

    s = E2EStack(tmp_path, emulator, program)
    s.up()
    dep_id = s.outputs()["id"]
    held = env_of(deployment(emulator, dep_id))
    assert (held["MODE"], held["TOKEN"]) == ("a", TOKEN)
    assert held[SOURCE_HASH_ENV] == SourceArchive.from_dir(work).content_hash
    assert len(revisions(emulator, dep_id)) == 1
    s.preview(expect_no_changes=True)

    env["MODE"] = "b"
    assert s.preview().change_summary.get("update") == 1
    s.up()
    held = env_of(deployment(emulator, dep_id))
    assert (held["MODE"], held["TOKEN"]) == ("b", TOKEN)
    assert len(revisions(emulator, dep_id)) == 2
    assert latest_revision(emulator, dep_id)["status"] == "DEPLOYED"
    s.preview(expect_no_changes=True)

    # A server that masks env values: a code change still rolls out, and nothing is wiped.
    emulator.settings(mask_secrets="mask")
    try:
        graph = work / "graph.py"
        graph.write_text(graph.read_text().replace("message.upper()", "message.lower()"))
        s.up()
        assert s.outputs()["revision_status"] == "DEPLOYED"
        s.preview(expect_no_changes=True)
    finally:
        emulator.settings(mask_secrets="off")
    held = env_of(deployment(emulator, dep_id))
    assert (held["MODE"], held["TOKEN"]) == ("b", TOKEN)
    assert held[SOURCE_HASH_ENV] == SourceArchive.from_dir(work).content_hash
    assert len(revisions(emulator, dep_id)) == 3
    s.assert_no_plaintext([TOKEN])
    s.destroy()
