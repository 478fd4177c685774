"""Real builds of LangGraph projects: an isolated, content-cached virtualenv plus a graph import check.

Cache key (see `env_key`): the interpreter's version, the pinned Agent Server packages, and the
dependency spec of `langgraph.json` with, for each local dependency directory, the contents of the
files that declare its packages (`DEP_SPEC_FILES`). Source code is deliberately not in the key: a
code-only change reuses the environment, and the revision's own directories are put first on
`PYTHONPATH` when its graphs are imported or served, so the code that runs is always the revision's
(the same effect as the `pip install -e /deps/...` of the vendor CLI's images). A local dependency
with a `pyproject.toml`/`setup.py` is also `pip install`ed, for its third-party requirements; its
installed copy is shadowed by the revision's directory.

Two layers: the Agent Server packages are installed once per interpreter into a shared "server layer"
(`<root>/base/<key>`); each project environment (`<root>/envs/<key>`) is a fresh venv that sees that
layer through a `.pth` file, so pip installs only what the project adds (a project may still pin other
versions: its own site-packages comes first). A new dependency set then costs seconds, not a minute.

Builds of the same key are serialised by a file lock; an environment counts as built only once its
`.ready` marker is written, so a killed build is redone, never half-used. Failed installs are not cached.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .logs import LogLine, LogRecorder, LogSink, run_logged

#: The Agent Server `langgraph dev` runs (`langgraph-cli[inmem]`), pinned to versions that resolve together on 3.11.
SERVER_PACKAGES = ("langgraph-api==0.16.7", "langgraph-runtime-inmem==0.36.7")
#: Files of a local dependency that define what gets installed; their contents are part of the cache key.
DEP_SPEC_FILES = ("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt")
#: Environment variable naming a cache directory shared between runs (CI caches it).
CACHE_ENV_VAR = "LANGSMITH_EMULATOR_AGENT_CACHE"
DEFAULT_CACHE_DIR = Path(".emulator") / "agents"
#: Host variables a child may need to reach the package index; nothing else leaks from the emulator's environment.
PASSTHROUGH_ENV = (
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_TRUSTED_HOST",
    "PIP_FIND_LINKS",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)
_HERE = Path(__file__).resolve().parent
VALIDATE_SCRIPT = _HERE / "_validate.py"


class ProjectError(ValueError):
    """A `langgraph.json` that cannot be built; the message names the property."""


@dataclass(frozen=True)
class Project:
    """What a build needs from a `langgraph.json`."""

    root: Path
    graphs: dict[str, Any]
    dependencies: tuple[str, ...]
    local_dirs: tuple[Path, ...]
    env: dict[str, str]
    python_version: str | None
    config: dict[str, Any] = field(repr=False)

    def pythonpath(self) -> list[str]:
        """Revision code first: each local dependency directory, and its `src/` layout if any."""
        paths: list[str] = []
        for directory in self.local_dirs:
            paths.append(str(directory))
            if (directory / "src").is_dir():
                paths.append(str(directory / "src"))
        if str(self.root) not in paths:
            paths.append(str(self.root))
        return paths


def _is_local(dep: str) -> bool:
    """`langgraph.json` marks local dependencies as paths ("." or "./pkg"), everything else is a requirement."""
    return dep == "." or dep.startswith(("./", "../", "/"))


def _read_env(source: Path, root: Path, value: Any) -> dict[str, str]:
    """`env` is a dict or a dotenv file in the project; a missing file means no variables, as `langgraph dev`."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    if not isinstance(value, str):
        raise ProjectError("langgraph.json: 'env' must be an object or a file path")
    path = (root / value).resolve()
    if not path.is_relative_to(source):
        raise ProjectError(f"langgraph.json: 'env' file {value!r} is outside the project directory")
    if not path.is_file():
        return {}
    env: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, val = line.removeprefix("export ").partition("=")
        env[key.strip()] = val.strip().strip("'\"")
    return env


def load_project(project_dir: str | os.PathLike[str], config: str = "langgraph.json") -> Project:
    """Parses and checks a project's `langgraph.json` before anything is installed.

    `config` is relative to `project_dir` (the unpacked source, like `langgraph_config_path`); paths in
    it are relative to the config's own directory, as for `langgraph dev`, and must stay inside
    `project_dir`.
    """
    source = Path(project_dir).resolve()
    config_path = (source / config).resolve()
    if not config_path.is_relative_to(source):
        raise ProjectError(f"{config}: the config path is outside the project directory")
    if not config_path.is_file():
        raise ProjectError(f"{config}: not found in {source}")
    root = config_path.parent
    try:
        data = json.loads(config_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ProjectError(f"{config}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ProjectError(f"{config}: must be a JSON object")
    if data.get("node_version") and not data.get("python_version"):
        raise ProjectError(f"{config}: 'node_version': JavaScript graphs are not supported by the local runner")
    graphs = data.get("graphs")
    if not isinstance(graphs, dict) or not graphs:
        raise ProjectError(f"{config}: 'graphs' must be a non-empty object of name -> './file.py:variable'")
    for name, spec in graphs.items():
        target = spec.get("path") if isinstance(spec, dict) else spec
        if not isinstance(target, str) or ":" not in target:
            raise ProjectError(f"{config}: 'graphs.{name}' must be './file.py:variable' or 'module:variable'")
    deps = data.get("dependencies", [])
    if not isinstance(deps, list) or not all(isinstance(d, str) and d.strip() for d in deps):
        raise ProjectError(f"{config}: 'dependencies' must be a list of strings")
    local_dirs: list[Path] = []
    for dep in deps:
        if _is_local(dep):
            directory = (root / dep).resolve()
            if not directory.is_relative_to(source):
                raise ProjectError(f"{config}: 'dependencies' entry {dep!r} is outside the project directory")
            if not directory.is_dir():
                raise ProjectError(f"{config}: 'dependencies' entry {dep!r} is not a directory")
            local_dirs.append(directory)
    python_version = data.get("python_version")
    if python_version is not None and not isinstance(python_version, str):
        raise ProjectError(f"{config}: 'python_version' must be a string like \"3.11\"")
    return Project(
        root=root,
        graphs=dict(graphs),
        dependencies=tuple(deps),
        local_dirs=tuple(local_dirs),
        env=_read_env(source, root, data.get("env")),
        python_version=python_version,
        config=data,
    )


def env_key(project: Project, python_tag: str) -> str:
    """Content hash of everything that decides what is installed (see the module docstring)."""
    deps: list[Any] = []
    for dep in project.dependencies:
        if _is_local(dep):
            directory = (project.root / dep).resolve()
            files = {
                name: hashlib.sha256((directory / name).read_bytes()).hexdigest()
                for name in DEP_SPEC_FILES
                if (directory / name).is_file()
            }
            deps.append({"local": os.path.relpath(directory, project.root), "files": files})
        else:
            deps.append(dep.strip())
    spec = {"python": python_tag, "server": list(SERVER_PACKAGES), "dependencies": deps}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:24]


def pip_arguments(project: Project) -> list[str]:
    """What `pip install` gets: the server packages, then each dependency as the vendor CLI installs it."""
    args = list(SERVER_PACKAGES)
    for dep in project.dependencies:
        if not _is_local(dep):
            args.append(dep.strip())
            continue
        directory = (project.root / dep).resolve()
        if (directory / "pyproject.toml").is_file() or (directory / "setup.py").is_file():
            args.append(str(directory))
        elif (directory / "requirements.txt").is_file():
            args += ["-r", str(directory / "requirements.txt")]
    return args


def host_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A child's environment: the pass-through host variables plus `extra`, never the whole host environment."""
    env = {k: os.environ[k] for k in PASSTHROUGH_ENV if k in os.environ}
    env.setdefault("PATH", os.defpath)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if extra:
        env.update(extra)
    return env


@dataclass(frozen=True)
class BuildResult:
    """The outcome of one build; `logs` is the real pip/import output either way."""

    ok: bool
    project: Project
    env_dir: Path | None
    key: str
    cache_hit: bool
    seconds: float
    logs: list[LogLine]
    error: str | None = None

    @property
    def python(self) -> Path:
        if self.env_dir is None:
            raise RuntimeError("a failed build has no environment")
        return self.env_dir / "bin" / "python"


def _last_error(lines: list[LogLine]) -> str:
    """The line a user needs: pip's last `ERROR:` or the exception line ending a traceback."""
    for line in reversed(lines):
        if line.level == "ERROR" and not line.message.startswith(("Traceback", "Failed to import")):
            return line.message.strip()
    return lines[-1].message.strip() if lines else "build failed"


def _python_for(version: str | None, recorder: LogRecorder) -> str:
    """The `python_version` interpreter if this host has one, else the emulator's own (with a warning)."""
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if version is None or version == running:
        return sys.executable
    found = shutil.which(f"python{version}")
    if found:
        return found
    recorder.emit(f"WARNING: python_version {version} is not installed here; building with Python {running}")
    return sys.executable


def _python_tag(python: str) -> str:
    """The interpreter's version, not its path: worktrees and CI runners have different venv paths."""
    if python == sys.executable:
        return "cpython-{}.{}.{}".format(*sys.version_info[:3])
    return Path(python).name


class EnvCache:
    """Builds projects into virtualenvs under `root`, one per dependency key, reused across builds."""

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        *,
        pip_timeout: float = 900.0,
        import_timeout: float = 120.0,
    ) -> None:
        self.root = Path(root or os.environ.get(CACHE_ENV_VAR) or DEFAULT_CACHE_DIR).resolve()
        self.pip_timeout = pip_timeout
        self.import_timeout = import_timeout

    def env_dir(self, key: str) -> Path:
        return self.root / "envs" / key

    @contextmanager
    def _locked(self, key: str) -> Iterator[None]:
        locks = self.root / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        with open(locks / f"{key}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def build(
        self,
        project_dir: str | os.PathLike[str],
        *,
        env: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
        on_log: LogSink | None = None,
        config: str = "langgraph.json",
    ) -> BuildResult:
        """Installs (or reuses) the environment, then imports every graph with the deployment's env.

        `env`/`secrets` are visible to the graph modules while they import, as on the server; secret
        values never reach the log. Bad `langgraph.json` raises `ProjectError` (nothing installed).
        """
        started = time.monotonic()
        secrets = dict(secrets or {})
        recorder = LogRecorder(secrets=secrets.values(), sink=on_log)
        project = load_project(project_dir, config)
        python = _python_for(project.python_version, recorder)
        key = env_key(project, _python_tag(python))
        env_dir = self.env_dir(key)

        def result(ok: bool, hit: bool, error: str | None = None) -> BuildResult:
            return BuildResult(
                ok, project, env_dir if ok else None, key, hit, time.monotonic() - started, recorder.lines(), error
            )

        with self._locked(key):
            hit = (env_dir / ".ready").is_file()
            if hit:
                recorder.emit(f"Reusing cached environment {key} (dependencies unchanged)")
            else:
                error = self._install(project, python, env_dir, recorder)
                if error is not None:
                    shutil.rmtree(env_dir, ignore_errors=True)
                    return result(False, False, error)
        recorder.emit(f"Importing graphs: {', '.join(project.graphs)}")
        child_env = host_env({**project.env, **(env or {}), **secrets})
        child_env["PYTHONPATH"] = os.pathsep.join(project.pythonpath())
        code = run_logged(
            [str(env_dir / "bin" / "python"), str(VALIDATE_SCRIPT), json.dumps(project.graphs)],
            recorder,
            cwd=project.root,
            env=child_env,
            timeout=self.import_timeout,
        )
        if code != 0:
            error = _last_error(recorder.lines())
            recorder.emit(f"ERROR: graph import failed: {error}", "ERROR")
            return result(False, hit, error)
        recorder.emit(f"Build succeeded in {time.monotonic() - started:.1f}s")
        return result(True, hit)

    def _install(self, project: Project, python: str, env_dir: Path, recorder: LogRecorder) -> str | None:
        """Creates the project's venv on top of the shared server layer; returns the error line, or None."""
        base = self._ensure_base(python, project.root, recorder)
        if isinstance(base, str):
            return base
        error = self._venv(python, env_dir, project.root, recorder)
        if error is not None:
            return error
        # The server layer is importable (and counts as installed for pip) through a .pth file; the project's own
        # packages land in its site-packages, which comes first, so a project may still pin other versions.
        (_site_packages(env_dir) / "_emulator_server_layer.pth").write_text(f"{_site_packages(base)}\n")
        args = pip_arguments(project)
        error = self._pip(env_dir, args, project.root, recorder)
        if error is not None:
            return error
        (env_dir / ".ready").write_text(json.dumps({"packages": args, "created": time.time()}) + "\n")
        return None

    def _ensure_base(self, python: str, cwd: Path, recorder: LogRecorder) -> Path | str:
        """The Agent Server packages, installed once per interpreter and shared by every project environment."""
        key = hashlib.sha256(json.dumps([_python_tag(python), *SERVER_PACKAGES]).encode()).hexdigest()[:24]
        base = self.root / "base" / key
        with self._locked(f"base-{key}"):
            if (base / ".ready").is_file():
                recorder.emit(f"Reusing the Agent Server layer {key} ({', '.join(SERVER_PACKAGES)})")
                return base
            error = self._venv(python, base, cwd, recorder) or self._pip(base, list(SERVER_PACKAGES), cwd, recorder)
            if error is not None:
                shutil.rmtree(base, ignore_errors=True)
                return error
            (base / ".ready").write_text(json.dumps({"packages": SERVER_PACKAGES, "created": time.time()}) + "\n")
            return base

    def _venv(self, python: str, env_dir: Path, cwd: Path, recorder: LogRecorder) -> str | None:
        shutil.rmtree(env_dir, ignore_errors=True)
        env_dir.parent.mkdir(parents=True, exist_ok=True)
        recorder.emit(f"Creating virtualenv {env_dir.parent.name}/{env_dir.name} with {Path(python).name}")
        code = run_logged([python, "-m", "venv", str(env_dir)], recorder, cwd=cwd, env=host_env(), timeout=120)
        return None if code == 0 else _last_error(recorder.lines())

    def _pip(self, env_dir: Path, args: list[str], cwd: Path, recorder: LogRecorder) -> str | None:
        recorder.emit(f"pip install {' '.join(args)}")
        child_env = host_env({"PIP_CACHE_DIR": str(self.root / "pip-cache"), "PIP_NO_INPUT": "1"})
        argv = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
        argv += ["--no-input", "--progress-bar", "off", *args]
        code = run_logged(argv, recorder, cwd=cwd, env=child_env, timeout=self.pip_timeout)
        if code == 0:
            return None
        error = _last_error(recorder.lines())
        recorder.emit(f"ERROR: dependency installation failed (pip exit {code})", "ERROR")
        return error


def _site_packages(env_dir: Path) -> Path:
    """A venv's purelib directory (`lib/pythonX.Y/site-packages` on POSIX)."""
    found = sorted(env_dir.glob("lib/python*/site-packages"))
    if not found:
        raise RuntimeError(f"no site-packages in {env_dir}")
    return found[0]
