"""Let waiting creates and updates run side by side in the dynamic-provider host.

Why: `python -m pulumi.dynamic` (pulumi 3.272) serves every RPC from
`grpc.server(futures.ThreadPoolExecutor(max_workers=4))`. A create or update that waits minutes for
its revision holds one of those four threads, so a stack of 12 deployments deploys in three
sequential waves, and every other dynamic-resource call (check, diff, read) queues behind the waits.

How: when this package is imported inside that host (it is, when the pickled provider is loaded),
find the host's gRPC server among live objects and raise its executor's `_max_workers`.
`ThreadPoolExecutor` reads `_max_workers` on every submit and starts threads lazily, so the new limit
takes effect at once. The engine's own `--parallel` still bounds how many calls arrive together.

Relies on (tests/test_host_pool.py fails loudly if any of these change):
- the host runs as `__main__` with a `DynamicResourceProviderServicer` class;
- `grpc._server._Server` keeps its executor at `._state.thread_pool`;
- `concurrent.futures.ThreadPoolExecutor` honours `_max_workers` at submit time.
Nothing happens outside the host (e.g. in the Pulumi program or in tests that import the package).
`widen_once()` also starts the engine watch (`engine_watch`: the host exits once its engine is gone).
"""

from __future__ import annotations

import gc
import os
import sys
from concurrent.futures import ThreadPoolExecutor

from . import engine_watch
from .process import in_provider_host

DEFAULT_WORKERS = 256  # waits block on the shared watcher (`watcher`), so a thread each is cheap
ENV_WORKERS = "LANGSMITH_PROVIDER_WORKERS"

_done = False


def host_executors() -> list[ThreadPoolExecutor]:
    """The executors of live grpc servers in this process."""
    found: list[ThreadPoolExecutor] = []
    for obj in gc.get_objects():
        cls = type(obj)
        if cls.__name__ == "_Server" and cls.__module__ == "grpc._server":
            pool = getattr(getattr(obj, "_state", None), "thread_pool", None)
            if isinstance(pool, ThreadPoolExecutor):
                found.append(pool)
    return found


def widen(workers: int | None = None) -> int:
    """Raise the host's worker limit; returns how many executors were widened."""
    target = workers or int(os.environ.get(ENV_WORKERS, DEFAULT_WORKERS))
    count = 0
    for pool in host_executors():
        if pool._max_workers < target:
            pool._max_workers = target
            count += 1
    return count


def widen_once() -> None:
    """Inside the host, once: widen its pool and start the engine watch (`engine_watch`)."""
    global _done
    if _done or not in_provider_host():
        return
    _done = True
    engine_watch.start()
    if widen() == 0:
        print(
            "[langsmith] warning: could not find the provider host's thread pool; "
            "at most 4 deployments will wait at once",
            file=sys.stderr,
            flush=True,
        )
