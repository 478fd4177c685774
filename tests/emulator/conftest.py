"""The one set of fixtures and builders for these tests: one emulator subprocess per session, reset
before every test, and an `Api` client with the request builders and polling helpers they share."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pytest
import requests

from langsmith_emulator.testing import (
    TENANT_ID,
    EmulatorProcess,
    running_emulator,
)

from ..support.data import github_body

#: `GET /_emulator/settings` of an emulator started with no flags (the documented defaults).
DEFAULT_SETTINGS = {
    "build_seconds": 3.0,
    "deploy_seconds": 2.0,
    "delete_seconds": 1.0,
    "fault_rate": 0.0,
    "seed": 0,
    "api": "current",
    "keep_revisions": 0,
    "mask_secrets": "off",
    "rate_limit": None,
    "rate_burst": None,
    "upload_url_seconds": 900.0,
    "run_agents": False,
    "agent_repos": {},
    "agent_images": {},
}
TERMINAL = {"DEPLOYED", "CREATE_FAILED", "BUILD_FAILED", "DEPLOY_FAILED", "SKIPPED", "INTERRUPTED"}
#: A small explicit resource_spec, as the vendor CLI sends one.
SMALL_SPEC = {"min_scale": 1, "max_scale": 1, "cpu": 1, "memory_mb": 1024}


def docker_body(name: str, image: str = "registry.example.com/agent:v1", **overrides: Any) -> dict[str, Any]:
    """A valid external_docker create body; `resource_spec` (required) defaults to `{}` as the vendor CLI sends."""
    body: dict[str, Any] = {
        "name": name,
        "source": "external_docker",
        "source_config": {"resource_spec": {}},
        "source_revision_config": {"image_uri": image},
        "secrets": [],
    }
    if "source_config" in overrides:
        overrides["source_config"] = {"resource_spec": {}, **overrides["source_config"]}
    body.update(overrides)
    return body


class Api:
    """A minimal client for the emulator's public API, with polling helpers."""

    def __init__(self, emu: EmulatorProcess, tenant_id: str = TENANT_ID) -> None:
        self.emu = emu
        self.tenant_id = tenant_id
        self.session = requests.Session()

    def request(self, method: str, path: str, *, tenant_id: str | None = None, **kwargs: Any) -> requests.Response:
        headers = self.emu.headers(tenant_id or self.tenant_id)
        headers.update(kwargs.pop("headers", {}))
        return self.session.request(method, f"{self.emu.url}{path}", headers=headers, timeout=15, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    github_body = staticmethod(github_body)
    docker_body = staticmethod(docker_body)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post("/v2/deployments", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def create_github(self, name: str, **overrides: Any) -> dict[str, Any]:
        return self.create(github_body(name, **overrides))

    def create_docker(
        self, name: str, image: str = "registry.example.com/agent:v1", **overrides: Any
    ) -> dict[str, Any]:
        return self.create(docker_body(name, image, **overrides))

    def deployment(self, deployment_id: str) -> dict[str, Any]:
        response = self.get(f"/v2/deployments/{deployment_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def revision(self, deployment_id: str, revision_id: str) -> dict[str, Any]:
        response = self.get(f"/v2/deployments/{deployment_id}/revisions/{revision_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def revisions(self, deployment_id: str) -> list[dict[str, Any]]:
        response = self.get(f"/v2/deployments/{deployment_id}/revisions", params={"limit": 100})
        assert response.status_code == 200, response.text
        return list(response.json()["resources"])

    def logs(self, deployment_id: str, revision_id: str, log_type: str) -> list[dict[str, Any]]:
        path = f"/v2/deployments/{deployment_id}/revisions/{revision_id}/logs"
        return list(self.get(path, params={"type": log_type}).json()["logs"])

    def deployed(
        self, name: str, images: Sequence[str], resource_spec: dict[str, Any] = SMALL_SPEC
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """An external_docker deployment made the way the vendor CLI makes one: create with the first
        image, then one PATCH per further image, each revision DEPLOYED. Revisions newest first."""
        created = self.create_docker(name, images[0], source_config={"resource_spec": resource_spec})
        self.watch(created["id"], created["latest_revision_id"], until={"DEPLOYED"})
        for image in images[1:]:
            body = {"source_revision_config": {"image_uri": image}}
            patched = self.patch(f"/v2/deployments/{created['id']}", json=body)
            assert patched.status_code == 200, patched.text
            self.watch(created["id"], patched.json()["latest_revision_id"], until={"DEPLOYED"})
        return self.deployment(created["id"]), self.revisions(created["id"])

    def watch(
        self, deployment_id: str, revision_id: str, until: Iterable[str] = TERMINAL, timeout: float = 10.0
    ) -> list[str]:
        """Poll a revision every 10 ms; return the distinct statuses seen, ending with one of `until`."""
        stop = set(until)
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.revision(deployment_id, revision_id)["status"]
            if not seen or seen[-1] != status:
                seen.append(status)
            if status in stop:
                return seen
            time.sleep(0.01)
        raise AssertionError(f"revision {revision_id} did not reach {stop} in {timeout}s; saw {seen}")

    def wait_gone(self, deployment_id: str, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.get(f"/v2/deployments/{deployment_id}").status_code == 404:
                return
            time.sleep(0.02)
        raise AssertionError(f"deployment {deployment_id} still exists after {timeout}s")


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorProcess]:
    # Pinned to `current`: these tests cover the full API; the spec shape is switched on per test.
    with running_emulator(build_seconds=0.3, deploy_seconds=0.3, delete_seconds=0.2, api="current") as emu:
        yield emu
        # Any unhandled server error (or ticker failure) shows up here even if no test looked for it.
        assert "Traceback" not in emu.output(), emu.output()


@pytest.fixture(autouse=True)
def _clean_emulator(emulator: EmulatorProcess) -> None:
    emulator.reset()


@pytest.fixture
def api(emulator: EmulatorProcess) -> Iterator[Api]:
    client = Api(emulator)
    yield client
    client.session.close()
