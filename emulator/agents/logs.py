"""Time-stamped, secret-free log lines from the real build and server processes."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LogSink = Callable[["LogLine"], None]

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s:@]+(?::[^/\s@]*)?@")
_STRUCTLOG_LEVEL = re.compile(r"\[\s*(debug|info|warning|warn|error|critical|exception)\s*\]", re.IGNORECASE)
#: Secret values shorter than this are not redacted: "1" or "true" would mangle every line.
MIN_REDACT_LENGTH = 4
REDACTED = "***"


@dataclass(frozen=True)
class LogLine:
    """One log line as the control plane's log routes serve it."""

    timestamp: float  # epoch seconds
    level: str  # INFO | WARNING | ERROR
    message: str

    def as_api(self) -> dict[str, object]:
        """The `{"timestamp" (epoch ms), "level", "message"}` shape of `GET .../logs`."""
        return {"timestamp": int(self.timestamp * 1000), "level": self.level, "message": self.message}


def strip_ansi(text: str) -> str:
    """structlog and pip colour their output even in pipes when asked to; logs keep plain text."""
    return _ANSI.sub("", text)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Removes secret values and URL credentials (pip echoes `--index-url https://user:token@...`)."""
    text = _URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{REDACTED}@", text)
    for secret in sorted({s for s in secrets if len(s) >= MIN_REDACT_LENGTH}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def level_of(line: str) -> str:
    """pip prefixes `ERROR:`/`WARNING:`; the Agent Server logs through structlog's `[level]` column."""
    stripped = line.lstrip()
    if stripped.startswith(("ERROR:", "Traceback ")) or re.match(r"^\w*(Error|Exception)\b", stripped):
        return "ERROR"
    if stripped.startswith(("WARNING:", "DEPRECATION:")):
        return "WARNING"
    match = _STRUCTLOG_LEVEL.search(line)
    if match:
        name = match.group(1).lower()
        if name in ("error", "critical", "exception"):
            return "ERROR"
        if name in ("warning", "warn"):
            return "WARNING"
    return "INFO"


class LogRecorder:
    """Collects lines (bounded), redacting secrets, and forwards each to an optional sink."""

    def __init__(self, *, secrets: Iterable[str] = (), sink: LogSink | None = None, limit: int = 10_000) -> None:
        self._secrets = tuple(secrets)
        self._sink = sink
        self._limit = limit
        self._lines: list[LogLine] = []
        self._lock = threading.Lock()

    def emit(self, message: str, level: str | None = None) -> LogLine:
        text = redact(strip_ansi(message).rstrip(), self._secrets)
        line = LogLine(time.time(), level or level_of(text), text)
        with self._lock:
            self._lines.append(line)
            if len(self._lines) > self._limit:
                del self._lines[: len(self._lines) - self._limit]
        if self._sink is not None:
            self._sink(line)
        return line

    def lines(self) -> list[LogLine]:
        with self._lock:
            return list(self._lines)


def pump(stream: Iterable[bytes], recorder: LogRecorder) -> None:
    """Stamps each line of a child's output as it arrives (not when the child ends)."""
    for raw in stream:
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        if text.strip():
            recorder.emit(text)


def run_logged(
    argv: Sequence[str],
    recorder: LogRecorder,
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
) -> int:
    """Runs a child in its own process group, streaming stdout+stderr into the recorder.

    On timeout the whole group is killed and 124 returned (the `timeout(1)` convention).
    """
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert proc.stdout is not None
    reader = threading.Thread(target=pump, args=(proc.stdout, recorder), daemon=True)
    reader.start()
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        proc.wait()
        reader.join(timeout=5)
        recorder.emit(f"ERROR: {Path(argv[0]).name} timed out after {timeout:g}s", "ERROR")
        return 124
    reader.join(timeout=5)
    return code


def kill_group(pid: int, sig: int = 9) -> None:
    """Signals a child's whole process group; a group already gone is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
