"""Drive the real dynamic-provider host (`python -m pulumi.dynamic`) over gRPC, as the engine does.

This exercises the parts a direct method call would skip: dill round-trips of the pickled provider,
`configure` with namespaced config, unknown sentinels, the host's thread pool and error propagation.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from pulumi_langsmith.deployment.provider import DeploymentProvider

from .failures import named

URN = "urn:pulumi:test::proj::pulumi-python:dynamic/langsmith:Deployment::{name}"
PROVIDER_STRING = serialize_provider(DeploymentProvider())


class HostError(Exception):
    def __init__(self, err: grpc.RpcError) -> None:
        self.code = err.code()
        self.details = err.details() or ""
        super().__init__(self.details)


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    return asyncio.run(rpc.serialize_properties(dict(props), {}))


def from_struct(struct: struct_pb2.Struct, keep_unknowns: bool = False) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct, keep_unknowns))


def with_provider(props: Mapping[str, Any]) -> dict[str, Any]:
    return {**props, "__provider": PROVIDER_STRING}


class Host:
    """One provider process; methods mirror the engine's calls and return plain dicts."""

    def __init__(self, stub: provider_pb2_grpc.ResourceProviderStub, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.stub = stub
        self.proc = proc
        self.log = log

    def stderr(self) -> str:
        """Everything the provider printed (progress lines, warnings)."""
        return self.log.read_text(errors="replace")

    def _call(self, method: str, request: Any, timeout: float = 120) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=timeout)
        except grpc.RpcError as err:
            raise HostError(err) from None

    def configure(self, config: Mapping[str, str]) -> None:
        self._call("Configure", provider_pb2.ConfigureRequest(args=to_struct(config)))

    def check(self, olds: Mapping[str, Any], news: Mapping[str, Any], name: str = "d") -> tuple[dict, list]:
        olds = with_provider(olds) if olds else {}
        resp = self._call(
            "Check",
            provider_pb2.CheckRequest(
                urn=URN.format(name=name), olds=to_struct(olds), news=to_struct(with_provider(news))
            ),
        )
        inputs = from_struct(resp.inputs, keep_unknowns=True)
        inputs.pop("__provider", None)
        return inputs, [named(f.property, f.reason) for f in resp.failures]

    def diff(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> provider_pb2.DiffResponse:
        return self._call(
            "Diff",
            provider_pb2.DiffRequest(
                id=id_,
                urn=URN.format(name="d"),
                olds=to_struct(with_provider(olds)),
                news=to_struct(with_provider(news)),
            ),
        )

    def create(self, props: Mapping[str, Any], timeout: float = 120) -> tuple[str, dict]:
        resp = self._call(
            "Create",
            provider_pb2.CreateRequest(urn=URN.format(name="d"), properties=to_struct(with_provider(props))),
            timeout,
        )
        outs = from_struct(resp.properties)
        outs.pop("__provider", None)
        return resp.id, outs

    def read(self, id_: str, props: Mapping[str, Any]) -> tuple[str, dict, dict]:
        resp = self._call(
            "Read",
            provider_pb2.ReadRequest(id=id_, urn=URN.format(name="d"), properties=to_struct(with_provider(props))),
        )
        outs, inputs = from_struct(resp.properties), from_struct(resp.inputs)
        outs.pop("__provider", None)
        inputs.pop("__provider", None)
        return resp.id, outs, inputs

    def update(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any], timeout: float = 120) -> dict:
        resp = self._call(
            "Update",
            provider_pb2.UpdateRequest(
                id=id_,
                urn=URN.format(name="d"),
                olds=to_struct(with_provider(olds)),
                news=to_struct(with_provider(news)),
            ),
            timeout,
        )
        outs = from_struct(resp.properties)
        outs.pop("__provider", None)
        return outs

    def delete(self, id_: str, props: Mapping[str, Any], timeout: float = 120) -> None:
        self._call(
            "Delete",
            provider_pb2.DeleteRequest(id=id_, urn=URN.format(name="d"), properties=to_struct(with_provider(props))),
            timeout,
        )


@contextmanager
def provider_host(env: Mapping[str, str] | None = None, args: tuple[str, ...] = ()) -> Iterator[Host]:
    """Start `python -u -m pulumi.dynamic` (it prints its port first) and connect to it; `args` are
    what the engine passes (its own address)."""
    proc_env = {**os.environ, **(env or {}), "PULUMI_PROJECT": "proj"}
    log = Path(tempfile.mkstemp(prefix="provider-host-", suffix=".log")[1])
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic", *args], stdout=subprocess.PIPE, stderr=err, env=proc_env
        )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().decode().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=15)
        yield Host(provider_pb2_grpc.ResourceProviderStub(channel), proc, log)
        channel.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.unlink(missing_ok=True)
