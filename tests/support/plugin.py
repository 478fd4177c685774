"""Drive the real `langsmith` plugin process (`python plugin/ <engine>`) over gRPC, as the CLI does.

A small stand-in engine answers the plugin's calls back (the gRPC health check the engine watch
makes, and `Log`, whose messages are kept so tests can read what the resource's row showed).
Values go in and out as `PropertyValue` maps; `Secret(x)` marks a secret value in both directions.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.proto import engine_pb2, provider_pb2, provider_pb2_grpc

from .failures import named

ROOT = Path(__file__).resolve().parents[2]
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def urn(name: str, token: str = "langsmith:index:Deployment", stack: str = "dev", project: str = "proj") -> str:
    return f"urn:pulumi:{stack}::{project}::{token}::{name}"


@dataclass(frozen=True)
class Secret:
    value: Any


def to_pv(value: Any) -> PropertyValue:
    if isinstance(value, Secret):
        return to_pv(value.value).with_secret(True)
    if isinstance(value, Mapping):
        return PropertyValue({k: to_pv(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return PropertyValue([to_pv(v) for v in value])
    if isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return PropertyValue(value)


def from_pv(pv: PropertyValue) -> Any:
    value = pv.value
    if isinstance(value, Mapping):
        value = {k: from_pv(v) for k, v in value.items()}
    elif isinstance(value, tuple):
        value = [from_pv(v) for v in value]
    return Secret(value) if pv.is_secret else value


def struct(values: Mapping[str, Any]) -> Any:
    return PropertyValue.marshal_map({k: to_pv(v) for k, v in values.items()})


def plain(s: Any) -> dict[str, Any]:
    return {k: from_pv(v) for k, v in PropertyValue.unmarshal_map(s).items()}


class PluginError(Exception):
    def __init__(self, err: grpc.RpcError) -> None:
        self.code = err.code()
        self.details = err.details() or ""
        super().__init__(self.details)


class FakeEngine:
    """Answers `Log` (kept in `logs`); every other method, the health check among them, is
    UNIMPLEMENTED, which the engine watch counts as an engine that is there."""

    def __init__(self) -> None:
        self.logs: list[tuple[str, str, bool]] = []  # (urn, message, ephemeral)
        self._lock = threading.Lock()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        handler = grpc.method_handlers_generic_handler(
            "pulumirpc.Engine",
            {
                "Log": grpc.unary_unary_rpc_method_handler(
                    self._log,
                    request_deserializer=engine_pb2.LogRequest.FromString,
                    response_serializer=empty_pb2.Empty.SerializeToString,
                )
            },
        )
        self.server.add_generic_rpc_handlers((handler,))
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    def _log(self, request: Any, _context: Any) -> Any:
        with self._lock:
            self.logs.append((request.urn, request.message, request.ephemeral))
        return empty_pb2.Empty()

    def messages(self, of_urn: str | None = None) -> list[str]:
        with self._lock:
            return [m for u, m, _ in self.logs if of_urn is None or u == of_urn]


class Plugin:
    """One plugin process; methods mirror the engine's calls and take and return plain values."""

    def __init__(self, stub: Any, proc: subprocess.Popen[bytes], log: Path, engine: FakeEngine) -> None:
        self.stub, self.proc, self.log, self.engine = stub, proc, log, engine

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def call(self, method: str, request: Any, timeout: float = 120) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=timeout)
        except grpc.RpcError as err:
            raise PluginError(err) from None

    def configure(self, args: Mapping[str, Any]) -> Any:
        return self.call("Configure", provider_pb2.ConfigureRequest(args=struct(args), acceptSecrets=True))

    def check(
        self, name: str, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None, token: str = ""
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        request = provider_pb2.CheckRequest(
            urn=urn(name, token or "langsmith:index:Deployment"),
            olds=struct(olds or {}),
            news=struct(news),
            randomSeed=name.encode() * 4,
        )
        resp = self.call("Check", request)
        return plain(resp.inputs), [named(f.property, f.reason) for f in resp.failures]

    def diff(self, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any], token: str = "") -> Any:
        request = provider_pb2.DiffRequest(
            urn=urn(name, token or "langsmith:index:Deployment"), id=id_, olds=struct(olds), news=struct(news)
        )
        return self.call("Diff", request)

    def create(
        self, name: str, props: Mapping[str, Any], preview: bool = False, timeout: float = 0, token: str = ""
    ) -> tuple[str, dict[str, Any]]:
        request = provider_pb2.CreateRequest(
            urn=urn(name, token or "langsmith:index:Deployment"),
            properties=struct(props),
            preview=preview,
            timeout=timeout,
        )
        resp = self.call("Create", request, timeout=max(120.0, timeout + 60))
        return resp.id, plain(resp.properties)

    def update(
        self, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any], preview: bool = False
    ) -> dict[str, Any]:
        request = provider_pb2.UpdateRequest(
            urn=urn(name), id=id_, olds=struct(olds), news=struct(news), preview=preview
        )
        return plain(self.call("Update", request).properties)

    def read(
        self,
        name: str,
        id_: str,
        props: Mapping[str, Any] | None = None,
        inputs: Mapping[str, Any] | None = None,
        token: str = "",
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        request = provider_pb2.ReadRequest(
            urn=urn(name, token or "langsmith:index:Deployment"),
            id=id_,
            properties=struct(props or {}),
            inputs=struct(inputs or {}),
        )
        resp = self.call("Read", request)
        return resp.id, plain(resp.properties), plain(resp.inputs)

    def delete(self, name: str, id_: str, props: Mapping[str, Any], token: str = "") -> None:
        request = provider_pb2.DeleteRequest(
            urn=urn(name, token or "langsmith:index:Deployment"), id=id_, properties=struct(props)
        )
        self.call("Delete", request)

    def invoke(self, tok: str, args: Mapping[str, Any]) -> dict[str, Any]:
        resp = self.call("Invoke", provider_pb2.InvokeRequest(tok=tok, args=struct(args)))
        return plain(getattr(resp, "return"))


@contextmanager
def plugin_process(cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Iterator[Plugin]:
    """Start the plugin as the CLI's Python language host does (`python <plugin dir> <engine>`)."""
    engine = FakeEngine()
    log = Path(tempfile.mkstemp(prefix="plugin-", suffix=".log")[1])
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-u", str(ROOT / "plugin"), f"127.0.0.1:{engine.port}"],
            stdout=subprocess.PIPE,
            stderr=err,
            cwd=cwd or ROOT,
            env={**os.environ, **(env or {})},
        )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode().strip()
        assert line.isdigit(), f"the plugin printed {line!r} before its port; stderr: {log.read_text()}"
        channel = grpc.insecure_channel(f"127.0.0.1:{line}")
        grpc.channel_ready_future(channel).result(timeout=15)
        yield Plugin(provider_pb2_grpc.ResourceProviderStub(channel), proc, log, engine)
        channel.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        engine.server.stop(0)
        log.unlink(missing_ok=True)
