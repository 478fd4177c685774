"""The provider host exits on its own once the Pulumi engine that started it is gone.

Why: `pulumi up` killed by SIGKILL (a second Ctrl-C, a CI job timeout, a closed terminal) cannot stop
its plugins, which run in process groups of their own. Pulumi's Go providers notice: they ping the
engine's gRPC address (`rpcutil.Healthcheck`) and exit when it stops answering. The dynamic-provider
host (`python -m pulumi.dynamic`, pulumi 3.272) never looks, so it lived on re-parented to PID 1,
holding the API key and polling the control plane for a `pulumi up` nobody was running any more.

How: when this package is loaded inside that host (`host_pool.widen_once()`), a daemon thread
checks once a second whether the engine is still there, in two independent ways:
- the engine address the host was started with answers the gRPC health check (the engine serves
  `grpc.health.v1.Health`; UNIMPLEMENTED counts as alive, as in Go, a slow answer is not an
  answer, and only two refused checks in a row, each on a fresh connection, count as gone);
- the process that started the host still does: the host's parent, or the parent's parent when
  the parent is the `pulumi-resource-pulumi-python` shell shim (`sh` runs python without `exec`).
  A parent that died re-parents its child, so a changed parent pid means it is gone.
Then it first closes the gate (`request_slot`): from that moment no request to the control plane
starts, and loops that wait check `check()`. It gives requests already in flight a moment to end
(`DRAIN_SECONDS`), so their outcome is settled on the server, and exits with `os._exit`, which
skips the host's non-daemon gRPC threads. A retried or killed run then resumes as after any kill.

Relies on (tests/test_engine_watch.py fails loudly if any of these change):
- the engine address is the host's last positional argument (`process.engine_address`);
- the engine's gRPC server answers `/grpc.health.v1.Health/Check` with an empty request;
- the shim is a shell script that runs `python -u -m pulumi.dynamic $@` as a child (no `exec`).
Nothing happens outside the host (the Pulumi program, tests that import the package).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from .durations import given
from .errors import ProviderError
from .process import engine_address

INTERVAL = 1.0  # seconds between checks: the host is gone within a few seconds of its engine
PROBE_TIMEOUT = 5.0  # an engine that is busy (or stopped with Ctrl-Z) answers late: not gone
REFUSALS = 2  # consecutive refused health checks that mean gone
DRAIN_SECONDS = 2.0  # how long requests in flight may take to end before the process exits
EXIT_CODE = 3
SHIM = "pulumi-resource-pulumi-python"
HEALTH_CHECK = "/grpc.health.v1.Health/Check"


class EngineGone(ProviderError):
    """Raised instead of a request once the engine is gone: nobody is left to report it to."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the Pulumi engine that started this provider is gone ({reason}); not calling the API")


class Cancelled(ProviderError):
    """Raised instead of a request or a further wait once the engine asked the provider to stop
    (Ctrl-C: the plugin's `Cancel`): what was sent stays sent, and the next `pulumi up` resumes it."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"cancelled ({reason}): stopped waiting; whatever was already sent keeps going on the server, "
            "and the next `pulumi up` resumes it (no duplicate)"
        )


class Gate:
    """Requests pass while the engine is there; `close()` stops every later one. A request holds a
    slot from just before it is sent until its answer, so `close()` can wait for those in flight.
    Waits between requests sleep on the gate (`sleep`), so a close ends them at once; the watcher's
    waits look at it every second (`watcher.Watcher.wait`)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._in_flight = 0
        self._closed = threading.Event()
        self._error: Callable[[str], ProviderError] = EngineGone
        self.reason: str | None = None

    def closed(self) -> bool:
        return self.reason is not None

    def check(self) -> None:
        reason = self.reason
        if reason is not None:
            raise self._error(reason)

    def sleep(self, seconds: float) -> None:
        """`time.sleep`, cut short by `close()` (the caller's next `check()` then raises)."""
        self._closed.wait(max(0.0, seconds))

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        with self._cond:
            self.check()  # under the lock: no request can start after `close()` returned
            self._in_flight += 1
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def close(self, reason: str, error: Callable[[str], ProviderError] = EngineGone) -> None:
        """Stop every later request and wake every wait; `error` is what they raise from now on."""
        with self._cond:
            if self.reason is None:
                self.reason, self._error = reason, error
            self._closed.set()
            self._cond.notify_all()

    def drain(self, timeout: float) -> bool:
        """Wait until no request is in flight; False if some still are after `timeout` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: self._in_flight == 0, timeout)


_gate = Gate()


def gate() -> Gate:
    """The process's gate (tests swap `_gate` for a fresh one)."""
    return _gate


def gone() -> bool:
    return _gate.closed()


def check() -> None:
    """Raise `EngineGone` once the engine is gone: for loops that wait between requests."""
    _gate.check()


def request_slot() -> contextlib.AbstractContextManager[None]:
    """Hold this around sending one request (see `Gate.slot`)."""
    return _gate.slot()


def sleep(seconds: float) -> None:
    """The pause between polls: ends early once the gate closes (engine gone, or cancelled)."""
    _gate.sleep(seconds)


def cancel(reason: str = "Ctrl-C") -> None:
    """The plugin's `Cancel`: no request starts and every wait ends with `Cancelled`, at once; what is
    in flight finishes (the process is not exited: the engine still collects the results)."""
    _gate.close(reason, Cancelled)


# Is the engine still there? ----------------------------------------------------------------------


def parent_of(pid: int) -> int | None:
    """The parent pid of `pid` from /proc (None: no such process, or no /proc on this system)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def is_shim(pid: int) -> bool:
    """`pid` runs the `pulumi-resource-pulumi-python` shell shim (its script is an argument of sh)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(os.path.basename(arg.decode(errors="replace")) == SHIM for arg in argv[:3])


class Lineage:
    """Who started this process, noted at start: the parent, or the engine above the shim."""

    def __init__(self) -> None:
        self.parent = os.getppid()
        grand = parent_of(self.parent) if is_shim(self.parent) else None
        self.engine_pid = grand if grand and grand > 1 else None

    def gone(self) -> str | None:
        """Why the starter is gone, or None while it is there."""
        if os.getppid() != self.parent:
            return f"parent process {self.parent} exited"
        if self.engine_pid is not None and parent_of(self.parent) != self.engine_pid:
            return f"engine process {self.engine_pid} exited"
        return None


class EngineProbe:
    """The gRPC health check of the engine address, on a fresh connection each time: a refused
    connection is then really this check's, not a backoff left over from an earlier one."""

    def __init__(self, address: str, timeout: float = PROBE_TIMEOUT) -> None:
        self.address = address
        self.timeout = timeout
        self.refusals = 0

    def answered(self) -> bool | None:
        """True: the engine answered (UNIMPLEMENTED too); False: the connection was refused; None:
        no answer in time (a busy or stopped engine)."""
        import grpc

        channel = grpc.insecure_channel(self.address, options=[("grpc.use_local_subchannel_pool", 1)])
        try:
            check = channel.unary_unary(HEALTH_CHECK, request_serializer=None, response_deserializer=None)
            check(b"", timeout=self.timeout)  # an empty HealthCheckRequest: the whole server
            return True
        except grpc.RpcError as err:
            code = err.code() if isinstance(err, grpc.Call) else None
            if code == grpc.StatusCode.UNAVAILABLE:
                return False
            return None if code == grpc.StatusCode.DEADLINE_EXCEEDED else True
        finally:
            channel.close()

    def gone(self) -> str | None:
        answer = self.answered()
        self.refusals = self.refusals + 1 if answer is False else 0
        return f"{self.address} refused {self.refusals} health checks" if self.refusals >= REFUSALS else None


# The watch ---------------------------------------------------------------------------------------


def gone_reason(lineage: Lineage | None, probe: EngineProbe | None) -> str | None:
    return (lineage.gone() if lineage else None) or (probe.gone() if probe else None)


def stop(reason: str, exit_process: Callable[[int], None] = os._exit, drain: float = DRAIN_SECONDS) -> None:
    """Close the gate, let requests in flight end, say why (stderr may be a broken pipe now), exit."""
    _gate.close(reason)
    settled = _gate.drain(drain)
    with contextlib.suppress(Exception):
        note = "" if settled else f"; a request was still in flight after {given(drain)}"
        print(f"[langsmith] {EngineGone(reason)}: exiting{note}", file=sys.stderr, flush=True)
    exit_process(EXIT_CODE)


def watch(
    lineage: Lineage | None,
    probe: EngineProbe | None,
    *,
    interval: float = INTERVAL,
    on_gone: Callable[[str], None] = stop,
    stopped: threading.Event | None = None,
) -> None:
    """Check every `interval` seconds until the engine is gone, then `on_gone(reason)` once."""
    stopped = stopped or threading.Event()
    while not stopped.wait(interval):
        reason = gone_reason(lineage, probe)
        if reason is not None:
            on_gone(reason)
            return


_thread: threading.Thread | None = None


def start(argv: list[str] | None = None) -> threading.Thread:
    """Start the watch once per process (called inside the provider host only)."""
    global _thread
    if _thread is None:
        address = engine_address(sys.argv if argv is None else argv)
        probe = EngineProbe(address) if address else None
        _thread = threading.Thread(target=watch, args=(Lineage(), probe), name="langsmith-engine-watch", daemon=True)
        _thread.start()
    return _thread
