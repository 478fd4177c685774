"""The test-control routes under `/_emulator`: reset, settings, request log, faults, outcomes, previews.

No auth, and the middleware never faults or logs them (see `control.py` for the request bodies).
"""

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from ..control import FaultRuleRequest, OutcomeRequest, SettingsPatch
from ..deps import RuntimeDep
from ..errors import NotFound
from ..faults import FaultRule
from ..models import Deployment

router = APIRouter(prefix="/_emulator", tags=["Emulator test control"])


@router.post("/reset", status_code=204, response_class=Response)
def reset(runtime: RuntimeDep) -> Response:
    runtime.reset()
    return Response(status_code=204)


@router.post("/deployments/{deployment_id}/preview", status_code=201)
def make_preview(deployment_id: str, runtime: RuntimeDep) -> Deployment:
    """A preview deployment of this one, as the service's preview builds make per pull request."""
    return runtime.deployments.make_preview(deployment_id)


@router.get("/settings")
def get_settings(runtime: RuntimeDep) -> dict[str, Any]:
    return runtime.settings.current.as_dict()


@router.patch("/settings")
def patch_settings(body: SettingsPatch, runtime: RuntimeDep) -> dict[str, Any]:
    return runtime.update_settings(**body.changes()).as_dict()


@router.get("/agents")
def list_agents(runtime: RuntimeDep) -> list[dict[str, Any]]:
    """The Agent Servers the runner holds (`--run-agents`): URL, revision, whether running, pid."""
    return [dataclasses.asdict(server) for server in runtime.agents.servers()]


@router.get("/requests")
def list_requests(runtime: RuntimeDep, since: Annotated[int | None, Query()] = None) -> list[dict[str, Any]]:
    return runtime.requests.since(since)


@router.delete("/requests", status_code=204, response_class=Response)
def clear_requests(runtime: RuntimeDep) -> Response:
    runtime.requests.clear()
    return Response(status_code=204)


@router.post("/faults", status_code=201)
def add_fault(body: FaultRuleRequest, runtime: RuntimeDep) -> dict[str, Any]:
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
def list_faults(runtime: RuntimeDep) -> list[dict[str, Any]]:
    return [rule.as_dict() for rule in runtime.faults.rules()]


@router.delete("/faults", status_code=204, response_class=Response)
def clear_faults(runtime: RuntimeDep) -> Response:
    runtime.faults.clear()
    return Response(status_code=204)


@router.delete("/faults/{rule_id}", status_code=204, response_class=Response)
def delete_fault(rule_id: str, runtime: RuntimeDep) -> Response:
    if not runtime.faults.remove(rule_id):
        raise NotFound(f"Fault rule {rule_id} not found.")
    return Response(status_code=204)


@router.post("/outcomes", status_code=201)
def add_outcome(body: OutcomeRequest, runtime: RuntimeDep) -> dict[str, Any]:
    script = runtime.outcomes.add(
        body.outcome,
        deployment_name=body.deployment_name,
        repo_ref=body.repo_ref,
        image_uri=body.image_uri,
        count=body.count,
        transient_seconds=body.transient_seconds,
        echo_env=body.echo_env,
    )
    return script.as_dict()


@router.get("/outcomes")
def list_outcomes(runtime: RuntimeDep) -> list[dict[str, Any]]:
    return [script.as_dict() for script in runtime.outcomes.scripts()]


@router.delete("/outcomes", status_code=204, response_class=Response)
def clear_outcomes(runtime: RuntimeDep) -> Response:
    runtime.outcomes.clear()
    return Response(status_code=204)


@router.delete("/outcomes/{script_id}", status_code=204, response_class=Response)
def delete_outcome(script_id: str, runtime: RuntimeDep) -> Response:
    if not runtime.outcomes.remove(script_id):
        raise NotFound(f"Outcome script {script_id} not found.")
    return Response(status_code=204)
