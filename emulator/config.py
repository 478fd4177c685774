"""Start-up configuration and the mutable runtime settings of the emulator.

The CLI values are kept apart from the live settings because `POST /_emulator/reset`
must put every tunable back to what the process was started with.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from .apishape import ApiShape

SecretMasking = Literal["off", "mask", "absent"]
SECRET_MASKING: tuple[SecretMasking, ...] = ("off", "mask", "absent")
#: What `mask_secrets: mask` puts in place of every value (a guess: no source shows one).
SECRET_MASK = "********"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8124
DEFAULT_DB = ".emulator/control-plane.sqlite3"


@dataclass(frozen=True)
class Settings:
    """Tunables a test may change at run time through `/_emulator/settings`."""

    build_seconds: float = 3.0
    deploy_seconds: float = 2.0
    delete_seconds: float = 1.0
    fault_rate: float = 0.0
    seed: int = 0
    #: `current`: today's API; `spec`: exactly the vendored spec (see `apishape`).
    api: ApiShape = "current"
    #: At most this many revisions per deployment (0: unlimited); older finished ones are pruned.
    keep_revisions: int = 0
    #: Secret values in Deployment bodies: `off` (plaintext), `mask` ("********") or `absent`.
    mask_secrets: SecretMasking = "off"
    #: Requests per second allowed per API key before the gateway answers 429 (None: no limit).
    rate_limit: float | None = None
    #: Bucket size of that limit (None: one second's worth, `ratelimit.default_burst`).
    rate_burst: int | None = None
    #: How long an upload URL from `POST .../upload-url` accepts its PUT.
    upload_url_seconds: float = 900.0
    #: Really build and serve `internal_source` revisions (`emulator/agents/`); else simulated.
    run_agents: bool = False
    #: With `run_agents`: GitHub repository URL -> local directory (`--agent-repo`), built for real.
    agent_repos: dict[str, str] = field(default_factory=dict)
    #: With `run_agents`: image repository -> local directory (`--agent-image`), built for real.
    agent_images: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything the CLI decides once, at start-up."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    db: str = DEFAULT_DB
    settings: Settings = field(default_factory=Settings)
    api_keys: tuple[str, ...] = ()
    #: Agent runner (`--run-agents`): environment cache root, server cap, idle stop (None: never).
    agent_cache: str | None = None
    max_agent_servers: int = 8
    agent_idle_seconds: float | None = None


class LiveSettings:
    """Thread-safe holder of the current `Settings`; readers always get a consistent snapshot."""

    def __init__(self, initial: Settings) -> None:
        self._initial = initial
        self._current = initial
        self._lock = threading.Lock()

    @property
    def current(self) -> Settings:
        with self._lock:
            return self._current

    def update(self, **changes: Any) -> Settings:
        with self._lock:
            self._current = replace(self._current, **changes)
            return self._current

    def reset(self) -> Settings:
        with self._lock:
            self._current = self._initial
            return self._current
