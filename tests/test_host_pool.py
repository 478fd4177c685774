"""The parallel-waits mechanism relies on SDK and grpc internals; these tests fail loudly if they change."""

from __future__ import annotations

import inspect
from concurrent.futures import ThreadPoolExecutor

import grpc

from pulumi_langsmith.core import host_pool


def test_sdk_host_still_uses_a_grpc_threadpool_server() -> None:
    import importlib.util

    spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    assert spec is not None and spec.origin
    with open(spec.origin) as f:
        source = f.read()
    assert "class DynamicResourceProviderServicer" in source
    assert "futures.ThreadPoolExecutor(max_workers=" in source, (
        "pulumi.dynamic's host no longer builds its gRPC server on a ThreadPoolExecutor: "
        "revisit provider/core/host_pool.py"
    )


def test_grpc_server_keeps_its_executor_where_we_look() -> None:
    pool = ThreadPoolExecutor(max_workers=4)
    server = grpc.server(pool)
    try:
        assert type(server).__module__ == "grpc._server" and type(server).__name__ == "_Server"
        assert server._state.thread_pool is pool  # type: ignore[attr-defined]
        assert pool in host_pool.host_executors()
        assert host_pool.widen(16) >= 1
        assert pool._max_workers == 16
    finally:
        server.stop(0)
        pool.shutdown(wait=False)


def test_threadpool_reads_max_workers_on_submit() -> None:
    source = inspect.getsource(ThreadPoolExecutor._adjust_thread_count)
    assert "self._max_workers" in source


def test_nothing_happens_outside_the_provider_host() -> None:
    assert not host_pool.in_provider_host()
