"""After DEPLOYED: wait until the deployment's URL answers `GET /ok`, so `pulumi up` returns only
when the agent is really reachable.

DEPLOYED says the control plane rolled the revision out; the Agent Server's `/ok` route is what its
readiness probe asks, and DNS or an ingress can still lag behind. The request carries the LangSmith
API key as `X-Api-Key`, the header a hosted Agent Server authenticates with; it goes only to the URL
the control plane returned for this deployment. Redirects are never followed: requests drops
`Authorization` on a redirect to another host but keeps custom headers, so following one would hand
the key to whatever host the answer names. A redirect is not healthy either: only the deployment's
own `{url}/ok` answering 200 counts, and the wait says where the redirect pointed. The check shares the wait's deadline
(`wait.timeout_seconds`), and `wait.health_check=False` turns it off, for a machine that cannot reach
its deployments (a private self-hosted data plane, say).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests

from . import engine_watch
from .durations import seconds
from .errors import ProviderError

#: `health` output values.
HEALTH_OK = "ok"
HEALTH_NOT_CHECKED = "not checked"
#: Between attempts: quick at first (a server that just turned DEPLOYED), then every few seconds.
FIRST_RETRY, MAX_RETRY = 0.5, 5.0
REQUEST_TIMEOUT = 10.0


class HealthCheckFailed(ProviderError):
    def __init__(self, label: str, url: str, waited: float, last: str) -> None:
        self.url = url
        super().__init__(
            f"{label}: the revision is DEPLOYED, but GET {url}/ok did not answer 200 within {seconds(waited)} "
            f"(last: {last}). The deployment is up on the server; if this machine cannot reach it, set "
            "wait.health_check=False."
        )


@dataclass
class HealthCheck:
    """One check against one URL; `clock`, `sleep` and `get` are replaceable in tests."""

    api_key: str
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = engine_watch.sleep
    get: Callable[..., requests.Response] = requests.get

    def wait(self, url: str, label: str, deadline: float, report: Callable[[str, bool], None]) -> str:
        """Blocks until `{url}/ok` answers 200 or `deadline` (a `clock` time) passes."""
        start, pause, last = self.clock(), FIRST_RETRY, "no answer yet"
        target = f"{url.rstrip('/')}/ok"
        while True:
            engine_watch.check()  # nobody waits for the answer once the engine is gone
            remaining = deadline - self.clock()
            try:
                answer = self.get(
                    target,
                    headers={"X-Api-Key": self.api_key},
                    timeout=max(0.5, min(REQUEST_TIMEOUT, remaining)),
                    allow_redirects=False,  # the key must not follow a redirect to another host
                )
                if answer.status_code == 200:
                    report(f"{label}: {target} answered 200 ({self.clock() - start:.1f}s)", False)
                    return HEALTH_OK
                last = answered(target, answer)
            except requests.RequestException as exc:
                last = describe(exc)
            now = self.clock()
            if now >= deadline:
                raise HealthCheckFailed(label, url.rstrip("/"), now - start, last)
            report(f"{label}: waiting for {target} ({last})", True)
            self.sleep(min(pause, max(0.0, deadline - now)))
            pause = min(MAX_RETRY, pause * 2)


def answered(target: str, answer: requests.Response) -> str:
    """An answer that is not 200, in a few words; a redirect names the origin it points to (never
    its path or query, which may hold a token), and is not followed."""
    location = answer.headers.get("Location")
    if not answer.is_redirect or not location:
        return f"HTTP {answer.status_code}"
    parts = urlsplit(urljoin(target, location))
    return f"HTTP {answer.status_code} to {parts.scheme}://{parts.netloc.rpartition('@')[2]}, not followed"


def describe(exc: requests.RequestException) -> str:
    """One short phrase, never the request (its headers hold the API key)."""
    if isinstance(exc, requests.ConnectTimeout | requests.ReadTimeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        text = str(exc)
        if "Name or service not known" in text or "NameResolutionError" in text or "nodename" in text:
            return "the host name does not resolve"
        if "Connection refused" in text:
            return "connection refused"
        return "connection failed"
    return type(exc).__name__
