"""The emulator's moving parts wired together, plus the lifecycle ticker thread.

One `Runtime` per app: routes and the test-control API reach every component through it, and
`reset()` restores the state the process started with.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from .agentrun import AgentRunner
from .config import EmulatorConfig, LiveSettings, Settings
from .deployments import Deployments
from .faults import FaultInjector
from .listeners import Listeners
from .outcomes import OutcomeScripts
from .ratelimit import RateLimiter
from .requestlog import RequestLog
from .store import Store
from .uploads import Uploads

log = logging.getLogger("emulator")

#: How often the ticker advances revisions nobody is polling (reads advance on their own).
TICK_SECONDS = 0.05
#: The agent runner looks for owed builds and starts every this many ticks.
AGENT_POLL_TICKS = 4


class Runtime:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.settings = LiveSettings(config.settings)
        self.store = Store(config.db)
        self.faults = FaultInjector(config.settings.seed)
        self.outcomes = OutcomeScripts()
        self.requests = RequestLog()
        self.limiter = RateLimiter()
        self.deployments = Deployments(self.store, self.settings, self.outcomes)
        self.listeners = Listeners(self.store)
        self.uploads = Uploads(self.store, self.settings)
        self.agents = AgentRunner(self.store, self.settings, config)
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def update_settings(self, **changes: Any) -> Settings:
        current = self.settings.update(**changes)
        if "seed" in changes:
            self.faults.reseed(current.seed)
        return current

    def reset(self) -> None:
        self.agents.reset()
        with self.store.tx() as tx:
            tx.wipe()
        self.listeners.forget_tenants()
        self.requests.reset()
        self.limiter.reset()
        self.faults.clear()
        self.outcomes.clear()
        self.faults.reseed(self.settings.reset().seed)

    # --- ticker ------------------------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._ticker = threading.Thread(target=self._run_ticker, name="emulator-ticker", daemon=True)
        self._ticker.start()

    def stop(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
            self._ticker = None
        self.agents.close()  # every Agent Server and proxy stops with the emulator
        self.store.close()

    def _run_ticker(self) -> None:
        ticks = 0
        while not self._stop.wait(TICK_SECONDS):
            ticks += 1
            try:
                self.deployments.tick()
                if ticks % AGENT_POLL_TICKS == 0:
                    self.agents.poll()  # only reads and hands work to threads: never blocks the ticker
            except Exception:  # keep ticking: one bad row must not freeze every deployment
                log.exception("lifecycle tick failed")
