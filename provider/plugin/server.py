"""The plugin's process: a gRPC server the Pulumi CLI starts (`plugin/__main__.py`).

`pulumi.provider.experimental.server.main` would serve `LangSmithProvider` as it is, but its servicer
wraps every error as `Exception("<message>:\\n<python stack>")`, which the CLI prints whole. Here the
servicer answers an error this package raises on purpose (`ProviderError`: it says what failed and
what to do) with its message alone, as the dynamic host does (`core/errors.py`); any other error
keeps its stack, which is what a bug report needs. Neither holds a secret value (`core/redact.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from pulumi.provider.experimental import server as sdk_server
from pulumi.runtime.proto import provider_pb2_grpc

from ..core import engine_watch, process
from ..core.errors import ProviderError
from ..core.redact import redact
from .frontend import LangSmithProvider
from .language import speak
from .resources import KINDS
from .schema import version

RPCS = ("Check", "Diff", "Create", "Read", "Update", "Delete", "Invoke", "Configure", "GetSchema")


def _message_only(rpc: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(rpc)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await rpc(self, request, context)
        except grpc.aio.AbortError:
            raise  # the call already said what it answers
        except Exception as exc:
            cause = exc if isinstance(exc, ProviderError) else exc.__context__
            if isinstance(cause, ProviderError):
                await context.abort(grpc.StatusCode.UNKNOWN, _spoken(str(cause), request))
            # What grpc answers for an error of the servicer ("Unexpected <type>: <text>", the text
            # holding the SDK's stack), without a secret value.
            await context.abort(grpc.StatusCode.UNKNOWN, redact(f"Unexpected {type(exc)}: {exc}"))
            raise  # not reached: abort raises

    return wrapper


def _spoken(message: str, request: Any) -> str:
    """A message of the core in the program's spelling (`wait.timeoutSeconds`, `healthCheck: false`),
    as check failures are (`language.speak`): the resource's schema names, when the call is about one."""
    parts = str(getattr(request, "urn", "") or "").split("::", 3)  # urn:pulumi:<stack>::<project>::<type>::<name>
    kind = KINDS.get(parts[2].rsplit("$", 1)[-1]) if len(parts) == 4 else None
    return speak(message, kind.shape) if kind is not None else message


class Servicer(sdk_server.ProviderServicer):
    """The SDK's servicer, with errors of this package reported as their message."""


for _name in RPCS:
    setattr(Servicer, _name, _message_only(getattr(sdk_server.ProviderServicer, _name)))


async def serve(provider: LangSmithProvider, engine: str, announce: Callable[[int], None]) -> None:
    server = grpc.aio.server(options=getattr(sdk_server, "_GRPC_CHANNEL_OPTIONS", None))  # its size limits
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(Servicer([], version(), provider, engine), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    announce(port)
    await server.wait_for_termination()


def _announce(port: int) -> None:
    """The CLI reads the port from the first line of stdout: nothing may be printed before it."""
    sys.stdout.buffer.write(f"{port}\n".encode())
    sys.stdout.buffer.flush()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The langsmith Pulumi provider plugin (a gRPC server)")
    parser.add_argument("engine", help="the Pulumi engine's address")
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    process.enter_plugin()
    engine_watch.start([sys.argv[0], args.engine])
    with contextlib.suppress(KeyboardInterrupt):  # the CLI stops its plugins with SIGINT first
        asyncio.run(serve(LangSmithProvider(), args.engine, _announce))
