"""The health check after DEPLOYED (`core/health.py`), with a fake clock and fake answers."""

from __future__ import annotations

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
