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


#: The end-to-end modules whose tests take a minute or more each (`make test`'s --durations report):
#: they start first, so the run does not end on one of them while the other workers are idle.
LONG_FIRST = (
    "test_agent_loop.py",
    "test_cli_commands.py",
    "test_plugin_programs.py",
    "test_install_anywhere.py",
    "test_patch_order_cli.py",
    "test_killed_cli.py",
    "test_property_walk.py",
    "test_replace_verbs.py",
    "test_plugin_typescript.py",
    "test_lifecycle.py",
    "test_ci_workflow.py",
    "test_drift.py",
    "test_failed_builds.py",
)


def _order(item: pytest.Item) -> int:
    if "e2e" not in item.path.parts:
        return len(LONG_FIRST) + 1
    return LONG_FIRST.index(item.path.name) if item.path.name in LONG_FIRST else len(LONG_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """End-to-end tests first, the longest of them first (stable order otherwise): the long ones start
    while there is still other work to share the workers, and `--dist worksteal` (scripts/run_tests.py)
    lets an idle worker take what another was given, instead of the run ending as a tail with one
    worker busy."""
    items.sort(key=_order)
