"""Runs the app under uvicorn, with a protocol that lets a fault reset the TCP connection.

ASGI gives an application no way to close its connection without answering (uvicorn turns an
exception into a 500). The `drop` faults must look like a real connection reset to clients, so
this protocol hands each request its asyncio transport through `scope["state"]`.
"""

from __future__ import annotations

import asyncio
import logging
import traceback

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import create_app
from .config import EmulatorConfig
from .middleware import TRANSPORT_KEY


class DroppableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, exposing the transport to the app for `drop` faults."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # uvicorn copies `app_state` into every request's scope["state"]; give each
        # connection its own copy that also carries the transport.
        self.app_state = {**self.app_state, TRANSPORT_KEY: transport}


class RedactExceptionMessages(logging.Filter):
    """Keep tracebacks (file, line, function) but drop exception messages.

    Messages such as pydantic's validation errors quote the offending input, which may be a
    secret from a request body; the emulator must never print those.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            frames = "".join(traceback.format_list(traceback.extract_tb(tb)))
            record.exc_text = f"Traceback (most recent call last):\n{frames}{exc_type.__name__}: <message redacted>"
        return True


def serve(config: EmulatorConfig) -> None:
    """Block serving `config` until SIGINT/SIGTERM."""
    app = create_app(config)
    # Request bodies carry secrets: never log them. Access logs are off too (warning level).
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn.error", "emulator"):
        logging.getLogger(name).addFilter(RedactExceptionMessages())
    uvicorn.run(
        app,
        host=config.host,
        port=config.port,
        log_level="warning",
        access_log=False,
        http=DroppableH11Protocol,
        ws="none",
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
