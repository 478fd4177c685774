"""Listeners (self-hosted data planes) and per-tenant seeding.

Every tenant is treated as a self-hosted enterprise organisation, so the spec's 403 for other
plans never happens here. A tenant gets the seeded listener the first time it is seen.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from .clock import ts
from .errors import Conflict, listener_not_found
from .models import (
    Listener,
    ListenerComputeConfig,
    ListenerCreateRequest,
    ListenerPatchRequest,
    ListenersList,
)
from .seeds import LISTENER_COMPUTE_ID, LISTENER_ID, LISTENER_NAMESPACES, LISTENER_VERSION
from .store import ListenerRecord, Store, Tx


def to_listener(rec: ListenerRecord) -> Listener:
    return Listener(
        version=rec.version,
        compute_type="k8s",
        compute_id=rec.compute_id,
        compute_config=ListenerComputeConfig.model_validate(rec.compute_config),
        id=rec.id,
        created_at=ts(rec.created_at),
        updated_at=ts(rec.updated_at),
    )


class Listeners:
    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock
        self._seen: set[str] = set()
        self._seen_lock = threading.Lock()

    def ensure_tenant(self, tenant_id: str) -> None:
        """Seed a tenant's fixtures once; the in-memory set spares a write per request."""
        with self._seen_lock:
            if tenant_id in self._seen:
                return
        now = self._clock()
        with self._store.tx() as tx:
            if tx.add_tenant(tenant_id, now):
                tx.insert_listener(
                    {
                        "tenant_id": tenant_id,
                        "id": LISTENER_ID,
                        "compute_type": "k8s",
                        "compute_id": LISTENER_COMPUTE_ID,
                        "version": LISTENER_VERSION,
                        "compute_config": {"k8s_namespaces": list(LISTENER_NAMESPACES)},
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        with self._seen_lock:
            self._seen.add(tenant_id)

    def forget_tenants(self) -> None:
        with self._seen_lock:
            self._seen.clear()

    def _get(self, tx: Tx, tenant_id: str, listener_id: str) -> ListenerRecord:
        rec = tx.get_listener(tenant_id, listener_id)
        if rec is None:
            raise listener_not_found(listener_id)
        return rec

    def list_listeners(self, tenant_id: str, limit: int, offset: int) -> ListenersList:
        with self._store.tx() as tx:
            resources = [to_listener(rec) for rec in tx.list_listeners(tenant_id, limit, offset)]
        return ListenersList(resources=resources, offset=offset + len(resources))

    def get(self, tenant_id: str, listener_id: str) -> Listener:
        with self._store.tx() as tx:
            return to_listener(self._get(tx, tenant_id, listener_id))

    def create(self, tenant_id: str, req: ListenerCreateRequest) -> Listener:
        now = self._clock()
        listener_id = str(uuid.uuid4())
        with self._store.tx() as tx:
            if tx.listener_compute_id_exists(tenant_id, req.compute_id):
                raise Conflict(
                    f"Listener for LangSmith workspace ID '{tenant_id}' and compute ID '{req.compute_id}'"
                    " already exists."
                )
            tx.insert_listener(
                {
                    "tenant_id": tenant_id,
                    "id": listener_id,
                    "compute_type": req.compute_type,
                    "compute_id": req.compute_id,
                    "version": req.version,
                    "compute_config": req.compute_config.model_dump(),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            return to_listener(self._get(tx, tenant_id, listener_id))

    def patch(self, tenant_id: str, listener_id: str, req: ListenerPatchRequest) -> Listener:
        with self._store.tx() as tx:
            self._get(tx, tenant_id, listener_id)
            changes: dict[str, object] = {}
            if req.version is not None:
                changes["version"] = req.version
            if req.compute_config is not None:
                changes["compute_config"] = req.compute_config.model_dump()
            if changes:
                tx.update_listener(tenant_id, listener_id, updated_at=self._clock(), **changes)
            return to_listener(self._get(tx, tenant_id, listener_id))

    def delete(self, tenant_id: str, listener_id: str) -> None:
        with self._store.tx() as tx:
            self._get(tx, tenant_id, listener_id)
            tx.delete_listener(tenant_id, listener_id)
