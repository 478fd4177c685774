"""Test data (plain dicts, as the engine passes them) decoded the way the provider's host boundary does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_langsmith.deployment import changes
from pulumi_langsmith.deployment.model import DeploymentInputs, load


def typed(raw: Mapping[str, Any]) -> DeploymentInputs:
    """The inputs model the provider methods use for these props."""
    return load(raw).inputs


def change_set(olds: Mapping[str, Any], news: Mapping[str, Any]) -> changes.ChangeSet:
    """`changes.change_set` over previous outputs and new inputs as the engine passes them to diff."""
    return changes.change_set(load(olds), load(news))
