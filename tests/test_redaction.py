"""No secret value in any string that leaves the provider (`core/redact.py`), on every failure path.

The secrets are declared as a user declares them, and registered where the provider decodes them:
the API key through the provider's configuration, the `secrets` values through the Deployment's
model, and a value the engine marks secret through the plugin's translation. Then each failure path
is raised for real (the waiter, the health check, the API client against a local HTTP server, check,
the log stream, progress, both frontends' error boundaries) with a server, a log or an answer that
echoes every secret, and every string a user meets (the message, the host's report, progress lines,
the engine's log, stderr) is searched for each value. The same through real processes: the dynamic
host and the plugin against the emulator (below); through the CLI: tests/e2e/test_redaction_cli.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import io
import json
import string
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck as Health
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.provider.experimental.property_value import PropertyValue

from langsmith_emulator.testing import API_KEY, TENANT_ID
from pulumi_langsmith.core import engine_log, errors, operation, progress, redact
from pulumi_langsmith.core.client import ControlPlaneClient
from pulumi_langsmith.core.config import CONFIG_API_KEY, CONFIG_URL, CONFIG_WORKSPACE_ID, Settings, resolve_settings
from pulumi_langsmith.core.health import HealthCheck, HealthCheckFailed
from pulumi_langsmith.core.log_stream import LogStream
from pulumi_langsmith.core.waiter import Polling, RevisionFailed, Waiter, WaitTimeout
from pulumi_langsmith.deployment.model import DeploymentInputs
from pulumi_langsmith.deployment.provider import DeploymentProvider
from pulumi_langsmith.plugin import server
from pulumi_langsmith.plugin.convert import to_plain
from pulumi_langsmith.plugin.resources import DEPLOYMENT

from .support.data import github_inputs
from .support.host import provider_host
from .support.plugin import Secret, plugin_process

#: A secret value as a user may write one: any text (quotes, backslashes, newlines, `*`, non-ASCII),
#: at least `MIN_LENGTH` characters that are not whitespace (shorter ones are not redacted, by design).
SECRET = st.text(st.characters(blacklist_categories=("Cs",)), min_size=4, max_size=24).filter(
    lambda s: len(s.strip()) >= redact.MIN_LENGTH
)
#: The API key travels in a header: printable ASCII.
API_KEYS = st.text(string.ascii_letters + string.digits + "-_.", min_size=8, max_size=40)


@contextlib.contextmanager
def fresh_registry() -> Iterator[None]:
    """A registry of this example's values only (the process's one is swapped back after)."""
    saved = redact.REDACTOR
    redact.REDACTOR = redact.Redactor()
    try:
        yield
    finally:
        redact.REDACTOR = saved


def declare(api_key: str, values: list[str], url: str = "http://127.0.0.1:9") -> Settings:
    """Each secret as a user gives it; each registered where the provider decodes it."""
    settings_ = resolve_settings({CONFIG_API_KEY: api_key, CONFIG_URL: url, CONFIG_WORKSPACE_ID: TENANT_ID}, {})
    DeploymentInputs.model_validate(github_inputs(secrets={f"KEY_{i}": v for i, v in enumerate(values[:-1])}))
    marked = PropertyValue({"PLAIN": PropertyValue(values[-1], is_secret=True)})
    to_plain({"env": marked}, DEPLOYMENT.shape)  # the plugin: a value the engine sent secret
    return settings_


def echo(secrets: list[str]) -> str:
    """A server's text that quotes every secret, raw and as JSON."""
    return " ".join(f"{s} {json.dumps(s)}" for s in secrets)


def assert_hidden(secrets: list[str], *texts: str) -> None:
    for text in texts:
        for s in secrets:
            assert s not in text, f"secret {s!r} shown in:\n{text}"


def reported(exc: BaseException) -> list[str]:
    """What each frontend's error boundary shows for `exc`: the dynamic host's report, the plugin's
    answer; and the exception's own text and repr."""
    try:
        raise exc
    except BaseException as caught:
        host = errors.message_or_traceback(caught)
    return [host, plugin_answer(exc), str(exc), repr(exc)]


class _Aborted(Exception):
    pass


class _Context:
    details = ""

    async def abort(self, _code: Any, details: str) -> None:
        self.details = details
        raise _Aborted


def plugin_answer(exc: BaseException) -> str:
    """The details the plugin's servicer (`plugin/server.py`) answers when a call raises `exc`."""

    async def rpc(_self: Any, _request: Any, _context: Any) -> None:
        raise exc

    context = _Context()
    with contextlib.suppress(_Aborted):
        asyncio.run(server._message_only(rpc)(None, None, context))  # type: ignore[arg-type]
    return context.details


# The waiter: RevisionFailed's log tail, WaitTimeout --------------------------------------------


class ServerFake:
    """A control plane whose revision ends in `status` and whose logs print `lines`."""

    def __init__(self, status: str, lines: list[str]) -> None:
        self.status, self.lines = status, lines

    def get_revision(self, _dep: str, revision_id: str) -> dict[str, Any]:
        return {"id": revision_id, "status": self.status}

    def get_deployment(self, _dep: str) -> dict[str, Any]:
        return {}

    def shape(self, _dep: str) -> str:
        return "current"

    def revision_logs(self, *_args: Any, **_kw: Any) -> list[str]:
        return self.lines

    def request(self, _method: str, _path: str, *, params: dict[str, Any]) -> dict[str, Any]:
        logs = [{"id": f"{params['type']}-{i}", "message": m} for i, m in enumerate(self.lines)]
        return {"logs": logs if params["type"] == "build" else [], "next_offset": None}


@contextlib.contextmanager
def stderr_lines() -> Iterator[list[str]]:
    """The progress lines printed meanwhile (stderr: no engine in this process)."""
    lines: list[str] = []
    with contextlib.redirect_stderr(io.StringIO()) as err:
        yield lines
    lines.extend(err.getvalue().splitlines())


def wait(client: ServerFake, timeout: float) -> BaseException:
    """The waiter's wait, with its own progress lines and the live log stream, as the provider makes it."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    stream = LogStream(client, "dep", "agent")  # type: ignore[arg-type]  # no values given: the registry's
    waiter = Waiter(client, Polling(timeout=timeout), clock=lambda: now[0], sleep=sleep, on_poll=stream.poll)  # type: ignore[arg-type]
    with pytest.raises((RevisionFailed, WaitTimeout)) as caught:
        waiter.revision("dep", "agent", "rev-1")
    return caught.value


@given(api_key=API_KEYS, values=st.lists(SECRET, min_size=2, max_size=4))
@settings(max_examples=60, deadline=None)
def test_revision_failed_hides_the_secrets_its_log_tail_and_live_log_quote(api_key: str, values: list[str]) -> None:
    secrets = [api_key, *values]
    with fresh_registry():
        declare(api_key, values)
        logs = ["$ env", *(f"KEY_{i}={s}" for i, s in enumerate(secrets)), f"ERROR: build failed: {echo(secrets)}"]
        with stderr_lines() as lines:
            exc = wait(ServerFake("BUILD_FAILED", logs), 100)
        assert isinstance(exc, RevisionFailed) and "BUILD_FAILED" in str(exc) and redact.REDACTED in str(exc)
        assert any("[build]" in line for line in lines), "the live log was not read"
        assert_hidden(secrets, *reported(exc), *lines)


@given(api_key=API_KEYS, values=st.lists(SECRET, min_size=2, max_size=4))
@settings(max_examples=40, deadline=None)
def test_wait_timeout_hides_a_status_that_quotes_a_secret(api_key: str, values: list[str]) -> None:
    secrets = [api_key, *values]
    with fresh_registry():
        declare(api_key, values)
        with stderr_lines() as lines:
            exc = wait(ServerFake(f"BUILDING {echo(secrets)}", []), 0)
        assert isinstance(exc, WaitTimeout) and "is still BUILDING" in str(exc) and lines
        assert_hidden(secrets, *reported(exc), *lines)


# The health check ------------------------------------------------------------------------------


@given(api_key=API_KEYS, values=st.lists(SECRET, min_size=2, max_size=4))
@settings(max_examples=40, deadline=None)
def test_health_check_failed_hides_a_url_that_quotes_a_secret(api_key: str, values: list[str]) -> None:
    secrets = [api_key, *values]
    now = [0.0]

    def get(url: str, **_kw: Any) -> requests.Response:
        response = requests.Response()
        response.status_code = 503
        return response

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with fresh_registry():
        declare(api_key, values)
        check = HealthCheck(api_key, clock=lambda: now[0], sleep=sleep, get=get)
        with stderr_lines() as lines, pytest.raises(HealthCheckFailed) as caught:
            check.wait(f"https://agent.example/{echo(secrets)}", "agent", 20, progress.progress)
        assert "(last: HTTP 503)" in str(caught.value) and lines
        assert_hidden(secrets, *reported(caught.value), *lines)


# The API client: an error body that echoes the request --------------------------------------


class EchoServer(http.server.ThreadingHTTPServer):
    """Answers every request with the status, content type and body set last."""

    def __init__(self) -> None:
        self.answer: tuple[int, str, bytes] = (400, "application/json", b"{}")
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, kind, body = owner.answer
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def echo_server() -> Iterator[EchoServer]:
    srv = EchoServer()
    yield srv
    srv.shutdown()
    srv.server_close()


BODIES: dict[str, Callable[[str], tuple[str, bytes]]] = {
    # FastAPI's string detail, the service's own 4xx text.
    "detail": lambda text: ("application/json", json.dumps({"detail": text}).encode()),
    # FastAPI's 422 list: `msg` may quote a value, `input` always does.
    "422": lambda text: (
        "application/json",
        json.dumps({"detail": [{"loc": ["body", "secrets", 0], "msg": text, "input": text}]}).encode(),
    ),
    # A proxy's text answer that quotes the request as JSON.
    "text": lambda text: ("text/plain", text.encode()),
}


@given(
    api_key=API_KEYS,
    values=st.lists(SECRET, min_size=2, max_size=4),
    body=st.sampled_from(sorted(BODIES)),
    pad=st.integers(0, 520),
    status=st.sampled_from([400, 403, 404, 409, 422]),
)
@settings(max_examples=80, deadline=None, suppress_health_check=[Health.function_scoped_fixture])
def test_an_api_error_hides_a_body_that_echoes_a_secret(
    echo_server: EchoServer, api_key: str, values: list[str], body: str, pad: int, status: int
) -> None:
    """The body is cut at 300 or 500 characters: a secret across the cut must not be half shown."""
    secrets = [api_key, *values]
    with fresh_registry():
        client = ControlPlaneClient(declare(api_key, values, echo_server.url))
        kind, data = BODIES[body]("x" * pad + echo(secrets))
        echo_server.answer = (status, kind, data)
        with pytest.raises(errors.ProviderError) as caught:
            client.get_deployment("0d8e2d56-0000-4000-8000-000000000001")
        assert f"(HTTP {status})" in str(caught.value)
        assert_hidden(secrets, *reported(caught.value))
        # Redacted, then cut: cut first, a value across the limit would be left half shown.
        text = "x" * pad + echo(secrets)
        shown = {
            "detail": redact.redact(text)[:500],
            "422": redact.redact(f"secrets.0: {text}"),
            "text": redact.redact(text)[:300],
        }
        assert str(caught.value).endswith(shown[body])


# Check: a failure that shows a value --------------------------------------------------------


@given(api_key=API_KEYS, values=st.lists(SECRET, min_size=2, max_size=4))
@settings(max_examples=40, deadline=None)
def test_check_failures_never_show_a_secret_value(api_key: str, values: list[str]) -> None:
    """A failure at a secret's own path shows `[secret]`; one whose reason quotes the value given
    (adopt_id's `got '...'`) has the value hidden."""
    secrets = [api_key, *values]
    with fresh_registry():
        declare(api_key, values)
        named = github_inputs(secrets={"bad-name": values[0], **{f"KEY_{i}": v for i, v in enumerate(values[1:])}})
        quoted = github_inputs(secrets={f"KEY_{i}": v for i, v in enumerate(values)}, adopt_id=values[0])
        reasons = [
            f"{f.property}: {f.reason}"
            for news in (named, quoted)
            for f in DeploymentProvider().check({}, news).failures or []
        ]
        assert any("secrets.bad-name" in r for r in reasons) and any("adopt_id" in r for r in reasons), reasons
        assert_hidden(secrets, *reasons)


# Progress and the engine's log ---------------------------------------------------------------


class _Stub:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def Log(self, request: Any, timeout: float) -> None:
        self.messages.append(request.message)


@given(api_key=API_KEYS, values=st.lists(SECRET, min_size=2, max_size=4))
@settings(max_examples=40, deadline=None)
def test_progress_lines_never_show_a_secret_value(api_key: str, values: list[str]) -> None:
    """On stderr (the dynamic host without an engine), and as the engine's Log (the resource's row)."""
    secrets = [api_key, *values]
    with fresh_registry():
        declare(api_key, values)
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            progress.progress(f"agent: {echo(secrets)}")
        stub = _Stub()
        saved = engine_log._engine
        engine_log._engine = stub
        try:
            with operation.serving("urn:pulumi:dev::p::langsmith:index:Deployment::agent"):
                progress.progress(f"agent: {echo(secrets)}", ephemeral=True)
        finally:
            engine_log._engine = saved
        assert stderr.getvalue().startswith("[langsmith] agent: ") and len(stub.messages) == 1
        assert_hidden(secrets, stderr.getvalue(), *stub.messages)


@given(values=st.lists(SECRET, min_size=1, max_size=3))
@settings(max_examples=40, deadline=None)
def test_any_other_error_keeps_its_traceback_without_a_secret(values: list[str]) -> None:
    """A bug's traceback (a KeyError holding a value, say) is shown as it is, but for the values."""
    with fresh_registry():
        declare("api-key-for-bugs", values)
        shown = reported(KeyError(echo(values)))
        assert "Traceback" in shown[0] and "KeyError" in shown[0] and "Unexpected" in shown[1]
        assert_hidden(values, *shown[:2])


def test_each_place_that_decodes_a_secret_registers_it() -> None:
    """Else the property tests above could pass through some other registration."""
    with fresh_registry():
        resolve_settings({CONFIG_API_KEY: "key-from-config", CONFIG_URL: "http://127.0.0.1:9"}, {})
        assert "key-from-config" in redact.REDACTOR.known()
    with fresh_registry():
        DeploymentInputs.model_validate(github_inputs(secrets={"A": "value-of-secrets"}, env={"B": "value-of-env"}))
        assert redact.REDACTOR.known() == {"value-of-secrets"}  # env is plain by design
    with fresh_registry():
        plain = PropertyValue({"B": PropertyValue("marked-in-env", is_secret=True), "C": PropertyValue("plain-env")})
        to_plain({"env": plain}, DEPLOYMENT.shape)
        assert redact.REDACTOR.known() == {"marked-in-env"}


# Real processes against the emulator: the dynamic host and the plugin ------------------------

ECHOED = ["sk-echo-7d3f9a1b", 'pa"ss\\word-2', "multi\nline-secret"]


def _failing(emulator: Any, name: str) -> dict[str, Any]:
    emulator.add_outcome(deployment_name=name, outcome="BUILD_FAILED", echo_env=True)
    return github_inputs(name, secrets={f"KEY_{i}": v for i, v in enumerate(ECHOED)})


def test_the_dynamic_host_shows_no_secret_of_a_build_that_prints_them(emulator: Any, tmp_path: Path) -> None:
    inputs = _failing(emulator, "echo-host")
    with provider_host() as host:
        host.configure(
            {"langsmith:apiKey": API_KEY, "langsmith:workspaceId": TENANT_ID, "langsmith:controlPlaneUrl": emulator.url}
        )
        with pytest.raises(Exception) as caught:
            host.create(inputs)
        text = str(caught.value)
        stderr = host.stderr()
    assert "BUILD_FAILED" in text and "KEY_0=***" in text, text  # the log tail, redacted
    assert "[build] KEY_0=***" in stderr, stderr  # the live log, redacted
    assert_hidden([*ECHOED, "line-secret"], text, stderr)


def test_the_plugin_shows_no_secret_of_a_build_that_prints_them(emulator: Any) -> None:
    inputs = _failing(emulator, "echo-plugin")
    news = {
        "name": inputs["name"],
        "source": "github",
        "sourceConfig": {
            "integrationId": inputs["source_config"]["integration_id"],
            "repoUrl": inputs["source_config"]["repo_url"],
            "deploymentType": "dev",
        },
        "sourceRevisionConfig": {"repoRef": "main", "langgraphConfigPath": "langgraph.json"},
        "secrets": {"KEY_0": ECHOED[0], "KEY_1": ECHOED[1]},
        "env": {"KEY_2": Secret(ECHOED[2])},  # a value the program marked secret
        "wait": {"pollMinSeconds": 0.05, "pollMaxSeconds": 0.5, "timeoutSeconds": 60},
    }
    with plugin_process() as plugin:
        plugin.configure({"apiKey": Secret(API_KEY), "workspaceId": TENANT_ID, "controlPlaneUrl": emulator.url})
        checked, failures = plugin.check("echo-plugin", news)
        assert failures == []
        with pytest.raises(Exception) as caught:
            plugin.create("echo-plugin", checked)
        text, logs, stderr = str(caught.value), "\n".join(plugin.engine.messages()), plugin.stderr()
    assert "BUILD_FAILED" in text and "KEY_0=***" in text and "KEY_2=***" in text, text
    assert "[build] KEY_0=***" in logs, logs
    assert_hidden([*ECHOED, "line-secret"], text, logs, stderr)
