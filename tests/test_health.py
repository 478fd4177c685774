"""The health check after DEPLOYED (`core/health.py`), with a fake clock and fake answers, and against
real local HTTP servers for redirects."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests

from pulumi_langsmith.core.health import HEALTH_OK, HealthCheck, HealthCheckFailed, describe

KEY = "lsv2_secret_api_key_value"


class Fake:
    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.now = 0.0
        self.calls: list[tuple[str, dict[str, str], float]] = []
        self.sleeps: list[float] = []
        self.lines: list[tuple[str, bool]] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def get(self, url: str, *, headers: dict[str, str], timeout: float, allow_redirects: bool) -> Any:
        self.calls.append((url, headers, timeout))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        response = requests.Response()
        response.status_code = answer
        return response

    def check(self) -> HealthCheck:
        return HealthCheck(KEY, clock=self.clock, sleep=self.sleep, get=self.get)

    def report(self, line: str, ephemeral: bool) -> None:
        self.lines.append((line, ephemeral))


def test_waits_through_refusals_and_503_until_200_with_the_api_key() -> None:
    fake = Fake([requests.ConnectionError("[Errno 111] Connection refused"), 503, 200])
    assert fake.check().wait("http://agent.example/", "agent-1", deadline=60, report=fake.report) == HEALTH_OK
    assert [c[0] for c in fake.calls] == ["http://agent.example/ok"] * 3
    assert all(c[1] == {"X-Api-Key": KEY} for c in fake.calls)
    assert fake.sleeps == [0.5, 1.0]  # quick at first, then backing off
    assert fake.lines[-1] == ("agent-1: http://agent.example/ok answered 200 (1.5s)", False)
    assert ("agent-1: waiting for http://agent.example/ok (connection refused)", True) in fake.lines


def test_the_deadline_ends_it_with_one_message_and_no_key() -> None:
    fake = Fake([requests.ConnectionError("NameResolutionError: Name or service not known")])
    with pytest.raises(HealthCheckFailed) as caught:
        fake.check().wait("https://agent.example", "agent-1", deadline=30, report=fake.report)
    message = str(caught.value)
    assert message.startswith("agent-1: the revision is DEPLOYED, but GET https://agent.example/ok did not answer 200")
    assert "the host name does not resolve" in message and "wait.health_check=False" in message
    assert KEY not in message and all(KEY not in line for line, _ in fake.lines)
    assert fake.now == 30  # not a second past the deadline
    assert max(fake.sleeps) == 5.0
    assert all(timeout <= 10 for _, _, timeout in fake.calls)


def test_describe_says_little() -> None:
    assert describe(requests.ReadTimeout("x")) == "timed out"
    assert describe(requests.ConnectionError("Connection refused")) == "connection refused"
    assert describe(requests.ConnectionError("reset")) == "connection failed"
    assert describe(requests.TooManyRedirects("x")) == "TooManyRedirects"


class _Recorder(http.server.ThreadingHTTPServer):
    """A real local HTTP server that records each request's path and headers, and answers with
    `respond(path) -> (status, headers)`."""

    def __init__(self, respond: Callable[[str], tuple[int, dict[str, str]]]) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.respond = respond
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.seen.append((self.path, dict(self.headers)))
                status, headers = server.respond(self.path)
                self.send_response(status)
                for name, value in {**headers, "Content-Length": "0"}.items():
                    self.send_header(name, value)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> _Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


def _real_check() -> tuple[HealthCheck, Fake]:
    """Real requests, a fake clock: the deadline passes after a few attempts without real waiting."""
    fake = Fake([200])
    return HealthCheck(KEY, clock=fake.clock, sleep=fake.sleep), fake


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_gets_no_key_and_is_not_healthy(status: int) -> None:
    """requests keeps custom headers (`X-Api-Key`) on a redirect to another host; the check never
    follows one, and a redirect is not the deployment's own `/ok` answering 200."""
    with _Recorder(lambda path: (200, {})) as elsewhere:
        target = f"{elsewhere.origin}/ok?token=abc"
        with _Recorder(lambda path: (status, {"Location": target})) as agent:
            check, fake = _real_check()
            with pytest.raises(HealthCheckFailed) as caught:
                check.wait(agent.origin, "agent-1", deadline=8, report=fake.report)
    assert elsewhere.seen == [], "the check followed the redirect (with the API key) to another origin"
    assert agent.seen and all(path == "/ok" and h.get("X-Api-Key") == KEY for path, h in agent.seen)
    message = str(caught.value)
    assert f"(last: HTTP {status} to {elsewhere.origin}, not followed)" in message, message
    assert "token=abc" not in message and KEY not in message
    assert any(f"HTTP {status} to {elsewhere.origin}" in line for line, _ in fake.lines)


def test_a_redirect_on_the_same_origin_is_not_healthy_either() -> None:
    with _Recorder(lambda path: (302, {"Location": "/ok/"}) if path == "/ok" else (200, {})) as agent:
        check, fake = _real_check()
        with pytest.raises(HealthCheckFailed, match=r"last: HTTP 302 to http://127\.0\.0\.1:\d+, not followed"):
            check.wait(agent.origin, "agent-1", deadline=3, report=fake.report)
    assert {path for path, _ in agent.seen} == {"/ok"}


def test_the_deployments_own_ok_answering_200_is_healthy() -> None:
    with _Recorder(lambda path: (200, {}) if path == "/ok" else (404, {})) as agent:
        check, fake = _real_check()
        assert check.wait(f"{agent.origin}/", "agent-1", deadline=3, report=fake.report) == HEALTH_OK
    assert [(path, h.get("X-Api-Key")) for path, h in agent.seen] == [("/ok", KEY)]
