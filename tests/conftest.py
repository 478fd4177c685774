"""Shared fixtures: one real emulator process per session, reset before each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from langsmith_emulator.testing import API_KEY, TENANT_ID, running_emulator

from .support.host import Host, provider_host


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Any]:
    with running_emulator(build_seconds=0.4, deploy_seconds=0.4, delete_seconds=0.2) as emu:
        yield emu


@pytest.fixture
def emulator(emulator_server: Any) -> Any:
    emulator_server.reset()
    return emulator_server


@pytest.fixture
def provider_config(emulator: Any) -> dict[str, str]:
    return {
        "langsmith:apiKey": API_KEY,
        "langsmith:workspaceId": TENANT_ID,
        "langsmith:controlPlaneUrl": emulator.url,
    }


@pytest.fixture
def host(provider_config: dict[str, str]) -> Iterator[Host]:
    with provider_host() as h:
        h.configure(provider_config)
        yield h


@pytest.fixture(autouse=True)
def _own_secret_registry() -> Iterator[None]:
    """Each test starts with no secret value known: the process's redactor (`core/redact.py`) only
    grows, so a value one test declared ("other", say) would be hidden in another test's messages."""
    from pulumi_langsmith.core import redact

    saved = redact.REDACTOR
    redact.REDACTOR = redact.Redactor()
    try:
        yield
    finally:
        redact.REDACTOR = saved


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """End-to-end tests first (stable order otherwise): the long ones start while there is still
    other work to share the workers, instead of ending the run as a tail with one worker busy."""
    items.sort(key=lambda item: 0 if "e2e" in item.path.parts else 1)
