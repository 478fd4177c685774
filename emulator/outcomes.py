"""Scripted revision outcomes: make the next matching revision fail, hang or get interrupted.

Scripts are matched when a revision is created and the chosen outcome is stored with the
revision, so it survives a restart even though the scripts themselves live in memory.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from .lifecycle import Outcome


@dataclass
class OutcomeScript:
    id: str
    outcome: Outcome
    deployment_name: str | None = None
    repo_ref: str | None = None
    image_uri: str | None = None
    count: int | None = None  # remaining uses; None means every matching revision
    transient_seconds: float | None = None  # how long a *_THEN_DEPLOYED status shows
    echo_env: bool = False  # the revision's logs first print its environment, secret values too

    def matches(self, deployment_name: str, repo_ref: str | None, image_uri: str | None) -> bool:
        return (
            (self.deployment_name is None or self.deployment_name == deployment_name)
            and (self.repo_ref is None or self.repo_ref == repo_ref)
            and (self.image_uri is None or self.image_uri == image_uri)
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = str(self.outcome)
        return data


class OutcomeScripts:
    """Thread-safe, ordered list of scripts; the oldest matching script wins."""

    def __init__(self) -> None:
        self._scripts: list[OutcomeScript] = []
        self._lock = threading.Lock()

    def add(
        self,
        outcome: Outcome,
        *,
        deployment_name: str | None = None,
        repo_ref: str | None = None,
        image_uri: str | None = None,
        count: int | None = None,
        transient_seconds: float | None = None,
        echo_env: bool = False,
    ) -> OutcomeScript:
        script = OutcomeScript(
            id=str(uuid.uuid4()),
            outcome=outcome,
            deployment_name=deployment_name,
            repo_ref=repo_ref,
            image_uri=image_uri,
            count=count,
            transient_seconds=transient_seconds,
            echo_env=echo_env,
        )
        with self._lock:
            self._scripts.append(script)
        return script

    def scripts(self) -> list[OutcomeScript]:
        with self._lock:
            return list(self._scripts)

    def remove(self, script_id: str) -> bool:
        with self._lock:
            before = len(self._scripts)
            self._scripts = [s for s in self._scripts if s.id != script_id]
            return len(self._scripts) != before

    def clear(self) -> None:
        with self._lock:
            self._scripts.clear()

    def claim(self, deployment_name: str, repo_ref: str | None, image_uri: str | None) -> OutcomeScript | None:
        """Consume one use of the first matching script (returned); exhausted scripts disappear."""
        with self._lock:
            for script in self._scripts:
                if not script.matches(deployment_name, repo_ref, image_uri):
                    continue
                if script.count is not None:
                    script.count -= 1
                    if script.count <= 0:
                        self._scripts.remove(script)
                return script
        return None
