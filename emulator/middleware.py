"""ASGI middleware wrapping the public API: request log, rate limit and fault injection.

It sits outside FastAPI's routing so that a fault can stop a request before any handler runs
(5xx, 429, drop) or after the handler committed its change (commit_then_drop). The rate limit
comes first, as a gateway's does: a limited request reaches neither the faults nor the service.
The test-control API, `/ok` and the docs pages bypass it: never limited, faulted or logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .apishape import is_documented
from .clock import iso
from .config import LiveSettings
from .faults import Fault, FaultInjector, FaultKind
from .ratelimit import RateLimiter
from .requestlog import RequestLog, route_of, strip_prefix

#: Key under which the server puts the connection's asyncio transport into `scope["state"]`.
TRANSPORT_KEY = "emulator.transport"
PRIVATE_PREFIX = "/_emulator"
PRIVATE_PATHS = frozenset({"/ok", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
#: The request log's `fault` for a request the rate limit refused.
RATE_LIMITED = "rate_limit"


#: The simulated agents' URLs (`routes/agents.py`): an agent's host, not the control plane API.
AGENTS_PREFIX = "/_agents/"


def is_public(path: str) -> bool:
    return not (
        path in PRIVATE_PATHS
        or path == PRIVATE_PREFIX
        or path.startswith(PRIVATE_PREFIX + "/")
        or path.startswith(AGENTS_PREFIX)
    )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def drop_connection(scope: Scope, receive: Receive) -> None:
    """Reset the TCP connection without a response, as a crashed proxy or server would."""
    transport: Any = scope.get("state", {}).get(TRANSPORT_KEY)
    if transport is None:  # not served by `langsmith_emulator.server` (e.g. an in-process test client)
        raise ConnectionAbortedError("connection dropped by an injected fault")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):  # linger 0: close() sends RST instead of FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    # Wait until the server has noticed, so it does not answer a 500 on our behalf.
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(1.0):
            while (await receive())["type"] != "http.disconnect":
                pass


async def _send_json(send: Send, status: int, body: dict[str, Any], extra: list[tuple[bytes, bytes]]) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """What FastAPI answers for a path it has no route for."""
    await _send_json(send, 404, {"detail": "Not Found"}, [])


def rate_limit_detail(rate: float, retry_after: int) -> str:
    """The 429 body's text; it names the limit but never the key (a secret)."""
    return f"Rate limit exceeded: at most {rate:g} requests per second per API key. Retry after {retry_after} s."


class EmulatorMiddleware:
    def __init__(
        self, app: ASGIApp, *, faults: FaultInjector, log: RequestLog, settings: LiveSettings, limiter: RateLimiter
    ) -> None:
        self.app = app
        self.faults = faults
        self.log = log
        self.settings = settings
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        settings = self.settings.current
        documented = is_documented(method, strip_prefix(path))
        # An older server (`--api spec`) has no route for anything outside the spec.
        target: ASGIApp = self.app if documented or settings.api == "current" else _not_found
        started = time.time()
        clock = time.perf_counter()
        api_key = _header(scope, b"x-api-key") or ""  # requests without a key share one bucket
        retry_after = self.limiter.check(api_key, settings.rate_limit, settings.rate_burst)
        fault: Fault | None = None
        if retry_after is None:  # a refused request never reaches the server, so no fault either
            fault = self.faults.pick(method, (path, strip_prefix(path)), settings.fault_rate)
        marker = RATE_LIMITED if retry_after is not None else str(fault.kind) if fault else None

        def record(status: int) -> None:
            self.log.append(
                {
                    "method": method,
                    "path": path,
                    "route": route_of(path),
                    "query": bytes(scope.get("query_string", b"")).decode("latin-1"),
                    "status": status,
                    "time": iso(started),
                    "duration_ms": round((time.perf_counter() - clock) * 1000, 3),
                    "tenant_id": _header(scope, b"x-tenant-id"),
                    "fault": marker,
                    "documented": documented,
                }
            )

        if retry_after is not None:
            record(429)
            detail = rate_limit_detail(settings.rate_limit or 0.0, retry_after)
            await _send_json(send, 429, {"detail": detail}, [(b"retry-after", str(retry_after).encode())])
        elif fault is None or fault.kind is FaultKind.LATENCY:
            if fault is not None:
                await asyncio.sleep(fault.latency_ms / 1000)
            await self._forward(target, scope, receive, send, record)
        elif fault.kind is FaultKind.DROP:
            record(0)
            await drop_connection(scope, receive)
        elif fault.kind is FaultKind.COMMIT_THEN_DROP:
            status = await self._swallow(target, scope, receive)
            record(status)
            await drop_connection(scope, receive)
        else:
            record(int(fault.kind))
            await self._error_response(send, fault)

    @staticmethod
    async def _forward(app: ASGIApp, scope: Scope, receive: Receive, send: Send, record: Any) -> None:
        status = 0
        recorded = False

        async def wrapped(message: Message) -> None:
            nonlocal status, recorded
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                recorded = True
                record(status)  # logged before the client can see the response
            await send(message)

        try:
            await app(scope, receive, wrapped)
        except BaseException:
            if not recorded:  # an unhandled error: the outer middleware answers 500
                record(500)
            raise

    @staticmethod
    async def _swallow(app: ASGIApp, scope: Scope, receive: Receive) -> int:
        """Run the request to completion but keep its response from the client."""
        status = 0

        async def discard(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])

        await app(scope, receive, discard)
        return status

    @staticmethod
    async def _error_response(send: Send, fault: Fault) -> None:
        if fault.kind is FaultKind.TOO_MANY_REQUESTS:
            body = {"detail": "injected fault: rate limit exceeded"}
            extra = [(b"retry-after", str(fault.retry_after).encode())]
        elif fault.kind is FaultKind.METHOD_NOT_ALLOWED:
            body, extra = {"detail": "Method Not Allowed"}, []
        else:
            body, extra = {"detail": "injected fault"}, []
        await _send_json(send, int(fault.kind), body, extra)
