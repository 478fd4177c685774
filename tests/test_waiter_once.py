"""Unit tests of the waiter's status rules and of the send-at-most-once helper, with a scripted client."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_langsmith.core.client import APIError
from pulumi_langsmith.core.once import at_most_once
from pulumi_langsmith.core.waiter import NO_LOGS, Polling, RevisionFailed, Waiter, WaitTimeout


class FakeClient:
    """Answers GET revision from a script of statuses; a status of 404 raises not-found."""

    def __init__(self, statuses: list[Any], deployment: dict[str, Any], shape: str = "current") -> None:
        self.statuses = statuses
        self.deployment = deployment
        self._shape = shape
        self.log_calls = 0

    def get_revision(self, _dep: str, revision_id: str) -> dict[str, Any]:
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if status == 404:
            raise APIError("GET", f"/revisions/{revision_id}", 404, "not found")
        return {"id": revision_id, "status": status}

    def get_deployment(self, _dep: str) -> dict[str, Any]:
        return self.deployment

    def shape(self, _dep: str) -> str:
        return self._shape

    def revision_logs(self, *_args: Any, **_kw: Any) -> list[str]:
        self.log_calls += 1
        return ["boom"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.01)


def waiter(client: FakeClient, timeout: float = 100.0) -> Waiter:
    clock = Clock()
    return Waiter(client, Polling(timeout=timeout), clock=clock, sleep=clock.sleep, report=lambda _m, _e=False: None)


def test_interrupted_and_unknown_are_waited_through() -> None:
    client = FakeClient(["BUILDING", "INTERRUPTED", "UNKNOWN", "DEPLOYING", "DEPLOYED"], {})
    assert waiter(client).revision("d", "dep", "r1")["status"] == "DEPLOYED"


def test_interrupted_until_the_deadline_is_a_timeout_not_a_failure() -> None:
    with pytest.raises(WaitTimeout) as info:
        waiter(FakeClient(["INTERRUPTED"], {}), timeout=5).revision("d", "dep", "r1")
    assert info.value.status == "INTERRUPTED"


def test_a_pruned_revision_that_is_active_is_deployed() -> None:
    client = FakeClient([404], {"active_revision_id": "r1", "latest_revision_id": "r1"})
    assert waiter(client).revision("d", "dep", "r1") == {"id": "r1", "status": "DEPLOYED"}


def test_a_pruned_revision_with_a_newer_latest_follows_it() -> None:
    client = FakeClient([404, "DEPLOYED"], {"active_revision_id": "r0", "latest_revision_id": "r2"})
    assert waiter(client).revision("d", "dep", "r1")["id"] == "r2"


def test_a_pruned_revision_otherwise_is_unknown_until_the_deadline() -> None:
    client = FakeClient([404], {"active_revision_id": "r0", "latest_revision_id": "r1"})
    with pytest.raises(WaitTimeout):
        waiter(client, timeout=3).revision("d", "dep", "r1")


@pytest.mark.parametrize(("shape", "logs"), [("current", 1), ("spec", 0)])
def test_failure_logs_only_from_servers_that_have_the_route(shape: str, logs: int) -> None:
    client = FakeClient(["BUILD_FAILED"], {}, shape=shape)
    with pytest.raises(RevisionFailed) as info:
        waiter(client).revision("d", "dep", "r1")
    assert client.log_calls == logs
    assert (NO_LOGS in str(info.value)) == (shape == "spec")


def lost() -> APIError:
    return APIError("PATCH", "/v2/deployments/x", None, "ConnectionError")


def test_at_most_once_does_not_resend_what_landed() -> None:
    sent: list[int] = []

    def send() -> str:
        sent.append(1)
        raise lost()

    assert at_most_once(send, lambda: "r2", pause=lambda _a: None) == "r2"
    assert len(sent) == 1


def test_at_most_once_resends_what_did_not_land_and_stops_at_the_limit() -> None:
    sent: list[int] = []

    def send() -> str:
        sent.append(1)
        if len(sent) < 3:
            raise lost()
        return "r3"

    assert at_most_once(send, lambda: None, pause=lambda _a: None) == "r3"
    assert len(sent) == 3
    with pytest.raises(APIError):
        at_most_once(lambda: (_ for _ in ()).throw(lost()), lambda: None, attempts=2, pause=lambda _a: None)


def test_at_most_once_raises_a_definite_error_at_once() -> None:
    def send() -> str:
        raise APIError("PATCH", "/x", 400, "bad")

    with pytest.raises(APIError):
        at_most_once(send, lambda: pytest.fail("no reconcile after a definite answer"), pause=lambda _a: None)


class ProviderFake(FakeClient):
    """Enough of the client for the provider's read and revision paths."""

    def __init__(self, deployment: dict[str, Any], patch_errors: list[APIError] | None = None) -> None:
        super().__init__([404], deployment)
        self.patch_errors = patch_errors or []
        self.patches: list[dict[str, Any]] = []

    def patch_deployment(self, _dep: str, body: dict[str, Any], *, rolls_out: bool = False) -> dict[str, Any]:
        assert rolls_out
        self.patches.append(body)
        self.deployment = {**self.deployment, "latest_revision_id": f"r{len(self.patches) + 1}"}
        if self.patch_errors:
            raise self.patch_errors.pop(0)
        return self.deployment


def provider_with(client: FakeClient) -> Any:
    from pulumi_langsmith.deployment.provider import DeploymentProvider

    p = DeploymentProvider()
    p._settings, p.config_error, p._client_obj = object(), None, client  # type: ignore[assignment]
    return p


def test_read_treats_a_pruned_latest_revision_as_unknown() -> None:
    from .support.data import github_inputs

    dep = {"id": "d", "status": "READY", "latest_revision_id": "r2", "active_revision_id": "r1", "secrets": []}
    result = provider_with(ProviderFake(dep)).read("d", github_inputs())
    assert result.id == "d" and result.outs["revision_status"] is None


def test_rolling_out_with_a_pruned_latest_revision_rolls_again() -> None:
    from pulumi_langsmith.deployment.provider import DeploymentProvider

    from .support.data import docker_inputs
    from .support.typed import typed

    props = docker_inputs()
    dep = {"id": "d", "latest_revision_id": "r2", "active_revision_id": "r1", "secrets": []}
    dep["source_revision_config"] = props["source_revision_config"]
    dep["source_config"] = props["source_config"]
    dep["secrets"] = [{"name": k, "value": v} for k, v in props["secrets"].items()]
    assert DeploymentProvider._rolling_out(ProviderFake(dep), "d", typed(props), dep) is None  # type: ignore[arg-type]


def test_a_lost_revision_patch_is_reconciled_not_resent(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi_langsmith.core import once
    from pulumi_langsmith.deployment.provider import DeploymentProvider

    from .support.data import docker_inputs
    from .support.typed import typed

    monkeypatch.setattr(once, "pause_before_retry", lambda _a: None)
    client = ProviderFake({"id": "d", "latest_revision_id": "r1", "secrets": []}, patch_errors=[lost()])
    current = dict(client.deployment)
    rev = DeploymentProvider._new_revision(client, "d", typed(docker_inputs()), current)  # type: ignore[arg-type]
    assert rev == "r2" and len(client.patches) == 1


def test_a_revision_patch_is_only_retried_when_the_server_cannot_have_acted() -> None:
    from pulumi_langsmith.core.client import idempotent_retry, once_retry

    once = once_retry()
    assert once.is_retry("PATCH", 429, has_retry_after=True)
    assert not once.is_retry("PATCH", 500) and not once.is_retry("PATCH", 503)
    assert once.read == 0  # a request that was sent and lost its answer is never re-sent
    assert idempotent_retry().is_retry("PATCH", 503)  # plain-field PATCHes stay retryable
