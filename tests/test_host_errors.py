"""Errors the provider raises on purpose reach the engine as their message alone; others keep their
traceback. The mechanism (provider/core/errors.py) relies on the dynamic host's internals: the first two
tests fail loudly if those change."""

from __future__ import annotations

import importlib.util
import re
import socket

import pytest

from langsmith_emulator.testing import API_KEY, TENANT_ID, free_port
from pulumi_langsmith.core import errors
from pulumi_langsmith.core.client import (
    CONNECT_RETRIES,
    APIError,
    idempotent_retry,
    oldest_first,
    once_retry,
    transport_reason,
)
from pulumi_langsmith.core.config import ConfigurationError
from pulumi_langsmith.core.waiter import RevisionFailed, WaitTimeout
from pulumi_langsmith.deployment.provider import DeploymentError

from .support.data import github_inputs
from .support.host import HostError, provider_host


def _host_source() -> str:
    spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    assert spec is not None and spec.origin
    with open(spec.origin) as f:
        return f.read()


def test_host_still_reports_errors_with_traceback_format_exc() -> None:
    source = _host_source()
    assert re.search(r"^import traceback$", source, re.M), "the host no longer imports `traceback`: see errors.py"
    wrapper = source.split("def _abort_with_traceback", 1)[1].split("\nclass ", 1)[0]
    assert (
        "except Exception" in wrapper and "context.abort(grpc.StatusCode.UNKNOWN, traceback.format_exc())" in wrapper
    ), "pulumi.dynamic's host reports errors differently now: revisit provider/core/errors.py"
    for rpc in ("Check", "Diff", "Create", "Read", "Update", "Delete"):
        assert f"@_abort_with_traceback\n    def {rpc}(self, request, context):" in source, rpc


def test_every_error_raised_on_purpose_is_a_provider_error() -> None:
    for cls in (APIError, ConfigurationError, DeploymentError, RevisionFailed, WaitTimeout):
        assert issubclass(cls, errors.ProviderError), cls


def test_message_alone_for_provider_errors_traceback_otherwise() -> None:
    try:
        raise DeploymentError("agent: the name is taken")
    except DeploymentError as exc:
        assert errors.message_or_traceback(exc) == "agent: the name is taken"
    try:
        raise KeyError("name")
    except KeyError as exc:
        text = errors.message_or_traceback(exc)
        assert text.startswith("Traceback (most recent call last)") and "KeyError: 'name'" in text


def test_nothing_happens_outside_the_provider_host() -> None:
    assert not errors.quiet_tracebacks()


def test_refused_connections_fail_fast_other_failures_keep_retrying() -> None:
    for retry in (idempotent_retry(), once_retry()):
        assert retry.connect == CONNECT_RETRIES <= 2
        assert retry.total == 8 and retry.status == 8
    assert idempotent_retry().read == 8


def _refused_error() -> Exception:
    import requests

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=5)
        except requests.RequestException as exc:
            return exc
    raise AssertionError("the connection was not refused")


def test_transport_reason_names_a_refused_connection() -> None:
    assert transport_reason(_refused_error()) == "connection refused"


def test_through_the_host() -> None:
    """In the real host: a ProviderError arrives as its message, a bug as a traceback."""
    dead = f"http://127.0.0.1:{free_port()}"
    with provider_host() as host:
        host.configure(
            {"langsmith:apiKey": API_KEY, "langsmith:workspaceId": TENANT_ID, "langsmith:controlPlaneUrl": dead}
        )
        inputs, _ = host.check({}, github_inputs())
        with pytest.raises(HostError) as unreachable:
            host.create(inputs)
        details = unreachable.value.details
        assert "Traceback" not in details, details
        assert details.startswith(f"cannot reach the LangSmith control plane at {dead}: connection refused")
        assert "langsmith:controlPlaneUrl" in details and "LANGSMITH_CONTROL_PLANE_URL" in details

        # Props that do not decode (state of a newer version, a damaged file) are named, not a KeyError.
        broken = {k: v for k, v in inputs.items() if k != "name"}
        with pytest.raises(HostError) as bad:
            host.create(broken)
        assert bad.value.details == "the stored or planned values of name cannot be read", bad.value.details


def test_log_tail_keeps_the_order_lines_were_written() -> None:
    """The failed-build message quotes the log tail; lines of one millisecond must not be reversed."""
    newest_first = [
        {"timestamp": 2000, "message": "ERROR: build failed"},
        {"timestamp": 1000, "message": "installing dependencies"},
        {"timestamp": 1000, "message": "cloning"},
        {"timestamp": 500, "message": "queued"},
    ]
    order = [e["message"] for e in oldest_first(newest_first)]
    assert order == ["queued", "cloning", "installing dependencies", "ERROR: build failed"]
