"""A loopback HTTP proxy in front of the local control plane that rewrites chosen answers: a server
whose answers leave out what the emulator's include (a create answered before its revision was
written, say), without a knob in the emulator for each shape."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

#: (method, path, answer body) -> the body to send instead.
Rewrite = Callable[[str, str, Any], Any]


@contextlib.contextmanager
def rewriting_proxy(upstream: str, rewrite: Rewrite) -> Iterator[str]:
    """Serve on a free loopback port until the block ends; yields the proxy's base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            answer = requests.request(
                self.command, upstream + self.path, data=body, headers=headers, timeout=30, allow_redirects=False
            )
            content = answer.content
            if answer.headers.get("content-type", "").startswith("application/json") and content:
                path = self.path.split("?", 1)[0]
                content = json.dumps(rewrite(self.command, path, answer.json())).encode()
            self.send_response(answer.status_code)
            for key, value in answer.headers.items():
                if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
