"""The dynamic provider of `Listener`: a self-hosted data plane registered with the control plane.

Pickled into state by reference, like `DeploymentProvider`. A listener has no env to carry an
ownership tag, but its `compute_id` is unique per workspace (spec: ListenerCreateRequest), so it is
the identity: a listener that did not exist before our POST and exists after a lost answer is ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult
from pydantic import ValidationError

from ..core.base import ConfiguredProvider
from ..core.client import APIError, ControlPlaneClient, conflict, not_found, outcome_unknown
from ..core.errors import ProviderError
from ..core.failures import reported, value_at
from ..core.progress import progress
from ..core.schema import Change
from ..core.values import JSON, unknown_at, with_unknown_sentinel
from .fields import FIELDS
from .model import LISTENER_OUTPUTS, ListenerInputs, listener_changes, patch_body

POST_ATTEMPTS = 3


class ListenerError(ProviderError):
    """An error the user can act on; the message names the listener and what to do."""


class ListenerProvider(ConfiguredProvider):
    """CRUD for `Listener`; see README "Listener" for the user-facing contract."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = self.checked(_olds, news)
        inputs = result.inputs or {}
        return CheckResult(
            inputs,
            [
                CheckFailure(*reported(f.property, f.reason, value_at(inputs, f.property), False))
                for f in result.failures
            ],
        )

    def checked(self, _olds: Mapping[str, Any], news: Mapping[str, Any]) -> CheckResult:
        """`check`, each failure with its property path (the plugin names it as the program does)."""
        inputs = {k: with_unknown_sentinel(v) for k, v in news.items() if k != "__provider"}
        raw: list[tuple[str, str]] = [("provider", self.config_error)] if self.config_error else []
        try:
            ListenerInputs.model_validate({k: v for k, v in inputs.items() if v is not None})
        except ValidationError as exc:
            for err in exc.errors(include_url=False, include_input=False):
                if unknown_at(inputs, tuple(err["loc"])):
                    continue
                prop = ".".join(str(p) for p in err["loc"]) or "(inputs)"
                msg = "is not a known property" if err["type"] == "extra_forbidden" else err["msg"]
                raw.append((prop, msg))
        return CheckResult(inputs, [CheckFailure(p, r) for p, r in raw])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces, updates = listener_changes(olds, with_unknown_sentinel(news))
        return DiffResult(changes=bool(replaces or updates), replaces=list(replaces))

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        wanted = ListenerInputs.model_validate(_declared(props))
        existing = client.find_listener(wanted.compute_id)
        if existing is not None:
            listener = self._adopt(client, existing, wanted)
        else:
            listener = self._post_once(client, wanted)
            progress(f"listener {wanted.compute_id}: created {listener['id']}")
        return CreateResult(str(listener["id"]), _outputs(props, listener))

    def _post_once(self, client: ControlPlaneClient, wanted: ListenerInputs) -> JSON:
        """At most one listener: after a lost answer, the listener with our compute_id is the one we made."""
        error: APIError | None = None
        for _ in range(POST_ATTEMPTS):
            try:
                return client.create_listener(wanted.create_body())
            except APIError as exc:
                if conflict(exc):
                    found = client.find_listener(wanted.compute_id)
                    if found is not None:
                        return self._adopt(client, found, wanted)
                    raise
                if not outcome_unknown(exc):
                    raise
                error = exc
            found = client.find_listener(wanted.compute_id)
            if found is not None:
                return found
        assert error is not None
        raise error

    @staticmethod
    def _adopt(client: ControlPlaneClient, found: JSON, wanted: ListenerInputs) -> JSON:
        if not wanted.adopt:
            raise ListenerError(
                f"listener {wanted.compute_id}: this workspace already has a listener with this compute_id "
                f"({found['id']}) that this stack did not create. Set adopt=True to manage it from this stack, "
                "or choose another compute_id."
            )
        progress(f"listener {wanted.compute_id}: adopting existing listener {found['id']}")
        body = patch_body(wanted, found)
        return client.patch_listener(str(found["id"]), body) if body else found

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            listener = self.client().get_listener(id_)
        except APIError as exc:
            if not_found(exc):
                return ReadResult(None, {})
            raise
        outs = _outputs(props, listener)
        # Declared inputs mirror the server, so refresh shows drift and the next `up` puts it back.
        for f in FIELDS:
            if f.drift and props.get(f.path) is not None:
                outs[f.path] = _at(listener, f.api_path)
        return ReadResult(id_, outs, _declared(outs))

    def imported(self, id_: str) -> ReadResult:
        """`pulumi import` (a provider plugin): inputs that declare what the server holds."""
        client = self.client()
        try:
            listener = client.get_listener(id_)
        except APIError as exc:
            if not_found(exc):
                raise ListenerError(f"import: no listener {id_} in this workspace ({client.base_url})") from None
            raise
        held = {f.path: _at(listener, f.api_path) for f in FIELDS if f.change is not Change.STATE}
        outs = _outputs({k: v for k, v in held.items() if v is not None}, listener)
        return ReadResult(id_, outs, _declared(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        wanted = ListenerInputs.model_validate(_declared(news))
        current = client.get_listener(id_)
        body = patch_body(wanted, current)
        listener = client.patch_listener(id_, body) if body else current
        return UpdateResult(_outputs(news, listener))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        try:
            self.client().delete_listener(id_)
        except APIError as exc:
            if not not_found(exc):
                raise


def _declared(props: dict[str, Any]) -> JSON:
    return {k: props[k] for k in ListenerInputs.model_fields if props.get(k) is not None}


def _outputs(props: dict[str, Any], listener: JSON) -> JSON:
    config = listener.get("compute_config") or {}
    outs = _declared(props)
    outs.update(
        listener_id=listener.get("id"),
        compute_type=listener.get("compute_type"),
        server_k8s_namespaces=config.get("k8s_namespaces"),
        server_version=listener.get("version"),
        created_at=listener.get("created_at"),
        updated_at=listener.get("updated_at"),
    )
    return {k: outs.get(k) for k in (*ListenerInputs.model_fields, *LISTENER_OUTPUTS)}


def _at(body: Mapping[str, Any], path: str) -> Any:
    node: Any = body
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node
