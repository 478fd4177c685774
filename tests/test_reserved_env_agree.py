"""The provider refuses exactly the env var names the local control plane refuses, per source.

The control plane's table (`langsmith_emulator.sources`) is sourced from the vendor CLI; the provider
keeps its own for preview-time errors. They must agree for every source, or the provider lets
through a name that fails at apply (or refuses one the service accepts).
"""

import pytest

from langsmith_emulator.sources import RESERVED_ENV_BY_SOURCE
from pulumi_langsmith.deployment import model as inputs

#: Names the provider keeps for itself (its ownership tag), which the service knows nothing of.
PROVIDER_OWN = frozenset({inputs.OWNERSHIP_ENV})


@pytest.mark.parametrize("source", sorted(RESERVED_ENV_BY_SOURCE))
def test_reserved_env_names_agree(source: str) -> None:
    provider = frozenset(inputs.reserved_env(source)) - PROVIDER_OWN
    emulator = RESERVED_ENV_BY_SOURCE[source]
    assert provider == emulator, (
        f"{source}: only the provider refuses {sorted(provider - emulator)};"
        f" only the control plane refuses {sorted(emulator - provider)}"
    )
