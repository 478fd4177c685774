"""Live revision logs (`core/log_stream.py`) against a fake client: dedupe, rate limit, redaction, API shape."""

from __future__ import annotations

from typing import Any

from pulumi_langsmith.core.log_stream import LogStream, enabled_by_env, redact
from pulumi_langsmith.core.waiter import Polling, Waiter

SECRET = "sk-live-7f3a9c"


class FakeClient:
    """Serves a growing log per kind, ascending, with a numeric cursor, like the emulator."""

    def __init__(self, shape: str = "current") -> None:
        self.shape_value = shape
        self.logs: dict[str, list[dict[str, Any]]] = {"build": [], "deploy": []}
        self.calls: list[dict[str, Any]] = []
        self.statuses: list[str] = []

    def write(self, kind: str, *messages: str) -> None:
        for m in messages:
            self.logs[kind].append({"id": f"{kind}-{len(self.logs[kind])}", "timestamp": 0, "message": m})

    def shape(self, _dep: str) -> str:
        return self.shape_value

    def request(self, method: str, path: str, *, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(params)
        start = int(params.get("offset") or 0)
        page = self.logs[params["type"]][start : start + params["limit"]]
        # Like a server whose cursor is only given when another page exists: the same lines come again.
        more = start + len(page) < len(self.logs[params["type"]])
        return {"logs": page, "next_offset": str(start + len(page)) if more else None}

    def get_revision(self, _dep: str, rev: str) -> dict[str, Any]:
        return {"id": rev, "status": self.statuses.pop(0)}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _stream(client: FakeClient, clock: Clock, lines: list[str], **kw: Any) -> LogStream:
    return LogStream(client, "dep", "agent", [SECRET], clock=clock, report=lambda m, _e: lines.append(m), **kw)  # type: ignore[arg-type]


def test_new_lines_are_shown_once_each() -> None:
    client, lines = FakeClient(), []  # type: ignore[var-annotated]
    stream = _stream(client, Clock(), lines)
    client.write("build", "Step 1/3", "Step 2/3")
    stream.poll("rev", "BUILDING")
    stream.poll("rev", "BUILDING")  # nothing new: the same page again, de-duplicated
    client.write("build", "Step 3/3")
    stream.poll("rev", "BUILDING")
    client.write("deploy", "Server started")
    stream.poll("rev", "DEPLOYING")
    stream.poll("rev", "DEPLOYED")
    assert lines == [
        "agent: [build] Step 1/3",
        "agent: [build] Step 2/3",
        "agent: [build] Step 3/3",
        "agent: [deploy] Server started",
    ]


def test_lines_over_the_rate_are_collapsed_into_a_count_but_the_newest_always_show() -> None:
    client, clock, lines = FakeClient(), Clock(), []  # type: ignore[var-annotated]
    stream = _stream(client, clock, lines, per_second=2, burst=3, keep_last=2)
    client.write("build", *(f"line {i}" for i in range(10)))
    stream.poll("rev", "BUILDING")
    assert lines == [
        "agent: [build] line 0",
        "agent: [build] line 1",
        "agent: [build] line 2",
        "agent: [build] ... 5 more build log line(s) not shown",
        "agent: [build] line 8",
        "agent: [build] line 9",
    ]
    clock.now += 1  # one second: two more lines may be shown
    client.write("build", "a", "b", "c", "d", "e")
    stream.poll("rev", "BUILDING")
    assert lines[6:] == [
        "agent: [build] a",
        "agent: [build] b",
        "agent: [build] ... 1 more build log line(s) not shown",
        "agent: [build] d",
        "agent: [build] e",
    ]


def test_a_long_log_is_read_page_after_page_so_its_last_lines_show() -> None:
    # A cold pip install writes hundreds of lines: the graph import and "Build succeeded" come last.
    client, lines = FakeClient(), []  # type: ignore[var-annotated]
    stream = _stream(client, Clock(), lines, burst=5, keep_last=2)
    client.write(
        "build", *(f"Collecting package-{i}" for i in range(250)), "Importing graphs: agent", "Build succeeded"
    )
    stream.poll("rev", "DEPLOYED")
    assert [c.get("offset") for c in client.calls if c["type"] == "build"] == [None, "100", "200"]
    assert lines[-3:] == [
        "agent: [build] ... 245 more build log line(s) not shown",
        "agent: [build] Importing graphs: agent",
        "agent: [build] Build succeeded",
    ]
    client.calls.clear()
    stream.poll("rev", "DEPLOYED")  # nothing new: the deploy log only, from where it was
    assert [c["type"] for c in client.calls] == ["deploy"]


def test_secret_values_are_redacted() -> None:
    client, lines = FakeClient(), []  # type: ignore[var-annotated]
    stream = _stream(client, Clock(), lines)
    client.write("build", f"export OPENAI_API_KEY={SECRET}", f"{SECRET}{SECRET}")
    stream.poll("rev", "BUILDING")
    assert lines == ["agent: [build] export OPENAI_API_KEY=***", "agent: [build] ******"]
    assert all(SECRET not in line for line in lines)
    assert redact("abcd abcde", ["abcd", "abcde"]) == "*** ***"  # a value inside another: not half shown
    assert redact("ab abc", ["ab", "abc"]) == "ab abc"  # under 4 characters: left alone (core/redact.py)


def test_a_spec_server_gets_no_call_and_no_line() -> None:
    client, lines = FakeClient(shape="spec"), []  # type: ignore[var-annotated]
    stream = _stream(client, Clock(), lines)
    client.write("build", "hidden")
    stream.poll("rev", "BUILDING")
    stream.poll("rev", "DEPLOYED")
    assert client.calls == [] and lines == []


def test_a_log_error_never_fails_the_wait_and_streaming_stops() -> None:
    client, lines = FakeClient(), []  # type: ignore[var-annotated]

    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("boom")

    client.request = broken  # type: ignore[method-assign]
    stream = _stream(client, Clock(), lines)
    stream.poll("rev", "BUILDING")
    stream.poll("rev", "BUILDING")
    assert lines == []


def test_the_waiter_calls_the_hook_on_each_poll_including_the_last() -> None:
    client = FakeClient()
    client.statuses = ["BUILDING", "DEPLOYING", "DEPLOYED"]
    seen: list[tuple[str, str]] = []
    waiter = Waiter(
        client,  # type: ignore[arg-type]
        Polling(timeout=60, poll_min=0.05, poll_max=0.05),
        sleep=lambda _s: None,
        report=lambda _m, _e: None,
        on_poll=lambda rev, status: seen.append((rev, status)),
    )
    waiter.revision("dep", "agent", "rev")
    assert seen == [("rev", "BUILDING"), ("rev", "DEPLOYING"), ("rev", "DEPLOYED")]


def test_the_env_switch() -> None:
    assert enabled_by_env({}) and enabled_by_env({"LANGSMITH_STREAM_LOGS": "1"})
    assert not enabled_by_env({"LANGSMITH_STREAM_LOGS": "0"}) and not enabled_by_env({"LANGSMITH_STREAM_LOGS": "off"})
