"""The test-control API under `/_emulator`: reset, settings, request log, faults, outcomes.

Other teams' tests are written against this contract (see emulator/README.md), so request
bodies reject unknown keys: a typo in a fault rule should fail loudly, not silently do nothing.
It needs no auth, and the middleware never faults or logs it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .apishape import ApiShape
from .config import SecretMasking
from .errors import NotFound
from .faults import FaultKind, FaultRule
from .lifecycle import TRANSIENT_OUTCOMES, Outcome
from .runtime import Runtime

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

    @field_validator("mask_secrets", mode="before")
    @classmethod
    def _bool_as_mode(cls, value: object) -> object:
        return {True: "mask", False: "off"}.get(value, value) if isinstance(value, bool) else value  # convenience


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

    @model_validator(mode="after")
    def _transient_only(self) -> OutcomeRequest:
        if self.transient_seconds is not None and self.outcome not in TRANSIENT_OUTCOMES:
            raise ValueError("transient_seconds applies only to the *_THEN_DEPLOYED outcomes")
        return self


def build_control_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/_emulator", tags=["Emulator test control"])

    @router.post("/reset", status_code=204, response_class=Response)
    def reset() -> Response:
        runtime.reset()
        return Response(status_code=204)

    @router.get("/settings")
    def get_settings() -> dict[str, Any]:
        return runtime.settings.current.as_dict()

    @router.patch("/settings")
    def patch_settings(body: SettingsPatch) -> dict[str, Any]:
        return runtime.update_settings(**body.model_dump(exclude_none=True)).as_dict()

    @router.get("/requests")
    def list_requests(since: Annotated[int | None, Query()] = None) -> list[dict[str, Any]]:
        return runtime.requests.since(since)

    @router.delete("/requests", status_code=204, response_class=Response)
    def clear_requests() -> Response:
        runtime.requests.clear()
        return Response(status_code=204)

    @router.post("/faults", status_code=201)
    def add_fault(body: FaultRuleRequest) -> dict[str, Any]:
        rule = FaultRule(
            kind=body.kind,
            method=body.method,
            path=body.path,
            count=body.count,
            probability=1.0 if body.probability is None else body.probability,
            retry_after=body.retry_after,
            latency_ms=body.latency_ms,
        )
        return runtime.faults.add(rule).as_dict()

    @router.get("/faults")
    def list_faults() -> list[dict[str, Any]]:
        return [rule.as_dict() for rule in runtime.faults.rules()]

    @router.delete("/faults", status_code=204, response_class=Response)
    def clear_faults() -> Response:
        runtime.faults.clear()
        return Response(status_code=204)

    @router.delete("/faults/{rule_id}", status_code=204, response_class=Response)
    def delete_fault(rule_id: str) -> Response:
        if not runtime.faults.remove(rule_id):
            raise NotFound(f"Fault rule {rule_id} not found.")
        return Response(status_code=204)

    @router.post("/outcomes", status_code=201)
    def add_outcome(body: OutcomeRequest) -> dict[str, Any]:
        script = runtime.outcomes.add(
            body.outcome,
            deployment_name=body.deployment_name,
            repo_ref=body.repo_ref,
            image_uri=body.image_uri,
            count=body.count,
            transient_seconds=body.transient_seconds,
        )
        return script.as_dict()

    @router.get("/outcomes")
    def list_outcomes() -> list[dict[str, Any]]:
        return [script.as_dict() for script in runtime.outcomes.scripts()]

    @router.delete("/outcomes", status_code=204, response_class=Response)
    def clear_outcomes() -> Response:
        runtime.outcomes.clear()
        return Response(status_code=204)

    @router.delete("/outcomes/{script_id}", status_code=204, response_class=Response)
    def delete_outcome(script_id: str) -> Response:
        if not runtime.outcomes.remove(script_id):
            raise NotFound(f"Outcome script {script_id} not found.")
        return Response(status_code=204)

    return router
