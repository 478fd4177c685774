"""The source archive of a Deployment built from a directory: the same files as the vendor CLI's
`langgraph deploy --remote` (checked against the installed langgraph-cli's own `create_archive`),
never a `.env`, a hash that moves only with content that matters, deterministic bytes, clear errors."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import pathspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_langsmith import source_archive
from pulumi_langsmith.source_archive import MAX_ARCHIVE_BYTES, SourceArchive, SourceDirError, upload_request_headers

# The CLI's own create_archive uses pathspec's "gitwildmatch" name, deprecated in pathspec 1.x.
pytestmark = pytest.mark.filterwarnings("ignore:GitWildMatchPattern:DeprecationWarning")

GRAPH = {"graphs": {"agent": "./agent/graph.py:graph"}, "dependencies": ["."]}


def write(root: Path, rel: str, text: str = "x\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def cli_upload(config: Path) -> tuple[set[str], str]:
    """What langgraph-cli 0.4.40 itself archives for this config: (member names, config path)."""
    from langgraph_cli.archive import create_archive
    from langgraph_cli.config import validate_config_file

    with create_archive(config, validate_config_file(config)) as (path, _size, config_rel), tarfile.open(path) as tar:
        return set(tar.getnames()), config_rel


def names(archive: SourceArchive) -> set[str]:
    return {f.arcname for f in archive.files}


def members(archive: SourceArchive) -> dict[str, tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(fileobj=io.BytesIO(archive.build_tarball()), mode="r:gz") as tar:
        out = {}
        for info in tar.getmembers():
            handle = tar.extractfile(info)
            assert handle is not None
            out[info.name] = (info, handle.read())
        return out


SECRETS = (".env", ".env.local", ".env.example", "agent/.env", "agent/.env.production")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project exercising every ignore rule of the CLI: built-in excludes, anchored, unanchored,
    negated and `**` patterns from .gitignore, .dockerignore, a nested .gitignore (not read),
    symlinks, an executable, non-ASCII names, secret files."""
    root = tmp_path / "proj"
    write(root, "langgraph.json", json.dumps(GRAPH))
    write(root, "agent/__init__.py", "")
    write(root, "agent/graph.py", "graph = None\n")
    write(root, "agent/données.txt", "é\n")
    for rel in (
        "agent/__pycache__/graph.cpython-311.pyc",
        ".git/HEAD",
        ".git/objects/ab/cdef",
        ".venv/lib/site.py",
        "venv/bin/python",
        "node_modules/pkg/index.js",
        "web/node_modules/x/index.js",
        ".tox/py311/log",
        ".mypy_cache/3.11/x.json",
        "app.log",
        "agent/debug.log",
        "data/big.bin",
        "build/out.js",
        "agent/build/y.js",
        "tmp/t.txt",
        "agent/tmp",
        "x.bak",
        "docs/a/b/draft.md",
        "docs/draft.md",
        "secret_token.txt",
        "build2/keep.js",
        "rooted.txt",
    ):
        write(root, rel)
    for rel in ("keep.log", "agent/data/x.csv", "docs/index.md", "agent/venv", "sub/.git", "agent/rooted.txt"):
        write(root, rel)
    for rel in SECRETS:
        write(root, rel, "OPENAI_API_KEY=sk-very-secret\n")
    gitignore = ["# comment", "*.log", "!keep.log", "/data/", "build/", "secret_*.txt", "docs/**/draft.md"]
    gitignore += ["/rooted.txt"]
    gitignore += ["build2/", "!build2/keep.js"]  # a file in a pruned directory is not re-included
    write(root, ".gitignore", "\n".join(gitignore) + "\n")
    write(root, ".dockerignore", "tmp\n*.bak\n")
    write(root, "agent/.gitignore", "*.py\n")  # the CLI reads only the top-level ignore files
    script = write(root, "run.sh", "#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    (root / "empty").mkdir()
    (root / "link.py").symlink_to(root / "agent/graph.py")
    (root / "dirlink").symlink_to(root / "agent", target_is_directory=True)
    (root / "dangling").symlink_to(root / "nowhere")
    return root


def test_same_files_as_the_vendor_cli(project: Path) -> None:
    cli_names, cli_config = cli_upload(project / "langgraph.json")
    archive = SourceArchive.from_dir(project)
    assert archive.config_path == cli_config == "langgraph.json"
    # The one deliberate difference: the CLI would upload the .env files; we never do.
    assert set(SECRETS) <= cli_names
    assert names(archive) == cli_names - set(SECRETS)
    # The fixture does exercise the rules: things kept and things dropped on both sides.
    assert {"keep.log", "agent/data/x.csv", "agent/venv", "sub/.git", "agent/graph.py", "run.sh"} <= names(archive)
    assert not {"app.log", "data/big.bin", "agent/tmp", "link.py", "docs/draft.md", "rooted.txt"} & cli_names
    assert "build2/keep.js" not in cli_names
    assert "agent/rooted.txt" in cli_names


def test_the_ignore_spec_is_the_clis_pattern_for_pattern(project: Path) -> None:
    """Same lines, same pattern class, same regexes as `_ignore._build_ignore_spec`."""
    from langgraph_cli._ignore import _build_ignore_spec

    def shape(spec: pathspec.PathSpec[Any]) -> list[tuple[str, str | None, bool | None]]:
        return [(type(p).__name__, getattr(p.regex, "pattern", None), p.include) for p in spec.patterns]

    assert shape(source_archive.ignore_spec(project)) == shape(_build_ignore_spec(project))


def test_same_layout_as_the_cli_for_a_monorepo(tmp_path: Path) -> None:
    """A local dependency outside the config's directory: the CLI archives from the common
    ancestor, each directory with its own ignore files, and nothing else under it."""
    write(tmp_path, "README.md")
    write(tmp_path, "shared/util.py")
    write(tmp_path, "shared/scratch.tmp")
    write(tmp_path, "shared/.gitignore", "*.tmp\n")
    write(tmp_path, "agent/graph.py")
    write(tmp_path, "agent/notes.tmp")
    config = {"graphs": {"a": "./graph.py:graph"}, "dependencies": [".", "../shared"]}
    write(tmp_path, "agent/langgraph.json", json.dumps(config))
    cli_names, cli_config = cli_upload(tmp_path / "agent/langgraph.json")
    archive = SourceArchive.from_dir(tmp_path, "agent/langgraph.json")
    assert (archive.config_path, names(archive)) == (cli_config, cli_names)
    assert cli_config == "agent/langgraph.json"
    assert "agent/notes.tmp" in cli_names and "shared/scratch.tmp" not in cli_names
    assert "README.md" not in cli_names


def test_nested_config_archives_its_directory_like_the_cli(tmp_path: Path) -> None:
    write(tmp_path, "other/file.py")
    write(tmp_path, "agent/graph.py")
    write(tmp_path, "agent/langgraph.json", json.dumps({"graphs": {"a": "./graph.py:graph"}, "dependencies": ["."]}))
    cli_names, cli_config = cli_upload(tmp_path / "agent/langgraph.json")
    archive = SourceArchive.from_dir(tmp_path, "agent/langgraph.json")
    assert (archive.config_path, names(archive)) == (cli_config, cli_names) == ("langgraph.json", cli_names)
    assert archive.root == (tmp_path / "agent").resolve()


def test_a_js_project_needs_no_dependencies_and_matches_the_cli(tmp_path: Path) -> None:
    write(tmp_path, "langgraph.json", json.dumps({"graphs": {"a": "./src/graph.ts:graph"}, "node_version": "20"}))
    write(tmp_path, "src/graph.ts", "export const graph = 1;\n")
    write(tmp_path, "package.json", json.dumps({"name": "agent", "engines": {"node": "20"}}))
    write(tmp_path, "node_modules/left-pad/index.js")
    write(tmp_path, "dist/graph.js")
    write(tmp_path, ".gitignore", "dist\n")
    cli_names, cli_config = cli_upload(tmp_path / "langgraph.json")
    archive = SourceArchive.from_dir(tmp_path)
    assert (archive.config_path, names(archive)) == (cli_config, cli_names)
    assert names(archive) == {".gitignore", "langgraph.json", "package.json", "src/graph.ts"}


SEGMENTS = st.sampled_from(["a", "b", "lib", "build", "data", ".cache", "node_modules", "x.py", "y.log", "z.txt"])
PATTERNS = st.sampled_from(
    [
        "*.log",
        "!y.log",
        "/a/",
        "build",
        "build/",
        "data/**",
        "!data/keep.txt",
        "**/z.txt",
        "a/*.py",
        "lib/**/x.py",
        "/z.txt",
        "*.py",
        "!lib/",
        ".cache",
        "b/",
        "# comment",
        "",
        "\\#hash",
        "a/b",
        "?.txt",
        "[xy].py",
        "/*",
        "!/a",
        "!*.json",
        "*/",
        "!b/",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    paths=st.lists(st.lists(SEGMENTS, min_size=1, max_size=4), min_size=1, max_size=12),
    gitignore=st.lists(PATTERNS, max_size=6),
    dockerignore=st.lists(PATTERNS, max_size=3),
)
def test_same_files_as_the_cli_on_random_trees(
    paths: list[list[str]], gitignore: list[str], dockerignore: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for parts in paths:
            target = root.joinpath(*parts)
            if any(p.is_file() for p in [*target.parents, target] if p != root) or target.is_dir():
                continue  # a file where a directory is wanted, or the reverse
            write(root, "/".join(parts))
        write(root, "langgraph.json", json.dumps({"graphs": {"g": "./g.py:graph"}, "dependencies": ["."]}))
        write(root, ".gitignore", "\n".join(gitignore) + "\n")
        write(root, ".dockerignore", "\n".join(dockerignore) + "\n")
        try:
            cli_names, cli_config = cli_upload(root / "langgraph.json")
        except click.ClickException as exc:  # the config itself is ignored: both refuse
            assert "not found in archive" in exc.message
            with pytest.raises(SourceDirError, match="excluded by the ignore rules"):
                SourceArchive.from_dir(root)
            return
        archive = SourceArchive.from_dir(root)
        assert (archive.config_path, names(archive)) == (cli_config, cli_names)


def test_env_files_are_never_archived(project: Path) -> None:
    """Not even when the ignore files re-include them, nor the env file the config names."""
    write(project, ".dockerignore", "!.env\n!*.env\n")
    write(project, "config/secrets.env", "TOKEN=sk-very-secret\n")
    write(project, "langgraph.json", json.dumps({**GRAPH, "env": "./config/secrets.env"}))
    archive = SourceArchive.from_dir(project)
    assert not set(SECRETS) & names(archive)
    assert "config/secrets.env" not in names(archive)
    assert b"sk-very-secret" not in gzip.decompress(archive.build_tarball())
    assert "config/secrets.env" in cli_upload(project / "langgraph.json")[0]


def test_ignored_files_and_mtimes_do_not_change_the_hash(project: Path) -> None:
    before = SourceArchive.from_dir(project)
    os.utime(project / "app.log", (1, 1))  # touch an ignored file
    write(project, "data/big.bin", "edited\n")  # edit one
    write(project, "build/new.js")  # add one
    write(project, ".env", "OPENAI_API_KEY=rotated\n")  # edit a secret file
    write(project, "agent/__pycache__/other.pyc")
    os.utime(project / "agent/graph.py", (2, 2))  # touch a real file
    (project / "agent/données.txt").chmod(0o600)  # a mode bit that does not matter
    after = SourceArchive.from_dir(project)
    assert after.content_hash == before.content_hash
    assert after.build_tarball() == before.build_tarball()


@pytest.mark.parametrize(
    "change",
    ["edit", "add", "remove", "rename", "chmod +x", "unignore"],
)
def test_a_change_that_matters_changes_the_hash(project: Path, change: str) -> None:
    before = SourceArchive.from_dir(project).content_hash
    graph = project / "agent/graph.py"
    if change == "edit":
        write(project, "agent/graph.py", "graph = 1\n")
    elif change == "add":
        write(project, "agent/tools.py")
    elif change == "remove":
        (project / "agent/données.txt").unlink()
    elif change == "rename":
        graph.rename(project / "agent/graph2.py")
    elif change == "chmod +x":
        graph.chmod(0o755)
    else:
        write(project, ".gitignore", "")
    assert SourceArchive.from_dir(project).content_hash != before


def test_same_content_elsewhere_gives_the_same_hash_and_bytes(project: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(project, tmp_path / "elsewhere" / "copy", symlinks=True)
    a, b = SourceArchive.from_dir(project), SourceArchive.from_dir(copy)
    assert (a.content_hash, a.file_count, a.size_bytes) == (b.content_hash, b.file_count, b.size_bytes)
    assert a.build_tarball() == b.build_tarball()


def test_the_tarball_is_deterministic_and_holds_the_files(project: Path) -> None:
    archive = SourceArchive.from_dir(project)
    data = archive.build_tarball()
    assert data == archive.build_tarball()
    assert archive.size_bytes == len(data)
    assert data[4:8] == b"\0\0\0\0"  # gzip header mtime
    got = members(archive)
    assert list(got) == sorted(got) == [f.arcname for f in archive.files]
    for info, content in got.values():
        assert info.isreg() and (info.mtime, info.uid, info.gid, info.uname) == (315532800, 0, 0, "")
        assert content == (project / info.name).read_bytes()
    assert got["run.sh"][0].mode == 0o755 and got["agent/graph.py"][0].mode == 0o644
    assert archive.file_count == len(got)


def test_a_file_changed_after_hashing_is_refused(project: Path) -> None:
    archive = SourceArchive.from_dir(project)
    write(project, "agent/graph.py", "graph = 'other'\n")
    with pytest.raises(SourceDirError) as err:
        archive.build_tarball()
    assert err.value.property == "source_dir" and str(project / "agent/graph.py") in str(err.value)
    write(project, "agent/graph.py", "")
    with pytest.raises(SourceDirError, match="shorter"):
        archive.build_tarball()


def test_a_second_name_of_a_hard_link_is_left_out_like_the_cli(tmp_path: Path) -> None:
    write(tmp_path, "langgraph.json", json.dumps({"graphs": {"a": "./a.py:graph"}, "dependencies": ["."]}))
    write(tmp_path, "a.py")
    os.link(tmp_path / "a.py", tmp_path / "b.py")
    assert names(SourceArchive.from_dir(tmp_path)) == {"a.py", "langgraph.json"}
    assert len(cli_upload(tmp_path / "langgraph.json")[0]) == 2


@contextmanager
def case(tmp_path: Path, name: str) -> Iterator[tuple[Path, str]]:
    """A broken project per error case: (source_dir, config_path)."""
    root = tmp_path / "proj"
    write(root, "graph.py")
    config = "langgraph.json"
    good = json.dumps({"graphs": {"a": "./graph.py:graph"}, "dependencies": ["."]})
    if name == "missing dir":
        root = tmp_path / "nope"
    elif name == "not a dir":
        root = root / "graph.py"
    elif name == "no config":
        pass
    elif name == "absolute config path":
        write(root, "langgraph.json", good)
        config = str(root / "langgraph.json")
    elif name == "config outside":
        write(tmp_path, "other/langgraph.json", good)
        config = "../other/langgraph.json"
    elif name == "config symlink outside":
        write(tmp_path, "other/langgraph.json", good)
        (root / "langgraph.json").symlink_to(tmp_path / "other/langgraph.json")
    elif name == "invalid json":
        write(root, "langgraph.json", '{"graphs": ')
    elif name == "not an object":
        write(root, "langgraph.json", "[]")
    elif name == "no graphs":
        write(root, "langgraph.json", "{}")
    elif name == "no dependencies":
        write(root, "langgraph.json", json.dumps({"graphs": {"a": "./graph.py:graph"}}))
    elif name == "bad dependencies":
        write(root, "langgraph.json", json.dumps({"graphs": {"a": "x"}, "dependencies": "."}))
    elif name == "missing dependency":
        write(root, "langgraph.json", json.dumps({"graphs": {"a": "x"}, "dependencies": ["./lib"]}))
    elif name == "dependency outside":
        write(tmp_path, "shared/util.py")
        write(root, "langgraph.json", json.dumps({"graphs": {"a": "x"}, "dependencies": [".", "../shared"]}))
    elif name == "config ignored":
        write(root, "langgraph.json", good)
        write(root, ".gitignore", "*.json\n")
    yield root, config


ERRORS = {
    "missing dir": ("source_dir", "does not exist"),
    "not a dir": ("source_dir", "is not a directory"),
    "no config": ("langgraph_config_path", "no file"),
    "absolute config path": ("langgraph_config_path", "relative"),
    "config outside": ("langgraph_config_path", "outside source_dir"),
    "config symlink outside": ("langgraph_config_path", "outside source_dir"),
    "invalid json": ("langgraph_config_path", "not valid JSON"),
    "not an object": ("langgraph_config_path", "JSON object"),
    "no graphs": ("langgraph_config_path", '"graphs"'),
    "no dependencies": ("langgraph_config_path", 'no "dependencies"'),
    "bad dependencies": ("langgraph_config_path", '"dependencies"'),
    "missing dependency": ("langgraph_config_path", "does not exist"),
    "dependency outside": ("source_dir", "outside source_dir"),
    "config ignored": ("langgraph_config_path", "excluded by the ignore rules"),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_each_bad_input_names_the_property_and_the_path(tmp_path: Path, name: str) -> None:
    prop, words = ERRORS[name]
    with case(tmp_path, name) as (root, config), pytest.raises(SourceDirError) as err:
        SourceArchive.from_dir(root, config)
    message = str(err.value)
    assert isinstance(err.value, ValueError)
    assert err.value.property == prop and message.startswith(f"{prop}: ")
    assert words in message
    assert err.value.path in message and str(tmp_path) in message
    assert "\n" not in message


def test_an_archive_over_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_ARCHIVE_BYTES == 209715200  # X-Goog-Content-Length-Range: 0,209715200
    write(tmp_path, "langgraph.json", json.dumps({"graphs": {"a": "./a.py:graph"}, "dependencies": ["."]}))
    (tmp_path / "weights.bin").write_bytes(os.urandom(64 * 1024))  # incompressible
    size = SourceArchive.from_dir(tmp_path).size_bytes
    monkeypatch.setattr(source_archive, "MAX_ARCHIVE_BYTES", size)
    assert SourceArchive.from_dir(tmp_path).size_bytes == size  # the limit itself is allowed, as in the CLI
    monkeypatch.setattr(source_archive, "MAX_ARCHIVE_BYTES", size - 1)
    with pytest.raises(SourceDirError) as err:
        SourceArchive.from_dir(tmp_path)
    assert err.value.property == "source_dir" and str(tmp_path) in str(err.value)
    assert "limit" in str(err.value) and ".gitignore" in str(err.value)
    write(tmp_path, ".gitignore", "*.bin\n")  # the fix the message suggests
    assert names(SourceArchive.from_dir(tmp_path)) == {".gitignore", "langgraph.json"}


def test_upload_headers_are_the_clis() -> None:
    assert upload_request_headers(None, 42) == {
        "Content-Type": "application/gzip",
        "X-Goog-Content-Length-Range": "0,209715200",
        "Content-Length": "42",
    }
    signed = {"x-amz-meta-deployment": "d-1", "Content-Type": "application/gzip"}
    assert upload_request_headers(signed, 7) == {**signed, "Content-Length": "7"}
