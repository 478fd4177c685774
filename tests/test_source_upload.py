"""The apply-time re-read of a `source_dir` (issue 14): the provider uploads only the files the
preview planned, and says clearly when they changed in between."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pulumi_langsmith.deployment.upload import SourceUploadError, reread
from pulumi_langsmith.source_archive import SourceArchive

from .support.typed import typed

AGENT = Path(__file__).resolve().parents[1] / "examples" / "local-agent" / "agent"


def planned(tmp_path: Path) -> tuple[Path, dict[str, object]]:
    work = tmp_path / "agent"
    shutil.copytree(AGENT, work, ignore=shutil.ignore_patterns("__pycache__"))
    archive = SourceArchive.from_dir(work)
    props = {
        "name": "agent-x",
        "source": "internal_source",
        "source_dir": str(work),
        "source_hash": archive.content_hash,
        "source_revision_config": {"langgraph_config_path": "langgraph.json"},
    }
    return work, props


def test_unchanged_files_give_the_planned_archive(tmp_path: Path) -> None:
    work, props = planned(tmp_path)
    (work / "debug.log").write_text("ignored by .gitignore\n")
    assert reread(typed(props)).content_hash == props["source_hash"]


def test_files_changed_after_the_preview_stop_the_apply(tmp_path: Path) -> None:
    work, props = planned(tmp_path)
    (work / "graph.py").write_text("# edited between preview and up\n")
    with pytest.raises(SourceUploadError, match=r"agent-x: source_dir: the files in .* changed after the preview"):
        reread(typed(props))


def test_a_directory_gone_at_apply_names_the_property(tmp_path: Path) -> None:
    work, props = planned(tmp_path)
    shutil.rmtree(work)
    with pytest.raises(SourceUploadError, match=r"agent-x: source_dir: the directory .* does not exist"):
        reread(typed(props))


def test_refresh_sees_code_rolled_out_from_elsewhere() -> None:
    from pulumi_langsmith.deployment.changes import refreshed_source_hash
    from pulumi_langsmith.source_archive import SOURCE_HASH_ENV

    ours = {"secrets": [{"name": "A", "value": "1"}, {"name": SOURCE_HASH_ENV, "value": "h1"}]}
    elsewhere = {"secrets": [{"name": "A", "value": "1"}]}  # `langgraph deploy` sends only its env
    masked = {"secrets": [{"name": SOURCE_HASH_ENV, "value": "****"}]}
    assert refreshed_source_hash("h1", ours) == "h1"
    assert refreshed_source_hash("h1", elsewhere) is None  # the next preview rolls the files out again
    assert refreshed_source_hash("h1", masked) == "h1"
    assert refreshed_source_hash(None, ours) is None
