"""What every dynamic provider of this package shares: settings from `configure()`, one client.

The host unpickles a provider once per pickled string and calls `configure()` on it before anything
else (pulumi.dynamic.__main__.get_provider), so settings live on the instance, never in state.
"""

from __future__ import annotations

import os
import threading

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from . import host_pool
from .client import ControlPlaneClient
from .config import (
    CONFIG_API_KEY,
    CONFIG_MAX_RPS,
    CONFIG_URL,
    CONFIG_WORKSPACE_ID,
    ConfigurationError,
    Settings,
    resolve_settings,
)


class ConfiguredProvider(ResourceProvider):
    """A provider whose calls need the control plane; `check` reports `config_error` at preview."""

    _settings: Settings | None = None
    config_error: str | None = "the provider was not configured"
    _client_obj: ControlPlaneClient | None = None
    _lock = threading.Lock()  # until configure() gives the instance its own

    def configure(self, req: ConfigureRequest) -> None:
        # Every provider, not only those whose module calls it at import (idempotent, host only).
        host_pool.widen_once()
        raw = {key: req.config.get(key) for key in (CONFIG_API_KEY, CONFIG_WORKSPACE_ID, CONFIG_URL, CONFIG_MAX_RPS)}
        try:
            self._settings, self.config_error = resolve_settings(raw, os.environ), None
        except ConfigurationError as exc:
            self._settings, self.config_error = None, str(exc)
        self._client_obj = None
        self._lock = threading.Lock()

    def client(self) -> ControlPlaneClient:
        if self._settings is None:
            raise ConfigurationError(self.config_error or "the provider was not configured")
        with self._lock:
            if self._client_obj is None:
                self._client_obj = ControlPlaneClient(self._settings)
            return self._client_obj
