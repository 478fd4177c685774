"""The v2 listener routes: thin adapters from HTTP to `Listeners` (listeners.py)."""

from enum import Enum
from uuid import UUID

from fastapi import APIRouter, Response

from ..deps import ListenersDep, Tenant
from ..models import Listener, ListenerCreateRequest, ListenerPatchRequest, ListenersList
from .params import Limit, Offset

LISTENER_TAGS: list[str | Enum] = ["Listeners (v2)"]
router = APIRouter(tags=LISTENER_TAGS)


@router.get("/v2/listeners")
def list_listeners(tenant_id: Tenant, listeners: ListenersDep, limit: Limit = 20, offset: Offset = 0) -> ListenersList:
    return listeners.list_listeners(tenant_id, limit, offset)


@router.post("/v2/listeners", status_code=201)
def create_listener(body: ListenerCreateRequest, tenant_id: Tenant, listeners: ListenersDep) -> Listener:
    return listeners.create(tenant_id, body)


@router.get("/v2/listeners/{listener_id}")
def get_listener(listener_id: UUID, tenant_id: Tenant, listeners: ListenersDep) -> Listener:
    return listeners.get(tenant_id, str(listener_id))


@router.patch("/v2/listeners/{listener_id}")
def patch_listener(
    listener_id: UUID, body: ListenerPatchRequest, tenant_id: Tenant, listeners: ListenersDep
) -> Listener:
    return listeners.patch(tenant_id, str(listener_id), body)


@router.delete("/v2/listeners/{listener_id}", status_code=204, response_class=Response)
def delete_listener(listener_id: UUID, tenant_id: Tenant, listeners: ListenersDep) -> Response:
    listeners.delete(tenant_id, str(listener_id))
    return Response(status_code=204)
