"""The agent runner: real builds into cached virtualenvs, real Agent Servers, zero-downtime switches.

The slow tests pip-install `langgraph-api` + `langgraph-runtime-inmem` once per session into a cache
directory (`LANGSMITH_EMULATOR_AGENT_CACHE` if set, so CI can keep it, else under pytest's tmp dir).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from langsmith_emulator.agents.build import CACHE_ENV_VAR, BuildResult, EnvCache, ProjectError, env_key, load_project
from langsmith_emulator.agents.logs import LogRecorder, level_of, redact
from langsmith_emulator.agents.server import ServerStartError, start_server
from langsmith_emulator.agents.supervisor import Supervisor, forward_headers

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "local-agent" / "agent"
REPO = Path(__file__).resolve().parents[2]
SECRET = "s3cr3t-token-value-42"


@pytest.fixture(autouse=True)
def _clean_emulator() -> None:
    """Overrides the package's autouse emulator reset: the runner needs no control plane."""


@pytest.fixture(scope="session")
def agent_cache(tmp_path_factory: pytest.TempPathFactory) -> EnvCache:
    root = os.environ.get(CACHE_ENV_VAR) or tmp_path_factory.mktemp("agent-cache")
    return EnvCache(root)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "agent"
    shutil.copytree(EXAMPLE, target)
    return target


@pytest.fixture(scope="session")
def built(agent_cache: EnvCache, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The example, built once per session (cold unless the shared cache already holds it)."""
    target = tmp_path_factory.mktemp("built") / "agent"
    shutil.copytree(EXAMPLE, target)
    result = agent_cache.build(target)
    print(f"\nexample build: {result.seconds:.1f}s (cache hit: {result.cache_hit})")
    assert result.ok, "\n".join(line.message for line in result.logs[-30:])
    return result


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _ask(url: str, message: str, session: requests.Session | None = None) -> dict[str, object]:
    response = (session or requests).post(
        f"{url}/runs/wait", json={"assistant_id": "agent", "input": {"message": message}}, timeout=60
    )
    response.raise_for_status()
    result: dict[str, object] = response.json()
    return result


def _missing_graph(built: BuildResult) -> BuildResult:
    """A build whose graph file is gone: the server itself fails at start-up."""
    return dataclasses.replace(built, project=dataclasses.replace(built.project, graphs={"agent": "./nope.py:graph"}))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes (its parent has not reaped it yet).
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid and _pid_alive(int(entry.name)):
                    members.append(int(entry.name))
            except OSError:
                continue
    return members


def _wait_until(predicate: object, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return True
        time.sleep(0.1)
    return False


def _port_open(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, int(port))) == 0


# -- pure parts (fast) --------------------------------------------------------------------------------


def test_redact_removes_secret_values_and_url_credentials() -> None:
    line = f"Looking in indexes: https://user:{SECRET}@pypi.example.com/simple token={SECRET} x=1"
    cleaned = redact(line, [SECRET, "1"])
    assert SECRET not in cleaned
    assert "https://***@pypi.example.com/simple" in cleaned
    assert cleaned.endswith("x=1")  # values too short to be secrets are left alone


def test_levels_follow_pip_and_structlog_conventions() -> None:
    assert level_of("ERROR: No matching distribution found for nope") == "ERROR"
    assert level_of("ModuleNotFoundError: No module named 'nope'") == "ERROR"
    assert level_of("WARNING: Retrying (Retry(total=4))") == "WARNING"
    assert level_of("2026-11-29T11:54:51Z [warning  ] slow [langgraph_api]") == "WARNING"
    assert level_of("Collecting langgraph-api==0.16.7") == "INFO"


def test_recorder_stamps_and_strips_colour() -> None:
    recorder = LogRecorder(secrets=[SECRET])
    before = time.time()
    line = recorder.emit(f"\x1b[32minfo\x1b[0m using {SECRET}")
    assert line.message == "info using ***"
    assert line.timestamp >= before
    assert line.as_api()["timestamp"] == int(line.timestamp * 1000)


def test_env_key_ignores_code_and_location_but_not_requirements(tmp_path: Path, project: Path) -> None:
    other = tmp_path / "elsewhere"
    shutil.copytree(project, other)
    _edit(other / "graph.py", "message.upper()", "message.lower()")
    key = env_key(load_project(project), "cpython-3.11.7")
    assert env_key(load_project(other), "cpython-3.11.7") == key
    (other / "requirements.txt").write_text("langgraph>=1.0,<2\nwordfreq==3.1.1\n")
    assert env_key(load_project(other), "cpython-3.11.7") != key
    assert env_key(load_project(project), "cpython-3.12.1") != key


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"dependencies": ["."]}, "'graphs'"),
        ({"dependencies": ["."], "graphs": {"agent": "./graph.py"}}, "'graphs.agent'"),
        ({"dependencies": ["../outside"], "graphs": {"agent": "./graph.py:graph"}}, "outside the project"),
        ({"dependencies": "langgraph", "graphs": {"agent": "./graph.py:graph"}}, "'dependencies'"),
    ],
)
def test_bad_langgraph_json_is_refused_before_installing(
    project: Path, agent_cache: EnvCache, config: dict[str, object], message: str
) -> None:
    (project / "langgraph.json").write_text(json.dumps(config))
    with pytest.raises(ProjectError, match=message):
        agent_cache.build(project)


def test_config_path_may_sit_in_a_subdirectory_and_paths_are_relative_to_it(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "src" / "agent")
    project = load_project(tmp_path / "src", "agent/langgraph.json")
    assert project.root == (tmp_path / "src" / "agent").resolve()
    assert project.local_dirs == (project.root,)
    with pytest.raises(ProjectError, match="outside the project"):
        load_project(tmp_path / "src" / "agent", "../../elsewhere/langgraph.json")


def test_forward_headers_drops_hop_by_hop() -> None:
    headers = [(b"Host", b"a"), (b"Connection", b"keep-alive"), (b"X-Api-Key", b"k"), (b"transfer-encoding", b"x")]
    assert forward_headers(headers) == [(b"X-Api-Key", b"k")]


# -- real builds ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_second_build_with_same_dependencies_reuses_the_environment(
    built: BuildResult, agent_cache: EnvCache, project: Path
) -> None:
    _edit(project / "graph.py", "message.upper()", "message.lower()")  # code change, same dependencies
    started = time.monotonic()
    warm = agent_cache.build(project)
    print(f"\nwarm build: {time.monotonic() - started:.1f}s (first build {built.seconds:.1f}s)")
    assert warm.ok
    assert warm.cache_hit
    assert warm.env_dir == built.env_dir
    messages = [line.message for line in warm.logs]
    assert any("Reusing cached environment" in m for m in messages)
    assert "Imported graph 'agent' from ./graph.py:graph (CompiledStateGraph)" in messages
    assert all(line.timestamp > 0 and line.level in {"INFO", "WARNING", "ERROR"} for line in warm.logs)
    first = [line.message for line in built.logs]
    assert any(m.startswith("Successfully installed") for m in first) or any("Reusing" in m for m in first)


@pytest.mark.slow
def test_dependency_that_cannot_be_installed_fails_the_build_with_pips_error(
    built: BuildResult, agent_cache: EnvCache, project: Path
) -> None:
    (project / "requirements.txt").write_text("langgraph>=1.0,<2\nlangsmith-emulator-no-such-package==0.0.1\n")
    result = agent_cache.build(project)
    assert not result.ok
    assert result.error is not None
    assert "No matching distribution found for langsmith-emulator-no-such-package==0.0.1" in result.error
    errors = [line.message for line in result.logs if line.level == "ERROR"]
    assert any("No matching distribution found" in m for m in errors)
    assert not agent_cache.env_dir(result.key).exists()  # failures are not cached


@pytest.mark.slow
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("from langgraph.graph import", "import langsmith_emulator_missing_module\nfrom langgraph.graph import",
         "ModuleNotFoundError: No module named 'langsmith_emulator_missing_module'"),
        ("def shout(state: State) -> State:", "def shout(state: State) -> State\n", "SyntaxError"),
        ("graph = builder.compile()", "agent_graph = builder.compile()", "defines no 'graph'"),
    ],
)  # fmt: skip
def test_graph_that_fails_to_import_fails_the_build_with_the_real_error(
    built: BuildResult, agent_cache: EnvCache, project: Path, old: str, new: str, expected: str
) -> None:
    _edit(project / "graph.py", old, new)
    result = agent_cache.build(project)
    assert not result.ok
    assert result.cache_hit  # the environment is fine; only the code is broken
    assert result.error is not None and expected in result.error
    assert any(expected in line.message and line.level == "ERROR" for line in result.logs)


@pytest.mark.slow
def test_a_packaged_project_runs_the_revisions_code_not_the_cached_installed_copy(
    agent_cache: EnvCache, built: BuildResult, tmp_path: Path
) -> None:
    """`dependencies: ["."]` with a pyproject: a code-only change reuses the environment yet runs the new code."""
    root = tmp_path / "packaged"
    (root / "src" / "shouter").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "shouter"
            version = "0.1.0"
            dependencies = ["langgraph>=1.0,<2"]
            """
        )
    )
    (root / "src" / "shouter" / "__init__.py").write_text("def shout(text):\n    return text.upper()\n")
    graph = (EXAMPLE / "graph.py").read_text()
    graph = graph.replace(
        "from langgraph.graph import", "from shouter import shout as transform\nfrom langgraph.graph import"
    )
    (root / "graph.py").write_text(graph.replace("message.upper()", "transform(message)"))
    shutil.copy(EXAMPLE / "langgraph.json", root / "langgraph.json")
    first = agent_cache.build(root)
    assert first.ok, first.error
    (root / "src" / "shouter" / "__init__.py").write_text("def shout(text):\n    return text.title()\n")
    second = agent_cache.build(root)
    assert second.ok and second.cache_hit
    server = start_server(second)
    try:
        answer = _ask(server.url, "new code wins")
        assert answer.get("reply") == "New Code Wins", (
            answer,
            [line.message for line in server.logs() if line.level == "ERROR"][-5:],
        )
    finally:
        server.stop()


# -- real servers --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_server_answers_ok_and_runs_the_graph_with_the_deployment_env(
    agent_cache: EnvCache, built: BuildResult, project: Path
) -> None:
    _edit(
        project / "graph.py",
        "builder = StateGraph",
        # One write: the server imports graphs on an executor thread while its event loop logs to the same
        # stdout, so `print("token is", value)` (four writes) can be split by another line (a CI failure).
        "print(f\"token is {os.environ.get('API_TOKEN')}\")\nbuilder = StateGraph",
    )
    build = agent_cache.build(project, secrets={"API_TOKEN": SECRET})
    assert build.ok
    assert any("token is ***" in line.message for line in build.logs)
    server = start_server(build, env={"REPLY_PREFIX": "agent says: "}, secrets={"API_TOKEN": SECRET})
    try:
        assert requests.get(f"{server.url}/ok", timeout=10).json()["ok"] is True
        answer = _ask(server.url, "count these four words")
        assert answer["reply"] == "agent says: COUNT THESE FOUR WORDS"
        assert answer["words"] == 4

        # The module-level print and uvicorn's start-up line arrive through the output pump's thread:
        # wait for them rather than read the log at one instant.
        def logged(text: str) -> bool:
            return any(text in line.message for line in server.logs())

        expected = ("Application startup complete", "token is ***")
        missing = [text for text in expected if not _wait_until(lambda text=text: logged(text), 15)]
        assert not missing, f"missing {missing} in:\n" + "\n".join(line.message for line in server.logs()[-40:])
        messages = [line.message for line in server.logs()]
        assert not any(SECRET in m for m in messages)
        assert server.rss_bytes() > 10 * 1024 * 1024
    finally:
        server.stop()
    assert not _pid_alive(server.pid or 0)
    # Like `langgraph dev`, the runtime keeps its state in ./.langgraph_api (kept across a restart); nothing else.
    written = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    assert [p for p in written if not p.startswith(".langgraph_api/")] == [
        ".gitignore",
        "graph.py",
        "langgraph.json",
        "requirements.txt",
    ]
    assert ".langgraph_api/.langgraph_ops.pckl" in written


@pytest.mark.slow
def test_threads_survive_a_restart_of_the_same_revision(
    built: BuildResult, agent_cache: EnvCache, project: Path
) -> None:
    """A restarted emulator brings a revision back with its threads, as `langgraph dev` does."""
    build = agent_cache.build(project)
    server = start_server(build)
    try:
        thread = requests.post(f"{server.url}/threads", json={}, timeout=30).json()
        requests.post(
            f"{server.url}/threads/{thread['thread_id']}/runs/wait",
            json={"assistant_id": "agent", "input": {"message": "remember me"}},
            timeout=60,
        ).raise_for_status()
    finally:
        server.stop()
    again = start_server(build)
    try:
        state = requests.get(f"{again.url}/threads/{thread['thread_id']}/state", timeout=30)
        assert state.status_code == 200
        assert state.json()["values"]["reply"] == "REMEMBER ME"
    finally:
        again.stop()


@pytest.mark.slow
def test_server_that_crashes_at_startup_reports_its_log(agent_cache: EnvCache, built: BuildResult) -> None:
    broken = _missing_graph(built)
    with pytest.raises(ServerStartError) as caught:
        start_server(broken, health_timeout=120)
    assert any("nope.py" in line.message for line in caught.value.logs)


@pytest.mark.slow
def test_switch_keeps_the_url_and_fails_no_request_under_a_trickle(
    agent_cache: EnvCache, built: BuildResult, project: Path
) -> None:
    with Supervisor(max_servers=4) as supervisor:
        url = supervisor.switch("dep-1", built, revision_id="rev-1")
        assert _ask(url, "hello")["reply"] == "HELLO"
        _edit(project / "graph.py", "message.upper()", "message[::-1]")
        v2 = agent_cache.build(project)
        assert v2.ok and v2.cache_hit
        old_pid = supervisor.status("dep-1").pid  # type: ignore[union-attr]

        replies: list[object] = []
        failures: list[str] = []
        stop = threading.Event()

        def trickle() -> None:
            session = requests.Session()  # keep-alive, like a real client
            while not stop.is_set():
                try:
                    replies.append(_ask(url, "hello", session)["reply"])
                except Exception as exc:
                    failures.append(repr(exc))
                time.sleep(0.02)

        def probe() -> None:
            session = requests.Session()
            while not stop.is_set():
                try:
                    session.get(f"{url}/ok", timeout=10).raise_for_status()
                    probes.append(1)
                except Exception as exc:
                    failures.append(repr(exc))
                time.sleep(0.01)

        probes: list[int] = []
        threads = [threading.Thread(target=trickle) for _ in range(3)] + [threading.Thread(target=probe)]
        for thread in threads:
            thread.start()
        try:
            assert _wait_until(lambda: len(replies) >= 5)
            assert supervisor.switch("dep-1", v2, revision_id="rev-2") == url
            assert _wait_until(lambda: replies[-3:] == ["olleh"] * 3)
            assert _wait_until(lambda: not _pid_alive(old_pid or 0))
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        print(f"\nswitch under trickle: {len(replies)} runs + {len(probes)} /ok, {len(failures)} failed")
        assert failures == []
        assert "HELLO" in replies and "olleh" in replies
        assert replies.index("olleh") > replies.index("HELLO")
        assert supervisor.status("dep-1").revision_id == "rev-2"  # type: ignore[union-attr]


@pytest.mark.slow
def test_failed_start_keeps_the_old_revision_serving(built: BuildResult) -> None:
    broken = _missing_graph(built)
    with Supervisor() as supervisor:
        url = supervisor.switch("dep-1", built, revision_id="rev-1")
        with pytest.raises(ServerStartError):
            supervisor.switch("dep-1", broken, revision_id="rev-2")
        assert _ask(url, "still here")["reply"] == "STILL HERE"
        assert supervisor.status("dep-1").revision_id == "rev-1"  # type: ignore[union-attr]


@pytest.mark.slow
def test_cap_idle_stop_and_wake_then_stop_all_leaves_nothing(built: BuildResult) -> None:
    supervisor = Supervisor(max_servers=1, idle_seconds=3.0)
    try:
        first = supervisor.switch("dep-1", built, revision_id="rev-1", env={"REPLY_PREFIX": "one "})
        second = supervisor.switch("dep-2", built, revision_id="rev-1", env={"REPLY_PREFIX": "two "})
        assert not supervisor.status("dep-1").running  # type: ignore[union-attr]  # evicted by the cap
        assert _wait_until(lambda: not supervisor.status("dep-2").running)  # type: ignore[union-attr]  # idle
        assert _ask(first, "back")["reply"] == "one BACK"  # the stable URL wakes its server on demand
        assert supervisor.status("dep-1").running  # type: ignore[union-attr]
        pids = [server.pid for server in supervisor.servers() if server.pid]
        assert pids
    finally:
        supervisor.stop_all()
    for pid in pids:
        assert _group_members(pid) == []
    assert not _port_open(first) and not _port_open(second)
    supervisor.stop_all()  # idempotent


_OFFLINE = """
import sys
import requests
from langsmith_emulator.agents.build import EnvCache
from langsmith_emulator.agents.server import start_server
build = EnvCache(sys.argv[1]).build(sys.argv[2])
assert build.ok, build.error
server = start_server(build, health_timeout=60)
try:
    answer = requests.post(
        server.url + "/runs/wait", json={"assistant_id": "agent", "input": {"message": "no network"}}, timeout=60
    ).json()
    print(answer["reply"])
finally:
    server.stop()
"""


def _offline_available() -> bool:
    probe = ["unshare", "-n", "true"]
    return shutil.which("unshare") is not None and subprocess.run(probe, capture_output=True).returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _offline_available(), reason="needs `unshare -n` (a private network namespace)")
def test_builds_from_cache_and_serves_without_any_network(
    agent_cache: EnvCache, built: BuildResult, project: Path
) -> None:
    """In a network namespace with only loopback: no license, PyPI, LangSmith or DNS call is needed."""
    script = "ip link set lo up && exec " + " ".join(
        [sys.executable, "-c", shlex.quote(_OFFLINE), str(agent_cache.root), str(project)]
    )
    done = subprocess.run(["unshare", "-n", "sh", "-c", script], cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "NO NETWORK"


_CHILD = """
import sys, time
from langsmith_emulator.agents.build import EnvCache
from langsmith_emulator.agents.server import start_server
build = EnvCache(sys.argv[1]).build(sys.argv[2])
server = start_server(build)
print(server.pid, flush=True)
if sys.argv[3] == "exit":
    sys.exit(0)
time.sleep(600)
"""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["exit", "sigkill"])
def test_no_server_outlives_the_process_that_started_it(
    agent_cache: EnvCache, built: BuildResult, project: Path, how: str
) -> None:
    """atexit covers a normal exit; the launcher's parent watch covers a SIGKILLed emulator."""
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_CHILD), str(agent_cache.root), str(project), how],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert child.stdout is not None
    pid = int(child.stdout.readline())
    assert pid > 0
    if how == "sigkill":
        assert _pid_alive(pid)
        child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert _wait_until(lambda: _group_members(pid) == [], timeout=30)


@pytest.fixture(autouse=True, scope="module")
def _nothing_left_behind() -> Iterator[None]:
    yield
    from langsmith_emulator.agents.server import _LIVE

    assert not _LIVE, f"servers left running: {[s.pid for s in _LIVE]}"
