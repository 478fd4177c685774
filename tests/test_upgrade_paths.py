"""The pickled provider class paths frozen into every user's state: a move of either class breaks
`destroy` for existing stacks, so it must fail here first (the fixture is an export of this version)."""

import json

from .support.stack_shape import FIXTURE, shape

EXPECTED = {
    "pulumi-python:dynamic/langsmith:Deployment": "pulumi_langsmith.deployment.provider.DeploymentProvider",
    "pulumi-python:dynamic/langsmith:Listener": "pulumi_langsmith.listener.provider.ListenerProvider",
}


def test_the_checked_in_state_unpickles_to_the_frozen_provider_classes() -> None:
    stored = shape(json.loads(FIXTURE.read_text())["deployment"])
    assert {kind: s["provider"] for kind, s in stored.items()} == EXPECTED


def test_the_checked_in_state_keeps_secrets_secret() -> None:
    stored = shape(json.loads(FIXTURE.read_text())["deployment"])["pulumi-python:dynamic/langsmith:Deployment"]
    assert "secrets" in stored["secret_inputs"] and {"secrets", "secrets_hash"} <= set(stored["secret_outputs"])
    assert "name_prefix" in stored["inputs"]  # the autoname
