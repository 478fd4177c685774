"""Progress lines on the Deployment's own row of `pulumi up`, not under `pulumi:pulumi:Stack`.

Why: whatever the provider host prints to stderr, the engine shows as messages of the stack. The
engine's `Log` RPC instead takes the URN of a resource and an `ephemeral` flag: an ephemeral message
is that resource's live status (shown in its row while it runs, not kept in the summary), which is
how pulumi-kubernetes reports its waits; a plain one is listed under the resource in Diagnostics.

How: the engine starts the provider host with its own gRPC address as the argument
(`pulumi-resource-pulumi-python <engine>` runs `python -m pulumi.dynamic <engine>`), and the URN of
the call being served is `request.urn` of the host's RPC method (Create, Update, ...) further up the
current thread's stack. Both are looked up only inside the host; when either is missing, or the
engine does not answer, the line goes to stderr as before.

Relies on (tests/test_engine_log.py fails loudly if any of these change):
- the host's last positional argument is the engine address;
- the host's servicer methods run in `__main__` and name their request argument `request`, which
  carries `urn`.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from . import operation, process
from .redact import redact

RPC_METHODS = frozenset({"Check", "Diff", "Create", "Read", "Update", "Delete"})
LOG_TIMEOUT = 5.0

_lock = threading.Lock()
_engine: Any = None
_broken = False


def current_urn() -> str | None:
    """The URN of the call being served: the plugin says it (`operation.URN`); in the dynamic host it
    is found in the host's method frame."""
    told = operation.URN.get()
    if told:
        return told
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in RPC_METHODS and frame.f_globals.get("__name__") == "__main__":
            urn = getattr(frame.f_locals.get("request"), "urn", None)
            if isinstance(urn, str) and urn:
                return urn
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _stub() -> Any:
    global _engine
    with _lock:
        if _engine is None:
            address = process.engine_address(sys.argv) if process.in_provider_host() or process.in_plugin() else None
            if address is None:
                return None
            import grpc
            from pulumi.runtime.proto import engine_pb2_grpc

            _engine = engine_pb2_grpc.EngineStub(grpc.insecure_channel(address))
        return _engine


def log(message: str, *, ephemeral: bool) -> bool:
    """Send `message` to the engine as the current resource's status (`ephemeral`) or info; returns
    False when it could not, so that the caller prints it instead."""
    global _broken
    if _broken:
        return False
    urn = current_urn()
    stub = _stub() if urn else None
    if urn is None or stub is None:
        return False
    from pulumi.runtime.proto import engine_pb2

    try:
        stub.Log(
            engine_pb2.LogRequest(severity=engine_pb2.INFO, message=redact(message), urn=urn, ephemeral=ephemeral),
            timeout=LOG_TIMEOUT,
        )
    except Exception:  # an engine that does not answer must not fail the deployment
        _broken = True
        return False
    return True
