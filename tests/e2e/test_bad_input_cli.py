"""Bad input through the real CLI: `pulumi preview` refuses it with a message naming the property, and
no write reaches the control plane. A representative slice of tests/support/bad_inputs.py (the whole
catalogue runs through the real provider host in tests/test_provider_host.py); one stack is reused,
its program swapped between previews, to keep this fast."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.automation.errors import CommandError

from pulumi_langsmith import Deployment

from ..support.bad_inputs import CATALOGUE, Bad
from .harness import E2EStack, last_seq, mutating_requests

pytestmark = pytest.mark.e2e

# One or more per family: names, enums, source-specific fields, URLs, tag + build_on_push, bounds,
# reserved and invalid env names, secret references, empty strings, nested unknown keys, the wait.
CASES = [
    "name-uppercase",
    "name-empty",
    "source-unknown",
    "deployment-type-unknown",
    "github-missing-repo-url",
    "repo-url-not-url",
    "tag-with-build-on-push",
    "docker-missing-image",
    "cpu-too-high",
    "min-above-max",
    "secret-reserved",
    "secret-invalid-name",
    "secret-ref-bad-env",
    "unknown-nested-property",
    "wait-timeout-zero",
    "unknown-property",  # refused by the typed constructor, before the engine sees it
]
BY_ID = {bad.id: bad for bad in CATALOGUE}


class Holder:
    bad: Bad | None = None


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, emulator_server: Any) -> Iterator[tuple[E2EStack, Holder]]:
    holder = Holder()

    def program() -> None:
        assert holder.bad is not None
        args = {k: v for k, v in holder.bad.make().items() if k != "owner"}  # set by the constructor
        Deployment("bad", **args)

    yield E2EStack(tmp_path_factory.mktemp("bad-input"), emulator_server, program), holder


def test_cases_exist() -> None:
    assert set(CASES) <= set(BY_ID), set(CASES) - set(BY_ID)


@pytest.mark.parametrize("case", CASES)
def test_preview_refuses_bad_input_without_writes(shared: tuple[E2EStack, Holder], emulator: Any, case: str) -> None:
    stack, holder = shared
    bad = BY_ID[case]
    holder.bad = bad
    seq = last_seq(emulator)
    with pytest.raises(CommandError) as refused:
        stack.preview()
    text = str(refused.value)
    if case == "unknown-property":
        refusal = rf"TypeError: Deployment got unexpected arguments: {bad.prop}\b"
    else:  # the engine's rendering of a Check failure: `property <path> value ... has a problem: <why>`,
        # or, for a nested path, `has a problem: <path> (given <value>): <why>` (provider/core/failures.py)
        path = rf"{re.escape(bad.prop)}[\w.\[\]-]*"
        refusal = (
            rf"langsmith:Deployment resource 'bad'(: property {path} value .* has a problem: \S"
            rf"| has a problem: {path}( \(given .*\))?: \S)"
        )
        assert "value {<nil>}" not in text, text
    assert re.search(refusal, text), f"{case}: the refusal does not name {bad.prop!r}:\n{text}"
    assert mutating_requests(emulator, since=seq) == []
