"""Progress lines go to the engine's Log RPC with the Deployment's URN (provider/core/engine_log.py).

The host is started as the engine starts it (its address as the argument) next to a fake engine
that records what it receives. The first test fails loudly if the host internals this relies on change.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from pulumi_langsmith.core import engine_log, process

from .support.data import github_inputs
from .support.host import URN, provider_host


def test_host_methods_still_carry_the_request_we_read_the_urn_from() -> None:
    spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    assert spec is not None and spec.origin
    with open(spec.origin) as f:
        source = f.read()
    for rpc in engine_log.RPC_METHODS:
        assert f"    def {rpc}(self, request, context):" in source, f"{rpc}: revisit provider/core/engine_log.py"


def test_engine_address_is_the_last_positional_argument() -> None:
    assert process.engine_address(["__main__.py", "127.0.0.1:40123"]) == "127.0.0.1:40123"
    assert process.engine_address(["__main__.py", "-v=9", "--logtostderr", "127.0.0.1:1"]) == "127.0.0.1:1"
    assert process.engine_address(["__main__.py"]) is None
    assert process.engine_address(["-c", "something"]) is None


def test_urn_comes_from_the_serving_method_frame_only() -> None:
    class Request:
        urn = "urn:pulumi:s::p::t::n"

    def Create(self: Any, request: Any, context: Any) -> str | None:
        return engine_log.current_urn()

    assert Create(None, Request(), None) is None  # not the host's frame: this module is not __main__
    glob = {"__name__": "__main__", "engine_log": engine_log}
    exec("def Create(self, request, context):\n    return engine_log.current_urn()", glob)
    assert glob["Create"](None, Request(), None) == Request.urn


def test_outside_the_host_progress_goes_to_stderr() -> None:
    assert engine_log.log("x", ephemeral=True) is False


class FakeEngine(engine_pb2_grpc.EngineServicer):  # type: ignore[misc]
    def __init__(self) -> None:
        self.logs: list[engine_pb2.LogRequest] = []
        self.lock = threading.Lock()

    def Log(self, request: engine_pb2.LogRequest, context: Any) -> empty_pb2.Empty:
        with self.lock:
            self.logs.append(request)
        return empty_pb2.Empty()


@pytest.fixture
def engine() -> Iterator[tuple[FakeEngine, str]]:
    fake = FakeEngine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(fake, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield fake, f"127.0.0.1:{port}"
    finally:
        server.stop(0)


def test_progress_reaches_the_deployments_row(engine: tuple[FakeEngine, str], provider_config: dict[str, str]) -> None:
    fake, address = engine
    with provider_host(args=(address,)) as host:
        host.configure(provider_config)
        inputs, _ = host.check({}, github_inputs())
        host.create(inputs)
        stderr = host.stderr()
    urn = URN.format(name="d")
    assert fake.logs, "the provider sent nothing to the engine"
    assert {log.urn for log in fake.logs} == {urn}
    status = [log.message for log in fake.logs if log.ephemeral]
    kept = [log.message for log in fake.logs if not log.ephemeral]
    # The row's live status: the revision's status as first read (the watcher reads it again only
    # when the deployment changes, so a 0.4 s build may go unseen).
    assert any(": revision " in m and "DEPLOYED" not in m for m in status), status
    assert any("created deployment" in m for m in kept), kept
    assert any(m.endswith(")") and "DEPLOYED" in m for m in kept), kept
    assert any(": [build] " in m for m in kept), "live build log lines go to the row too"
    assert all(log.severity == engine_pb2.INFO for log in fake.logs)
    assert "[langsmith]" not in stderr, "progress also went to stderr, where it shows under the stack"
