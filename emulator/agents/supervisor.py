"""Deployment id -> running Agent Server, behind a stable per-deployment URL.

Why a proxy: a deployment's `url` must not change between revisions, yet two revisions' servers must
overlap during a switch. Each deployment gets a small HTTP reverse proxy (uvicorn + httpx, already
emulator dependencies) on a port fixed for the deployment's lifetime; per-revision servers run on
free ports behind it. The proxy works per request, not per TCP connection, so a client's keep-alive
connection is never pinned to a retiring server. A switch starts the new server, waits for `/ok`,
repoints the proxy, waits until the old server's in-flight requests are done, and only then stops it:
no request fails during a rollout.

Bounds: at most `max_servers` deployments have a running server; starting one more stops the least
recently used other one. A server idle for `idle_seconds` is stopped; its proxy stays up and the next
request starts it again from the same build (a cold start, like scale-to-zero). `stop_all()` stops
proxies and servers; `server.stop_all_servers` also runs at exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn

from .build import BuildResult
from .logs import LogSink
from .server import AgentServer, start_server

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: Hop-by-hop headers (RFC 9110 7.6.1) are the proxy's own business, never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)


def forward_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Drops hop-by-hop headers: they describe one connection, not the request."""
    return [(k, v) for k, v in headers if k.decode("latin-1").lower() not in HOP_BY_HOP]


@dataclass
class _Backend:
    server: AgentServer
    client: httpx.AsyncClient
    inflight: int = 0


@dataclass
class _Spec:
    """What it takes to start this deployment's server again (after an idle stop)."""

    build: BuildResult
    revision_id: str
    env: dict[str, str]
    secrets: dict[str, str]
    on_log: LogSink | None


@dataclass
class _Route:
    deployment_id: str
    port: int
    host: str
    spec: _Spec | None = None
    backend: _Backend | None = None
    listener: uvicorn.Server | None = None
    serving: Future[Any] | None = None
    last_used: float = field(default_factory=time.monotonic)
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True)
class DeploymentServer:
    """A snapshot for callers: where the deployment answers and what serves it."""

    deployment_id: str
    url: str
    revision_id: str | None
    running: bool
    backend_url: str | None
    pid: int | None


class Supervisor:
    """Thread-safe; `switch` blocks for the new server's start-up, so call it from a worker thread."""

    def __init__(
        self,
        *,
        max_servers: int = 8,
        idle_seconds: float | None = None,
        host: str = "127.0.0.1",
        health_timeout: float = 120.0,
        drain_timeout: float = 30.0,
    ) -> None:
        if max_servers < 1:
            raise ValueError("max_servers must be at least 1")
        self.max_servers = max_servers
        self.idle_seconds = idle_seconds
        self.host = host
        self.health_timeout = health_timeout
        self.drain_timeout = drain_timeout
        self._routes: dict[str, _Route] = {}
        self._lock = threading.RLock()
        self._retiring: set[AgentServer] = set()
        self._loop = asyncio.new_event_loop()
        self._loop_thread = threading.Thread(target=self._loop.run_forever, name="agent-proxy", daemon=True)
        self._loop_thread.start()
        self._closed = threading.Event()
        self._reaper: threading.Thread | None = None
        if idle_seconds is not None:
            self._reaper = threading.Thread(target=self._reap_loop, name="agent-idle-reaper", daemon=True)
            self._reaper.start()

    # -- public interface ---------------------------------------------------------------------------

    def switch(
        self,
        deployment_id: str,
        build: BuildResult,
        *,
        revision_id: str,
        env: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
        port: int | None = None,
        on_log: LogSink | None = None,
    ) -> str:
        """Serves `build` at the deployment's stable URL and returns that URL.

        The old server (if any) keeps serving until the new one answers `/ok`; on `ServerStartError`
        nothing changes. `port` pins the proxy port the first time (e.g. the URL stored before a restart).
        """
        if self._closed.is_set():
            raise RuntimeError("the supervisor is stopped")
        spec = _Spec(build, revision_id, dict(env or {}), dict(secrets or {}), on_log)
        route = self._route(deployment_id, port)
        self._make_room(exclude=deployment_id)  # before taking our lock: evicting takes the victim's
        with route.lock:
            server = self._start(spec)
            old = self._swap(route, _Backend(server, self._client(server)))
            route.spec = spec
            route.last_used = time.monotonic()
        if old is not None:
            self._retire(old)
        with self._lock:
            orphaned = self._routes.get(deployment_id) is not route
        if orphaned:  # stop() or stop_all() ran while this server was starting
            server.stop(grace=2.0)
            raise RuntimeError(f"deployment {deployment_id} was stopped while its server was starting")
        return route.url

    def url(self, deployment_id: str) -> str | None:
        with self._lock:
            route = self._routes.get(deployment_id)
        return route.url if route else None

    def status(self, deployment_id: str) -> DeploymentServer | None:
        with self._lock:
            route = self._routes.get(deployment_id)
        if route is None:
            return None
        backend = route.backend
        return DeploymentServer(
            deployment_id,
            route.url,
            route.spec.revision_id if route.spec else None,
            backend is not None and backend.server.alive(),
            backend.server.url if backend else None,
            backend.server.pid if backend else None,
        )

    def deployment_ids(self) -> list[str]:
        """The deployments that have a URL here (running or stopped for idleness)."""
        with self._lock:
            return list(self._routes)

    def servers(self) -> list[AgentServer]:
        """Every server process this supervisor holds, retiring ones included."""
        with self._lock:
            routes = list(self._routes.values())
            retiring = list(self._retiring)
        return [r.backend.server for r in routes if r.backend] + retiring

    def stop(self, deployment_id: str) -> None:
        """Stops the deployment's server and its proxy; its URL stops answering."""
        with self._lock:
            route = self._routes.pop(deployment_id, None)
        if route is None:
            return
        with route.lock:
            old = self._swap(route, None)
            listener, serving = route.listener, route.serving
            route.listener = route.serving = None
        if listener is not None:
            listener.should_exit = True
        if serving is not None:
            with contextlib.suppress(Exception):
                serving.result(timeout=10)
        if old is not None:
            self._retire(old, drain=False)

    def stop_idle(self, deployment_id: str) -> bool:
        """Stops the server but keeps the URL; the next request starts it again. True if one was stopped."""
        with self._lock:
            route = self._routes.get(deployment_id)
        if route is None:
            return False
        with route.lock:
            old = self._swap(route, None)
        if old is None:
            return False
        self._retire(old)
        return True

    def stop_all(self) -> None:
        """Stops every proxy and server; safe to call twice."""
        self._closed.set()
        with self._lock:
            ids = list(self._routes)
        for deployment_id in ids:
            self.stop(deployment_id)
        with self._lock:
            retiring = list(self._retiring)
        for server in retiring:
            server.stop(grace=2.0)
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._loop_thread.join(timeout=5)

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()

    # -- internals ----------------------------------------------------------------------------------

    def _run(self, coro: Awaitable[Any]) -> Any:
        if not self._loop.is_running():
            raise RuntimeError("supervisor is stopped")
        future: Future[Any] = asyncio.run_coroutine_threadsafe(_await(coro), self._loop)
        return future.result()

    def _start(self, spec: _Spec) -> AgentServer:
        return start_server(
            spec.build,
            env=spec.env,
            secrets=spec.secrets,
            host=self.host,
            on_log=spec.on_log,
            health_timeout=self.health_timeout,
        )

    def _client(self, server: AgentServer) -> httpx.AsyncClient:
        timeout = httpx.Timeout(connect=5.0, read=None, write=None, pool=None)
        return httpx.AsyncClient(base_url=server.url, timeout=timeout, follow_redirects=False)

    def _swap(self, route: _Route, backend: _Backend | None) -> _Backend | None:
        """Repoints the route on the proxy's loop, so no request sees a half-made change."""

        async def swap() -> _Backend | None:
            old, route.backend = route.backend, backend
            return old

        if not self._loop.is_running():
            old, route.backend = route.backend, backend
            return old
        result: _Backend | None = self._run(swap())
        return result

    def _retire(self, old: _Backend, *, drain: bool = True) -> None:
        """Waits for the old server's in-flight requests (bounded), then stops it, in the background."""
        with self._lock:
            self._retiring.add(old.server)

        def retire() -> None:
            deadline = time.monotonic() + (self.drain_timeout if drain else 0.0)
            while old.inflight > 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            with contextlib.suppress(RuntimeError):
                self._run(old.client.aclose())
            old.server.stop()
            with self._lock:
                self._retiring.discard(old.server)

        if drain:
            threading.Thread(target=retire, name="agent-retire", daemon=True).start()
        else:
            retire()

    def _make_room(self, *, exclude: str) -> None:
        """Stops least-recently-used other servers until a new one fits under `max_servers`."""
        while True:
            with self._lock:
                running = [r for r in self._routes.values() if r.backend is not None and r.deployment_id != exclude]
            if len(running) < self.max_servers:
                return
            victim = min(running, key=lambda r: r.last_used)
            self.stop_idle(victim.deployment_id)

    def _route(self, deployment_id: str, port: int | None) -> _Route:
        with self._lock:
            route = self._routes.get(deployment_id)
            if route is not None:
                return route
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((self.host, port or 0))
            except OSError:
                sock.close()
                raise
            sock.listen(128)
            route = _Route(deployment_id, int(sock.getsockname()[1]), self.host)
            config = uvicorn.Config(
                self._proxy_app(route),
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_keep_alive=30,
                timeout_graceful_shutdown=5,
            )
            route.listener = uvicorn.Server(config)
            route.serving = asyncio.run_coroutine_threadsafe(route.listener.serve(sockets=[sock]), self._loop)
            self._routes[deployment_id] = route
            return route

    def _wake(self, route: _Route) -> None:
        """Starts a server for a route whose server was stopped for idleness or to make room."""
        self._make_room(exclude=route.deployment_id)
        with route.lock:
            if route.backend is not None or route.spec is None or self._closed.is_set():
                return
            with self._lock:
                if self._routes.get(route.deployment_id) is not route:
                    return
            server = self._start(route.spec)
            self._swap(route, _Backend(server, self._client(server)))

    def _reap_loop(self) -> None:
        assert self.idle_seconds is not None
        interval = max(0.1, min(self.idle_seconds / 4, 5.0))
        while not self._closed.wait(interval):
            now = time.monotonic()
            with self._lock:
                routes = list(self._routes.values())
            for route in routes:
                backend = route.backend
                if backend is not None and backend.inflight == 0 and now - route.last_used > self.idle_seconds:
                    self.stop_idle(route.deployment_id)

    def _proxy_app(self, route: _Route) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        loop = self._loop

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                return
            route.last_used = time.monotonic()
            backend = route.backend
            if backend is None and route.spec is not None:
                with contextlib.suppress(Exception):
                    await loop.run_in_executor(None, self._wake, route)
                backend = route.backend
            if backend is None:
                await _plain(send, 503, b'{"detail":"deployment is not running"}')
                return
            backend.inflight += 1
            try:
                await _forward(backend.client, scope, receive, send)
            finally:
                backend.inflight -= 1
                route.last_used = time.monotonic()

        return app


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


async def _plain(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


async def _forward(client: httpx.AsyncClient, scope: Scope, receive: Receive, send: Send) -> None:
    """Streams the request to the backend and the response back (SSE streams included)."""

    async def body() -> AsyncIterator[bytes]:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return

    path = scope.get("raw_path") or scope["path"].encode()
    target = path.decode("latin-1") + (("?" + scope["query_string"].decode("latin-1")) if scope["query_string"] else "")
    request = client.build_request(
        scope["method"], target, headers=forward_headers(list(scope["headers"])), content=body()
    )
    try:
        response = await client.send(request, stream=True)
    except httpx.TransportError as exc:
        await _plain(send, 502, b'{"detail":"agent server unreachable: ' + type(exc).__name__.encode() + b'"}')
        return
    try:
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": forward_headers(list(response.headers.raw)),
            }
        )
        async for chunk in response.aiter_raw():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        await response.aclose()
