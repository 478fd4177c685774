"""Request bodies of the test-control API under `/_emulator` (routes: `routes/control.py`).

Other teams' tests are written against this contract (see emulator/README.md), so request
bodies reject unknown keys: a typo in a fault rule should fail loudly, not silently do nothing.
It needs no auth, and the middleware never faults or logs it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .agents.mapping import MappingError, parse_mapping
from .apishape import ApiShape
from .config import SecretMasking
from .faults import FaultKind
from .lifecycle import TRANSIENT_OUTCOMES, Outcome

Seconds = Annotated[float, Field(ge=0)]


class SettingsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    build_seconds: Seconds | None = None
    deploy_seconds: Seconds | None = None
    delete_seconds: Seconds | None = None
    fault_rate: Annotated[float, Field(ge=0, le=1)] | None = None
    seed: int | None = None
    api: ApiShape | None = None
    keep_revisions: Annotated[int, Field(ge=0)] | None = None
    mask_secrets: SecretMasking | None = None
    #: Requests per second per API key; `null` or `0` turns the limit off.
    rate_limit: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    #: Bucket size; `null` goes back to the default (one second's worth).
    rate_burst: Annotated[int, Field(ge=1)] | None = None
    upload_url_seconds: Annotated[float, Field(gt=0)] | None = None
    run_agents: bool | None = None
    #: Repository URL / image -> local directory, as `--agent-repo` / `--agent-image` (replaces the map).
    agent_repos: dict[str, str] | None = None
    agent_images: dict[str, str] | None = None

    @field_validator("agent_repos", "agent_images")
    @classmethod
    def _directories(cls, value: dict[str, str] | None, info: Any) -> dict[str, str] | None:
        if value is None:
            return None
        kind = "repo" if info.field_name == "agent_repos" else "image"
        try:
            return dict(parse_mapping(f"{key}={directory}", kind) for key, directory in value.items())
        except MappingError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("mask_secrets", mode="before")
    @classmethod
    def _bool_as_mode(cls, value: object) -> object:
        return {True: "mask", False: "off"}.get(value, value) if isinstance(value, bool) else value  # convenience

    @field_validator("rate_limit")
    @classmethod
    def _zero_is_off(cls, value: float | None) -> float | None:
        return value or None  # one spelling of "off" in GET /settings

    def changes(self) -> dict[str, Any]:
        """The keys sent; `null` is ignored except where it means something (no rate limit, default burst)."""
        sent = self.model_dump(exclude_unset=True)
        return {key: value for key, value in sent.items() if value is not None or key in NULLABLE_SETTINGS}


#: Settings whose `null` is a value of its own rather than "leave unchanged".
NULLABLE_SETTINGS = frozenset({"rate_limit", "rate_burst"})


class FaultRuleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: str = "*"
    path: str = ".*"
    kind: FaultKind
    count: Annotated[int, Field(ge=1)] | None = None
    probability: Annotated[float, Field(ge=0, le=1)] | None = None
    retry_after: Annotated[int, Field(ge=0)] = 1
    latency_ms: Annotated[int, Field(ge=0)] = 500

    @field_validator("kind", mode="before")
    @classmethod
    def _status_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value  # 429 -> "429"

    @field_validator("path")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        return value


class OutcomeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deployment_name: str | None = None
    repo_ref: str | None = None
    image_uri: str | None = None
    outcome: Outcome
    count: Annotated[int, Field(ge=1)] | None = None
    #: Only for the *_THEN_DEPLOYED outcomes; default: one DEPLOYING phase.
    transient_seconds: Seconds | None = None
    #: The revision's log (the phase that fails) first prints the deployment's environment, names and
    #: values, secrets too: a build that runs `env`, which a client must never show as it is.
    echo_env: bool = False

    @model_validator(mode="after")
    def _transient_only(self) -> OutcomeRequest:
        if self.transient_seconds is not None and self.outcome not in TRANSIENT_OUTCOMES:
            raise ValueError("transient_seconds applies only to the *_THEN_DEPLOYED outcomes")
        return self
