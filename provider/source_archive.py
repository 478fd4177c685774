"""The source archive of a Deployment built from a local directory (issue 14): exactly the files
`langgraph deploy --remote` (langgraph-cli 0.4.40) would upload, a content hash for the diff, and a
deterministic gzip tarball to upload. Pure: reads the directory, never the network.

Design note for the wiring (Deployment input `source_dir`, create/update, emulator upload route)
-----------------------------------------------------------------------------------------------
Preview and up (in the program, where a relative `source_dir` means what the user sees):
  `SourceArchive.from_dir(source_dir, langgraph_config_path)` validates and hashes. Every bad input
  (missing directory, missing or invalid langgraph.json, a config path or local dependency outside
  the directory, an archive over `MAX_ARCHIVE_BYTES`) raises `SourceDirError` here, before any
  request: zero writes. The diff sees `content_hash` (and `config_path`), never the absolute path,
  so moving the checkout is not a change. Outputs: `source_hash`, `source_archive_bytes`, `source_file_count`.

Create (the vendor CLI's `RemoteBuildSource.run` -> `_resolve_or_create` + `_run_remote_build`):
  1. `POST /v2/deployments` with `source: "internal_source"`, `source_config: {deployment_type}`
     (plus `install_command` / `build_command` when set), `source_revision_config: {}` and the
     secrets (with the ownership tag). No revision exists yet (`latest_revision_id` null).
  2. `POST /v2/deployments/{id}/upload-url` with `{"supports_upload_headers": true}`
     (`host_backend.request_upload_url`) -> `upload_url`, `object_path`, optional `upload_headers`.
  3. `PUT upload_url` with `build_tarball()` and `upload_request_headers(...)`: `Content-Type:
     application/gzip`, `Content-Length`, plus the returned headers, or `X-Goog-Content-Length-Range:
     0,209715200` when none are returned (`deploy._upload_source_tarball`). Only a 2xx PUT counts;
     a failed or cut-off upload is retried from step 2 (a fresh URL) or reported, and no PATCH is
     sent for it.
  4. `PATCH /v2/deployments/{id}` (`host_backend.update_deployment_internal_source`) with
     `revision_source: "internal_source"`, `source_revision_config: {source_tarball_path:
     object_path, langgraph_config_path: archive.config_path}`, `source_config: {install_command?,
     build_command?}`, `secrets` (including `SOURCE_HASH_ENV = content_hash`, see below). Then wait
     for DEPLOYED as for other sources (the CLI polls every 3 s, 900 s limit, for remote builds).
Update: a changed `content_hash` (or config path, commands, secrets) -> steps 2-4 on the existing
deployment: one new revision. An unchanged hash -> no upload, no revision.

Convergence after a killed run. `object_path` is chosen by the service (the request carries no name),
so it cannot carry our hash. The hash travels instead in the same PATCH that creates the revision, as
the env var `SOURCE_HASH_ENV` in `secrets` (like the provider's `PULUMI_LANGSMITH_OWNER` ownership tag);
secrets are a revision input, the PATCH is atomic, and GET returns env values.
  - Killed between upload and PATCH: no revision refers to the object (it stays unreferenced in the
    bucket); the deployment's env does not carry the new hash, so the next `up` (state still holds the
    old hash, or no state for a create: resumed by the ownership tag) uploads again and PATCHes once.
  - Killed after the PATCH, before Pulumi saved state: the next `up` reads the deployment, sees
    `SOURCE_HASH_ENV == content_hash` and the same `langgraph_config_path` on the latest revision,
    and waits for that revision instead of PATCHing again (the existing `_rolling_out` rule): no
    duplicate revision.
A tarball built twice from the same content has the same bytes on one machine (fixed mtimes, owner,
order, gzip header), so a retried upload sends identical bytes; `content_hash` does not depend on
the gzip output at all, so it is also stable across machines and zlib builds.

Where this deliberately differs from the CLI: files named `.env` or `.env.*` (and the file the
config's `"env"` names) are never archived: they hold the secrets the CLI sends as `secrets`, and the
CLI's own generated `.dockerignore` (`cli._get_docker_ignore_content`) excludes them too.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import stat
import tarfile
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

import pathspec

MAX_ARCHIVE_BYTES = 200 * 1024 * 1024
"""The service's limit: the CLI signs uploads for `X-Goog-Content-Length-Range: 0,209715200`
(`deploy._GCS_SIZE_RANGE`) and refuses bigger archives (`archive._MAX_SIZE`)."""

UPLOAD_CONTENT_TYPE = "application/gzip"
DEFAULT_UPLOAD_HEADERS: Mapping[str, str] = {"X-Goog-Content-Length-Range": "0,209715200"}
"""What the CLI sends when the control plane returns no `upload_headers`."""

SOURCE_HASH_ENV = "PULUMI_LANGSMITH_SOURCE_HASH"
"""Env var the wiring sends with each internal_source PATCH, so a rerun can tell the latest revision
already carries this content (see the design note)."""

# langgraph_cli._ignore._ALWAYS_EXCLUDE (0.4.40): merged into every ignore spec.
ALWAYS_EXCLUDE = ("__pycache__/", ".git/", ".venv/", "venv/", "node_modules/", ".tox/", ".mypy_cache/")
# langgraph_cli._ignore._build_ignore_spec reads these files at the top of each archived directory
# (never nested ones), .dockerignore first, both for archives (include_gitignore=True).
IGNORE_FILES = (".dockerignore", ".gitignore")

_HASH_VERSION = b"langsmith-source-archive/v1\n"
_FIXED_MTIME = 315532800  # 1980-01-01: fixed so the same content gives the same bytes; >= any zip epoch
_CHUNK = 1 << 20


class SourceDirError(ValueError):
    """A `source_dir` that cannot be deployed; the message names the property and the path."""

    def __init__(self, prop: str, path: str | Path, reason: str) -> None:
        self.property = prop
        self.path = str(path)
        super().__init__(f"{prop}: {reason}")


@dataclass(frozen=True)
class SourceFile:
    """One archived file: its name inside the archive and what the hash covers."""

    arcname: str
    path: Path = field(compare=False)
    executable: bool
    size: int
    sha256: str


@dataclass(frozen=True)
class SourceArchive:
    """The files the CLI would upload for a project, in a fixed order, with their content hash."""

    source_dir: Path
    root: Path
    """The archive root: the config's directory, or the common ancestor with its local
    dependencies outside it (`archive.create_archive`)."""
    config_path: str
    """The config's path inside the archive: what the CLI sends as `langgraph_config_path`."""
    files: tuple[SourceFile, ...]
    content_hash: str
    size_bytes: int
    """The size of the gzip tarball `build_tarball` returns."""

    @property
    def file_count(self) -> int:
        return len(self.files)

    @classmethod
    def from_dir(cls, path: str | Path, config_path: str = "langgraph.json") -> SourceArchive:
        """Validate, collect and hash; raises `SourceDirError` before anything is written."""
        source_dir, config_file = _validate_paths(path, config_path)
        config = _load_config(config_file)
        contexts = _contexts(source_dir, config_file, config)
        root = contexts[0][0]
        for directory, _ in contexts[1:]:
            root = Path(os.path.commonpath([root, directory]))
        excluded = _secret_paths(config_file, config)
        chosen: dict[str, SourceFile] = {}
        seen_inodes: set[tuple[int, int]] = set()
        for directory, _ in contexts:
            prefix = directory.relative_to(root).as_posix()
            for rel, full in collect_files(directory):
                arcname = rel if prefix == "." else f"{prefix}/{rel}"
                if arcname in chosen or _is_secret_file(rel) or full in excluded:
                    continue
                entry = _source_file(arcname, full, seen_inodes)
                if entry is not None:
                    chosen[arcname] = entry
        files = tuple(chosen[name] for name in sorted(chosen))
        config_rel = config_file.relative_to(root).as_posix()
        if config_rel not in chosen:
            raise SourceDirError(
                "langgraph_config_path",
                config_file,
                f"{config_file} is excluded by the ignore rules ({', '.join(IGNORE_FILES)} or the built-in ones), "
                "so the archive would not contain it",
            )
        digest = _content_hash(config_rel, files)
        unsized = cls(source_dir, root, config_rel, files, digest, 0)
        counter = _CountingSink(limit=MAX_ARCHIVE_BYTES)
        try:
            unsized.write_tarball(counter)
        except _TooLarge:
            raise SourceDirError(
                "source_dir",
                source_dir,
                f"the source archive of {source_dir} ({len(files)} files) is over the service's limit of "
                f"{MAX_ARCHIVE_BYTES / (1024 * 1024):g} MiB ({MAX_ARCHIVE_BYTES} bytes) compressed. "
                "Add large files (model weights, data sets) to .gitignore or .dockerignore",
            ) from None
        return cls(source_dir, root, config_rel, files, digest, counter.count)

    def build_tarball(self) -> bytes:
        """The gzip tarball to upload; the same content always gives the same bytes (on one zlib)."""
        buffer = io.BytesIO()
        self.write_tarball(buffer)
        return buffer.getvalue()

    def write_tarball(self, sink: _Sink) -> int:
        """Stream the tarball into `sink` (a file for big archives); returns its size. Fails if a file
        changed since `from_dir`, so the upload always matches `content_hash`."""
        counter = _CountingSink(forward=sink)
        # gzip.GzipFile rather than tarfile's "w:gz": that one stamps the current time in the header.
        with (
            gzip.GzipFile(filename="", mode="wb", fileobj=counter, mtime=0, compresslevel=9) as gz,
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            for entry in self.files:
                try:
                    handle = entry.path.open("rb")
                except OSError as exc:
                    raise _changed_error(entry, self.source_dir, str(exc)) from None
                with handle:
                    tar.addfile(_tarinfo(entry), _VerifyingReader(entry, handle, self.source_dir))
        return counter.count


def collect_files(directory: Path) -> Iterator[tuple[str, Path]]:
    """The files `archive._add_directory` keeps under `directory`, as (posix relative path, path),
    sorted. Same rules: one `_build_ignore_spec(directory)` (built-in excludes + the top-level
    .dockerignore and .gitignore, gitwildmatch), a directory pruned when `rel/` matches, a file
    skipped when `rel` matches; symlinks are never followed nor archived (`archive._tar_filter`)."""
    spec = ignore_spec(directory)
    for top, dirs, files in os.walk(directory):
        rel_top = Path(top).relative_to(directory).as_posix()
        base = "" if rel_top == "." else f"{rel_top}/"
        dirs[:] = sorted(d for d in dirs if not spec.match_file(f"{base}{d}/"))
        for name in sorted(files):
            rel = f"{base}{name}"
            if ".." in rel.split("/") or spec.match_file(rel):
                continue
            yield rel, Path(top, name)


def ignore_spec(directory: Path) -> pathspec.PathSpec[Any]:
    """`_ignore._build_ignore_spec(directory)` of langgraph-cli 0.4.40, pattern for pattern."""
    lines: list[str] = list(ALWAYS_EXCLUDE)
    for name in IGNORE_FILES:
        ignore_file = directory / name
        if ignore_file.is_file():
            try:
                lines.extend(ignore_file.read_text(encoding="utf-8").splitlines())
            except (OSError, UnicodeDecodeError) as exc:
                raise SourceDirError("source_dir", ignore_file, f"cannot read {ignore_file}: {exc}") from None
    with warnings.catch_warnings():
        # The CLI's pattern style; pathspec 1.x deprecates its name, not its semantics.
        warnings.simplefilter("ignore", DeprecationWarning)
        return pathspec.PathSpec.from_lines("gitwildmatch", lines)


def upload_request_headers(returned: Mapping[str, str] | None, size: int) -> dict[str, str]:
    """Headers for the PUT, as `deploy._upload_source_tarball` builds them: a signature may cover
    Content-Type, and a control plane that returns no headers signed for the GCS size range."""
    return {"Content-Type": UPLOAD_CONTENT_TYPE, **(returned or DEFAULT_UPLOAD_HEADERS), "Content-Length": str(size)}


# validation ------------------------------------------------------------------------------------


def _validate_paths(path: str | Path, config_path: str) -> tuple[Path, Path]:
    """(source_dir, config file), both resolved; the config must stay inside the directory."""
    given = Path(path).expanduser()
    if not given.exists():
        raise SourceDirError("source_dir", given, f"the directory {given} does not exist")
    if not given.is_dir():
        raise SourceDirError("source_dir", given, f"{given} is not a directory")
    source_dir = given.resolve()
    if not config_path or PurePosixPath(config_path).is_absolute() or Path(config_path).is_absolute():
        raise SourceDirError(
            "langgraph_config_path",
            config_path,
            f"{config_path!r} must be a path relative to source_dir {source_dir}",
        )
    config_file = (source_dir / config_path).resolve()
    if not config_file.is_relative_to(source_dir):
        raise SourceDirError(
            "langgraph_config_path",
            config_path,
            f"{config_path!r} points outside source_dir {source_dir} (to {config_file})",
        )
    if not config_file.is_file():
        raise SourceDirError(
            "langgraph_config_path",
            config_file,
            f"no file {config_file}: source_dir {source_dir} holds no {config_path!r}",
        )
    return source_dir, config_file


def _load_config(config_file: Path) -> dict[str, Any]:
    """The parsed langgraph.json; the CLI refuses a config it cannot parse, and one without graphs
    deploys nothing."""
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceDirError("langgraph_config_path", config_file, f"cannot read {config_file}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise SourceDirError(
            "langgraph_config_path",
            config_file,
            f"{config_file} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
        ) from None
    if not isinstance(config, dict):
        raise SourceDirError("langgraph_config_path", config_file, f"{config_file} must hold a JSON object")
    graphs = config.get("graphs")
    if not isinstance(graphs, dict) or not graphs:
        raise SourceDirError(
            "langgraph_config_path",
            config_file,
            f'{config_file} has no "graphs": it must map graph ids to "path/to/file.py:graph"',
        )
    dependencies = config.get("dependencies", [])
    if not isinstance(dependencies, list):
        raise SourceDirError("langgraph_config_path", config_file, f'"dependencies" in {config_file} must be a list')
    if _is_python(config, graphs) and not dependencies and config.get("source") is None:
        raise SourceDirError(
            "langgraph_config_path",
            config_file,
            f'{config_file} lists no "dependencies"; a Python project needs at least ["."] '
            "(the CLI refuses it too: config.validate_config)",
        )
    return config


def _is_python(config: Mapping[str, Any], graphs: Mapping[str, Any]) -> bool:
    """`config.validate_config`: a graph whose file is not JS, or an explicit python_version."""
    js = (".ts", ".mts", ".cts", ".js", ".mjs", ".cjs")  # config._is_node_graph
    paths = [g.get("path") if isinstance(g, dict) else g for g in graphs.values()]
    some_python = any(not (isinstance(p, str) and os.path.splitext(p.split(":")[0])[1] in js) for p in paths)
    return some_python or bool(config.get("python_version"))


def _contexts(source_dir: Path, config_file: Path, config: Mapping[str, Any]) -> list[tuple[Path, str]]:
    """The directories the CLI archives: the config's directory, then each local dependency outside
    it (`config._assemble_local_deps` `additional_contexts`), as (directory, dependency); all must
    lie inside `source_dir`."""
    context_dir = config_file.parent
    contexts: list[tuple[Path, str]] = [(context_dir, ".")]
    for dep in config.get("dependencies", []):
        if not isinstance(dep, str) or not dep.startswith("."):
            continue  # a package name or git URL: not a local path (`_assemble_local_deps`)
        resolved = (context_dir / dep).resolve()
        if not resolved.is_dir():
            what = "does not exist" if not resolved.exists() else "is not a directory"
            raise SourceDirError(
                "langgraph_config_path",
                config_file,
                f'the local dependency "{dep}" in {config_file} {what} ({resolved})',
            )
        if not resolved.is_relative_to(source_dir):
            raise SourceDirError(
                "source_dir",
                source_dir,
                f'the local dependency "{dep}" in {config_file} is outside source_dir {source_dir} '
                f"({resolved}); set source_dir to a directory that holds both",
            )
        outside = resolved != context_dir and context_dir not in resolved.parents
        if outside and all(resolved != known for known, _ in contexts):
            contexts.append((resolved, dep))
    return contexts


def _is_secret_file(rel: str) -> bool:
    """`.env` files hold the secrets the CLI sends as `secrets`; never upload them."""
    name = rel.rsplit("/", 1)[-1]
    return name == ".env" or name.startswith(".env.")


def _secret_paths(config_file: Path, config: Mapping[str, Any]) -> frozenset[Path]:
    """The env file the config names (`deploy._resolve_env_path`): secrets, never archived."""
    env = config.get("env")
    if isinstance(env, str) and env:
        return frozenset({(config_file.parent / env).resolve()})
    return frozenset()


# files, hash, tar ------------------------------------------------------------------------------


def _source_file(arcname: str, full: Path, seen_inodes: set[tuple[int, int]]) -> SourceFile | None:
    """A regular file, hashed; None for what the CLI's tar leaves out: symlinks, special files and
    a second name of an already archived inode (tarfile makes it a hard link, `_tar_filter` drops
    it; the first name in sorted order is kept)."""
    try:
        st = full.lstat()
    except OSError as exc:
        raise SourceDirError("source_dir", full, f"cannot read {full}: {exc}") from None
    if not stat.S_ISREG(st.st_mode):
        return None
    if st.st_nlink > 1:
        inode = (st.st_dev, st.st_ino)
        if inode in seen_inodes:
            return None
        seen_inodes.add(inode)
    digest = hashlib.sha256()
    size = 0
    try:
        with full.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise SourceDirError("source_dir", full, f"cannot read {full}: {exc}") from None
    return SourceFile(arcname, full, bool(st.st_mode & 0o111), size, digest.hexdigest())


def _content_hash(config_rel: str, files: Iterable[SourceFile]) -> str:
    """sha256 of a manifest: config path, then per file its name, exec bit and content hash, in
    sorted order. Mtimes, owners and other mode bits are left out: they do not change what runs."""
    digest = hashlib.sha256(_HASH_VERSION)
    digest.update(f"config {json.dumps(config_rel)}\n".encode())
    for entry in files:
        mode = "x" if entry.executable else "-"
        digest.update(f"file {json.dumps(entry.arcname)} {mode} {entry.size} {entry.sha256}\n".encode())
    return digest.hexdigest()


def _tarinfo(entry: SourceFile) -> tarfile.TarInfo:
    info = tarfile.TarInfo(entry.arcname)
    info.size = entry.size
    info.mode = 0o755 if entry.executable else 0o644
    info.mtime = _FIXED_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info


class _VerifyingReader:
    """Feeds a file to the tar and checks it still has the bytes `from_dir` hashed."""

    def __init__(self, entry: SourceFile, handle: IO[bytes], source_dir: Path) -> None:
        self._entry = entry
        self._handle = handle
        self._source_dir = source_dir
        self._digest = hashlib.sha256()
        self._left = entry.size

    def read(self, size: int = -1) -> bytes:
        want = self._left if size < 0 else min(size, self._left)
        data = self._handle.read(want)
        self._digest.update(data)
        self._left -= len(data)
        if len(data) < want:
            raise _changed_error(self._entry, self._source_dir, "it is shorter than when it was hashed")
        if self._left == 0 and self._digest.hexdigest() != self._entry.sha256:
            raise _changed_error(self._entry, self._source_dir, "its content differs from when it was hashed")
        return data


def _changed_error(entry: SourceFile, source_dir: Path, why: str) -> SourceDirError:
    return SourceDirError(
        "source_dir",
        entry.path,
        f"{entry.path} changed while the archive of {source_dir} was being built ({why}); run again",
    )


class _Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


class _TooLarge(Exception):
    pass


class _CountingSink(io.RawIOBase):
    """A write-only stream that counts bytes, forwards them if asked, and stops past `limit`."""

    def __init__(self, forward: _Sink | None = None, limit: int | None = None) -> None:
        super().__init__()
        self.count = 0
        self._forward = forward
        self._limit = limit

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        size = len(data)
        self.count += size
        if self._limit is not None and self.count > self._limit:
            raise _TooLarge
        if self._forward is not None:
            self._forward.write(data)
        return size
