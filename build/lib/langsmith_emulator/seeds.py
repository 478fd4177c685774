"""Fixed fixtures every tenant sees: GitHub integrations, their repositories and one listener.

The IDs are constants (documented in emulator/README.md) so that examples and other teams'
tests can hard-code them, the way a real user copies an integration ID from the UI.
"""

from __future__ import annotations

from dataclasses import dataclass

GITHUB_INTEGRATION_ID = "00000000-0000-4000-8000-000000000001"
SECOND_GITHUB_INTEGRATION_ID = "00000000-0000-4000-8000-000000000002"
FORGE_INTEGRATION_ID = "00000000-0000-4000-8000-000000000011"
LISTENER_ID = "00000000-0000-4000-8000-000000000101"
LISTENER_COMPUTE_ID = "emulator-cluster"
LISTENER_NAMESPACES = ("default", "agents")
LISTENER_VERSION = "0.1.0"

#: Agent Server version reported as `image_version` once a revision is deployed.
IMAGE_VERSION = "0.4.30"


@dataclass(frozen=True)
class SeedRepository:
    id: int
    owner: str
    name: str
    default_branch: str = "main"

    @property
    def url(self) -> str:
        return f"https://github.com/{self.owner}/{self.name}"


@dataclass(frozen=True)
class SeedIntegration:
    id: str
    installation_id: int
    name: str
    repositories: tuple[SeedRepository, ...]


GITHUB_INTEGRATIONS: tuple[SeedIntegration, ...] = (
    SeedIntegration(
        id=GITHUB_INTEGRATION_ID,
        installation_id=50_000_001,
        name="langchain-ai",
        repositories=(
            SeedRepository(id=700_000_001, owner="langchain-ai", name="langgraph-example"),
            SeedRepository(id=700_000_002, owner="langchain-ai", name="langgraphjs-example"),
            SeedRepository(id=700_000_003, owner="langchain-ai", name="new-langgraph-project"),
        ),
    ),
    SeedIntegration(
        id=SECOND_GITHUB_INTEGRATION_ID,
        installation_id=50_000_002,
        name="acme-corp",
        repositories=(SeedRepository(id=700_000_101, owner="acme-corp", name="agents", default_branch="trunk"),),
    ),
)

FORGE_INTEGRATIONS: tuple[SeedIntegration, ...] = (
    SeedIntegration(
        id=FORGE_INTEGRATION_ID,
        installation_id=60_000_001,
        name="langchain-ai-forge",
        repositories=(SeedRepository(id=800_000_001, owner="langchain-ai", name="forge-agent"),),
    ),
)


def find_integration(integration_id: str, *, forge: bool = False) -> SeedIntegration | None:
    pool = FORGE_INTEGRATIONS if forge else GITHUB_INTEGRATIONS
    return next((i for i in pool if i.id == integration_id), None)
