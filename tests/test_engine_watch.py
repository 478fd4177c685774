"""The provider host exits once its engine is gone, and calls nothing after (provider/core/engine_watch.py).

The real `python -m pulumi.dynamic` host is started as the engine starts it, next to a fake engine
(a gRPC server with the health service) that the test then stops, or under a stand-in engine process
that the test kills while the fake engine keeps answering: each way alone must end the host. The
first tests fail loudly if the host or shim internals the watch relies on change.
"""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest
import requests
from requests.adapters import HTTPAdapter

from pulumi_langsmith.core import engine_watch
from pulumi_langsmith.core.client import ControlPlaneClient, idempotent_retry
from pulumi_langsmith.core.config import Settings
from pulumi_langsmith.core.process import engine_address
from pulumi_langsmith.core.waiter import Polling, Waiter
from pulumi_langsmith.core.watcher import Watcher

from .support.data import github_inputs
from .support.host import URN, provider_pb2, provider_pb2_grpc, to_struct, with_provider

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
EXIT_DEADLINE = 20.0  # generous for a loaded 2-core machine; measured about 2 s (see README)


def shim_path() -> Path | None:
    """The `pulumi-resource-pulumi-python` shim the engine runs, beside the CLI or in .venv/bin."""
    pulumi = VENV_BIN / "pulumi"
    for candidate in (Path(os.path.realpath(pulumi)).parent / engine_watch.SHIM, VENV_BIN / engine_watch.SHIM):
        if candidate.exists():
            return candidate
    return None


NO_SHIM = f"no {engine_watch.SHIM} beside .venv/bin/pulumi (run `make setup`)"


# Guards: what the watch relies on ------------------------------------------------------------------


def test_engine_address_is_how_the_engine_starts_the_host() -> None:
    assert engine_address(["/x/pulumi/dynamic/__main__.py", "127.0.0.1:40123"]) == "127.0.0.1:40123"
    assert engine_address(["/x/pulumi/dynamic/__main__.py"]) is None


@pytest.mark.skipif(shim_path() is None, reason=NO_SHIM)
def test_shim_runs_the_host_as_its_child() -> None:
    """The engine is the shim's parent only because sh runs python as a child (no `exec`)."""
    path = shim_path()
    assert path is not None
    text = path.read_text()
    assert text.startswith("#!/bin/sh"), "the shim is no longer a shell script: revisit engine_watch.Lineage"
    runs = [line.strip() for line in text.splitlines() if "-m pulumi.dynamic" in line]
    assert runs and all(line.endswith("-m pulumi.dynamic $@") for line in runs), runs
    assert not any(line.startswith("exec ") for line in runs), "the shim execs python: the parent is the engine"


class Health(grpc.GenericRpcHandler):  # type: ignore[misc]
    """The engine's health service, as `rpcutil.ServeWithOptions` registers it (raw bytes: grpc's
    health module is not installed); `serving=False` answers UNIMPLEMENTED, like an engine without it."""

    def __init__(self, serving: bool = True) -> None:
        self.serving = serving
        self.checks = 0

    def service(self, details: Any) -> Any:
        if not self.serving or details.method != engine_watch.HEALTH_CHECK:
            return None

        def check(_request: bytes, _context: Any) -> bytes:
            self.checks += 1
            return b"\x08\x01"  # HealthCheckResponse(status=SERVING)

        return grpc.unary_unary_rpc_method_handler(check)


class FakeEngine:
    def __init__(self, serving: bool = True) -> None:
        self.health = Health(serving)
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        self.server.add_generic_rpc_handlers((self.health,))
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.address = f"127.0.0.1:{self.port}"
        self.server.start()

    def stop(self) -> None:
        self.server.stop(0).wait()


@pytest.fixture
def engine() -> Iterator[FakeEngine]:
    fake = FakeEngine()
    try:
        yield fake
    finally:
        fake.stop()


def test_probe_tells_a_refused_engine_from_one_that_answers() -> None:
    for serving in (True, False):  # UNIMPLEMENTED is an answer, as for Go's rpcutil.Healthcheck
        fake = FakeEngine(serving)
        probe = engine_watch.EngineProbe(fake.address)
        assert probe.answered() is True
        assert probe.gone() is None
        fake.stop()
        assert probe.answered() is False
        assert probe.gone() is None, "one refusal is not enough"
        assert probe.gone() is not None, "two refusals in a row mean gone"


def test_lineage_of_a_live_parent_is_there() -> None:
    lineage = engine_watch.Lineage()
    assert lineage.parent == os.getppid() and lineage.gone() is None


# The real host ------------------------------------------------------------------------------------


def _gone(proc: subprocess.Popen[bytes], pid: int | None = None) -> bool:
    """`pid` (default: `proc`) no longer runs; a zombie waiting for its reaper counts as gone."""
    if pid is None:
        return proc.poll() is not None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def wait_until(what: str, predicate: Callable[[], bool], timeout: float) -> float:
    """Seconds until `predicate()` held; fails after `timeout`."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f}s")
        time.sleep(0.05)
    return time.monotonic() - start


def load_provider(port: int) -> None:
    """A Check with the pickled provider: the host imports this package, which starts the watch."""
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        stub = provider_pb2_grpc.ResourceProviderStub(channel)
        request = provider_pb2.CheckRequest(
            urn=URN.format(name="d"), olds=to_struct({}), news=to_struct(with_provider(github_inputs()))
        )
        stub.Check(request, timeout=60)
    finally:
        channel.close()


def read_port(stream: Any) -> int:
    line = stream.readline().decode().strip()
    assert line.isdigit(), f"the host printed {line!r} instead of its port"
    return int(line)


def test_host_exits_when_its_engine_stops_answering(engine: FakeEngine, tmp_path: Path) -> None:
    with open(tmp_path / "host.log", "wb") as err:
        host = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic", engine.address],
            stdout=subprocess.PIPE,
            stderr=err,
            env={**os.environ, "PULUMI_PROJECT": "proj"},
        )
    try:
        load_provider(read_port(host.stdout))
        wait_until("the host's first health check", lambda: engine.health.checks > 0, 30)
        assert host.poll() is None, "the host exited while its engine answered"
        engine.stop()
        took = wait_until("the host to exit", lambda: _gone(host), EXIT_DEADLINE)
        print(f"\nprovider host exited {took:.1f}s after its engine stopped")
        assert host.returncode == engine_watch.EXIT_CODE
        assert "the Pulumi engine that started this provider is gone" in (tmp_path / "host.log").read_text()
    finally:
        if host.poll() is None:
            host.kill()
        host.wait(10)


STAND_IN = """
import subprocess, sys
shim = subprocess.Popen(["sh", sys.argv[1], sys.argv[2]], stdout=subprocess.PIPE)
print(shim.stdout.readline().decode().strip(), flush=True)
shim.wait()
"""


@pytest.mark.skipif(shim_path() is None, reason=NO_SHIM)
def test_host_exits_when_the_engine_process_dies_though_its_address_answers(engine: FakeEngine, tmp_path: Path) -> None:
    """engine process -> sh shim -> python host: SIGKILL the engine, as a killed `pulumi up`; the
    address still answers (the fake engine lives in this test), so only the lineage can tell."""
    stand_in = subprocess.Popen(
        [sys.executable, "-c", STAND_IN, str(shim_path()), engine.address],
        stdout=subprocess.PIPE,
        env={**os.environ, "PULUMI_PROJECT": "proj", "PULUMI_PYTHON_CMD": sys.executable},
        start_new_session=True,
    )
    hosts: list[int] = []
    try:
        load_provider(read_port(stand_in.stdout))
        hosts = [pid for pid in _descendants(stand_in.pid) if "pulumi.dynamic" in _cmdline(pid)]
        assert len(hosts) == 1, hosts
        shims = [pid for pid in _descendants(stand_in.pid) if engine_watch.SHIM in _cmdline(pid)]
        assert shims and engine_watch.is_shim(shims[0])
        os.kill(stand_in.pid, signal.SIGKILL)
        stand_in.wait(10)
        took = wait_until("the host to exit", lambda: all(_gone(stand_in, pid) for pid in hosts + shims), EXIT_DEADLINE)
        print(f"\nprovider host and shim exited {took:.1f}s after their engine process was killed")
        assert engine_watch.EngineProbe(engine.address).answered() is True, "the address answered all along"
    finally:
        for pid in hosts:
            if not _gone(stand_in, pid):
                os.kill(pid, signal.SIGKILL)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").replace("\0", " ")
    except OSError:
        return ""


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (parent := engine_watch.parent_of(int(entry.name))) is not None:
            children.setdefault(parent, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


# No request once the engine is gone -----------------------------------------------------------------


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> engine_watch.Gate:
    """A gate of this test's own: closing the process's would stop every later test's requests."""
    fresh = engine_watch.Gate()
    monkeypatch.setattr(engine_watch, "_gate", fresh)
    return fresh


class Recorder(HTTPAdapter):
    """Answers 200 `{}`; `hold` blocks each send until released."""

    def __init__(self, hold: threading.Event | None = None) -> None:
        super().__init__()
        self.hold = hold
        self.sent: list[str] = []
        self.started = threading.Event()

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.sent.append(str(request.url))
        self.started.set()
        if self.hold is not None:
            assert self.hold.wait(30)
        response = requests.Response()
        response.status_code, response._content, response.request = 200, b"{}", request
        return response


def client_with(adapter: HTTPAdapter, url: str = "http://control-plane.invalid") -> ControlPlaneClient:
    settings = Settings(base_url=url, workspace_id=None, api_key="k", max_requests_per_second=0)
    return ControlPlaneClient(settings, adapters=(adapter, adapter))


def test_client_refuses_every_request_once_the_engine_is_gone(gate: engine_watch.Gate) -> None:
    adapter = Recorder()
    client = client_with(adapter)
    client.request("GET", "/v2/deployments")
    gate.close("test")
    for call in (lambda: client.get_deployment("x"), lambda: client.create_deployment({"name": "n"})):
        with pytest.raises(engine_watch.EngineGone):
            call()
    assert len(adapter.sent) == 1


def test_a_request_in_flight_ends_and_none_follows_it(gate: engine_watch.Gate) -> None:
    release = threading.Event()
    adapter = Recorder(hold=release)
    client = client_with(adapter)
    results: list[Any] = []
    first = threading.Thread(target=lambda: results.append(client.request("GET", "/v2/deployments")))
    first.start()
    assert adapter.started.wait(30)
    gate.close("test")
    assert gate.drain(0.05) is False, "the request in flight holds its slot"
    with pytest.raises(engine_watch.EngineGone):
        client.request("GET", "/v2/deployments")
    release.set()
    first.join(30)
    assert results == [{}], "the request in flight got its answer"
    assert gate.drain(5) is True
    assert len(adapter.sent) == 1


def test_no_retry_of_a_request_in_flight_once_the_engine_is_gone(gate: engine_watch.Gate) -> None:
    """urllib3 retries a 503 inside one call: after the engine is gone, that retry is not sent."""
    hits: list[str] = []

    class Unavailable(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            gate.close("test")  # the engine goes while this attempt is in flight
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        adapter = HTTPAdapter(max_retries=idempotent_retry())
        client = client_with(adapter, f"http://127.0.0.1:{server.server_address[1]}")
        with pytest.raises(engine_watch.EngineGone):
            client.request("GET", "/v2/deployments")
        assert len(hits) == 1
    finally:
        server.shutdown()
        server.server_close()


def test_waits_stop_at_once_once_the_engine_is_gone(gate: engine_watch.Gate) -> None:
    adapter = Recorder()
    client = client_with(adapter)
    gate.close("test")
    waiter = Waiter(client, Polling(timeout=60), watcher=Watcher(client, background=False))
    with pytest.raises(engine_watch.EngineGone):
        waiter.revision("dep", "label", "rev")
    with pytest.raises(engine_watch.EngineGone):
        waiter.gone("dep", "label")
    watcher = Watcher(client)
    watcher.register("dep", "rev")
    thread = watcher._thread
    assert thread is not None
    thread.join(10)
    assert not thread.is_alive(), "the watcher thread stops polling"
    assert adapter.sent == []


def test_watch_stops_once_then_exits(gate: engine_watch.Gate) -> None:
    class Gone:
        calls = 0

        def gone(self) -> str | None:
            self.calls += 1
            return "because" if self.calls >= 3 else None

    reasons: list[str] = []
    engine_watch.watch(Gone(), None, interval=0.01, on_gone=reasons.append)  # type: ignore[arg-type]
    assert reasons == ["because"]
    exits: list[int] = []
    engine_watch.stop("because", exit_process=exits.append, drain=1)
    assert exits == [engine_watch.EXIT_CODE]
    assert gate.closed()


def test_the_archive_upload_is_not_sent_once_the_engine_is_gone(
    gate: engine_watch.Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signed-URL PUT goes around the API client (the API key must not reach the bucket), so it
    takes its own slot: an upload-url answered just before the engine went is not followed by a PUT."""
    from pulumi_langsmith.deployment import upload as upload_module
    from pulumi_langsmith.source_archive import SourceArchive

    agent = Path(__file__).resolve().parents[1] / "examples" / "local-agent" / "agent"
    archive = SourceArchive.from_dir(str(agent))

    class Signer:
        def request(self, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
            gate.close("test")  # the engine goes while the upload-url answer is on its way
            return {"upload_url": "http://bucket.invalid/x", "object_path": "objects/x"}

    puts: list[str] = []
    monkeypatch.setattr(upload_module.requests, "put", lambda url, **_kw: puts.append(url))
    with pytest.raises(engine_watch.EngineGone):
        upload_module.upload(Signer(), "d", "agent", archive, sleep=lambda _s: None)
    assert puts == []


def test_cancel_ends_a_blocked_wait_within_a_second_with_its_own_message(gate: engine_watch.Gate) -> None:
    """The plugin's Cancel (Ctrl-C): a wait blocked on the watcher, or sleeping between polls, ends
    at once with `Cancelled`, not with the engine-gone message; no request follows."""
    adapter = Recorder()
    client = client_with(adapter)
    watcher = Watcher(client, background=False)  # never polls: the wait blocks until its deadline
    watch = watcher.register("dep", "rev")
    ended: dict[str, float] = {}

    def blocked() -> None:
        watcher.wait(watch, 0.5, time.monotonic() + 60)
        ended["wait"] = time.monotonic()

    thread = threading.Thread(target=blocked)
    thread.start()
    sleeper = threading.Thread(target=lambda: (engine_watch.sleep(60), ended.setdefault("sleep", time.monotonic())))
    sleeper.start()
    engine_watch.cancel("Ctrl-C")
    cancelled = time.monotonic()
    thread.join(10)
    sleeper.join(10)
    assert ended["wait"] - cancelled < 3 and ended["sleep"] - cancelled < 3
    with pytest.raises(engine_watch.Cancelled, match=r"^cancelled \(Ctrl-C\): stopped waiting"):
        Waiter(client, Polling(timeout=60), watcher=watcher).revision("dep", "label", "rev")
    gate.close("later")  # a later close does not change why it closed
    with pytest.raises(engine_watch.Cancelled):
        engine_watch.check()
    assert adapter.sent == []
