"""The provider plugin's RPCs, each a translation around the dynamic providers' own methods.

How values arrive and leave is the only thing that differs from the dynamic host (`convert`); the
checks, requests, waits and outputs are `DeploymentProvider`'s and `ListenerProvider`'s. What a
plugin adds:
- `check` does what the Python `Deployment` constructor does in the program: the ownership id from
  the URN, the autoname prefix, and the `source_dir` archive's hash (the plugin runs in the
  program's directory, so a relative `sourceDir` means what the user sees);
- `diff` names every changed property and whether it replaces (`replaceOnChanges` works on them);
- `create`/`update` answer a preview without a request, and run under the call's `customTimeouts`;
- `read` of a bare id is `pulumi import`: inputs that declare what the server holds;
- `cancel` (Ctrl-C) ends every wait at once (`engine_watch.cancel`);
- lookups are invokes (`functions`).
Blocking work runs on a pool of its own: the event loop's default pool has 6 threads on 2 cores, and
a wait holds one for minutes (the same reason `core/host_pool.py` widens the dynamic host's).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any, TypeVar

from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    InvokeRequest,
    InvokeResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

from ..core import engine_watch, operation
from ..core.config import pulumi_organization
from ..core.failures import parts_of, reported, value_at
from ..core.host_pool import DEFAULT_WORKERS, ENV_WORKERS
from ..core.log_stream import redact
from ..core.values import UNKNOWN
from ..deployment import diff_paths
from ..deployment.provider import DeploymentProvider
from ..deployment.resource import SourceDirInvalid, program_inputs
from ..listener.model import listener_changes
from ..listener.provider import ListenerProvider
from . import functions, schema
from .convert import Path, to_plain, to_property_values
from .language import speak
from .resources import DEPLOYMENT, KINDS, LISTENER, Kind
from .shapes import camel, camel_path

T = TypeVar("T")

#: Outputs an update that rolls out a revision changes (unknown in its preview).
_ROLLOUT_OUTPUTS = ("latest_revision_id", "active_revision_id", "revision_status", "status", "updated_at", "health")


def urn_parts(urn: str) -> tuple[str, str, str]:
    """(project, stack, resource name) of `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    parts = urn.split("::")
    return parts[1], parts[0].rsplit(":", 1)[-1], parts[-1]


class LangSmithProvider(Provider):
    """`langsmith:index:Deployment`, `langsmith:index:Listener` and the lookup functions."""

    def __init__(self, workers: int | None = None) -> None:
        size = workers or int(os.environ.get(ENV_WORKERS, DEFAULT_WORKERS))
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="langsmith")
        self.deployments = DeploymentProvider()
        self.listeners = ListenerProvider()
        self._organization: str | None = None
        self._impl: dict[str, DeploymentProvider | ListenerProvider] = {
            DEPLOYMENT.token: self.deployments,
            LISTENER.token: self.listeners,
        }

    async def _run(self, urn: str | None, timeout: float | None, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` on the pool, as the call of `urn` bounded by `timeout` (`core.operation`)."""

        def call() -> T:
            with operation.serving(urn, timeout):
                return fn(*args)

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, contextvars.copy_context().run, call)

    def _kind(self, token: str) -> Kind:
        kind = KINDS.get(token)
        if kind is None:
            raise NotImplementedError(f"unknown resource type {token}")
        return kind

    # configure ---------------------------------------------------------------------------------

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        config: dict[str, str] = {}
        for key, value in request.args.items():  # stack config `langsmith:*`, or a Provider's args
            plain = value.value
            if isinstance(plain, float):
                plain = str(int(plain)) if plain.is_integer() else str(plain)
            if isinstance(plain, str) and plain and plain != UNKNOWN:
                config[f"langsmith:{key}"] = plain
        settings = SimpleNamespace(config=config)
        self._organization = pulumi_organization(config, os.environ)
        self.deployments.configure(settings)  # type: ignore[arg-type]
        self.listeners.configure(settings)  # type: ignore[arg-type]
        return ConfigureResponse(accept_secrets=True, supports_preview=True, accept_resources=False)

    # check / diff ------------------------------------------------------------------------------

    async def check(self, request: CheckRequest) -> CheckResponse:
        kind = self._kind(request.type)
        secret: set[Path] = set()
        olds = to_plain(request.old_inputs, kind.shape)
        news = to_plain(request.new_inputs, kind.shape, secret)
        failures: list[tuple[str, str]] = []
        if kind is DEPLOYMENT:
            failures += self._program_side(request.urn, news, self._organization)
            result = await self._run(request.urn, None, self.deployments.checked, olds, news, request.random_seed)
        else:
            result = await self._run(request.urn, None, self.listeners.checked, olds, news)
        failures += [(f.property or "", f.reason or "") for f in result.failures or []]
        inputs = to_property_values(_stand_ins_out(result.inputs, failures), kind.shape, secret, kind.always_secret)

        def is_secret(path: str) -> bool:
            parts = tuple(parts_of(path))
            return parts[0] in kind.always_secret or any(parts[:n] in secret for n in range(1, len(parts) + 1))

        hidden = [v for path in secret for v in _strings(value_at(news, ".".join(map(str, path))))]
        hidden += [v for key in kind.always_secret for v in _strings(news.get(key))]
        return CheckResponse(
            inputs=inputs,
            failures=[
                CheckFailure(
                    *reported(_property(kind, p), redact(speak(r, kind.shape), hidden), value_at(news, p), is_secret(p))
                )
                for p, r in failures
            ],
        )

    @staticmethod
    def _program_side(urn: str, news: dict[str, Any], organization: str | None = None) -> list[tuple[str, str]]:
        """What the Python `Deployment` constructor does in a program (`resource.program_inputs`), here
        for every language; a `source_dir` that cannot be deployed is a check failure."""
        project, stack, name = urn_parts(urn)
        declared = dict(news)
        news.clear()
        try:
            news.update(program_inputs(declared, project, stack, name, organization))
        except SourceDirInvalid as exc:
            news.update(program_inputs({**declared, "source_dir": UNKNOWN}, project, stack, name, organization))
            message = str(exc)
            prop, _, reason = message.partition(": ")
            return (
                [(prop, reason)]
                if prop in ("source_dir", "source_revision_config.langgraph_config_path")
                else [("source_dir", message)]
            )
        return []

    async def diff(self, request: DiffRequest) -> DiffResponse:
        kind = self._kind(request.type)
        olds = to_plain(request.old_state, kind.shape)
        news = to_plain(request.new_inputs, kind.shape)
        if kind is LISTENER:
            replaces, updates = listener_changes(olds, news)
            detailed = {p: _kind_of(olds, news, p, True) for p in replaces}
            detailed.update({p: _kind_of(olds, news, p, False) for p in updates})
            return _diff(kind, bool(replaces or updates), replaces, detailed, False)
        cs, paths = await self._run(request.urn, None, self.deployments.detailed_diff, request.resource_id, olds, news)
        detailed = {
            # revision_status: a rollout an earlier run left unfinished, no input changed
            p: PropertyDiff(_KINDS[how][replace], input_diff=p != diff_paths.UNSETTLED)
            for p, (how, replace) in paths.items()
        }
        return _diff(kind, cs.changes, cs.replaces, detailed, cs.delete_before_replace)

    # create / update / read / delete -------------------------------------------------------------

    async def create(self, request: CreateRequest) -> CreateResponse:
        kind = self._kind(request.type)
        secret: set[Path] = set()
        props = to_plain(request.properties, kind.shape, secret)
        if request.preview:
            outs = {**props, **dict.fromkeys(kind.outputs, UNKNOWN)}
            return CreateResponse(None, to_property_values(outs, kind.shape, secret, kind.always_secret))
        impl = self._impl[kind.token]
        result = await self._run(request.urn, request.timeout, impl.create, props)
        return CreateResponse(result.id, to_property_values(result.outs or {}, kind.shape, secret, kind.always_secret))

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        kind = self._kind(request.type)
        secret: set[Path] = set()
        olds = to_plain(request.olds, kind.shape, secret)
        news = to_plain(request.news, kind.shape, secret)
        if request.preview:
            outs = {**{k: olds.get(k) for k in kind.outputs}, **news}
            if kind is DEPLOYMENT:
                cs = await self._run(request.urn, None, self.deployments.change_set, olds, news)
                moving = _ROLLOUT_OUTPUTS if cs.revision else ("updated_at",) if cs.patch else ()
                outs.update(dict.fromkeys(moving, UNKNOWN))
            return UpdateResponse(to_property_values(outs, kind.shape, secret, kind.always_secret))
        impl = self._impl[kind.token]
        result = await self._run(request.urn, request.timeout, impl.update, request.resource_id, olds, news)
        return UpdateResponse(to_property_values(result.outs or {}, kind.shape, secret, kind.always_secret))

    async def read(self, request: ReadRequest) -> ReadResponse:
        kind = self._kind(request.type)
        impl = self._impl[kind.token]
        secret: set[Path] = set()
        props = to_plain(request.properties, kind.shape, secret)
        to_plain(request.inputs, kind.shape, secret)
        if not props:  # `pulumi import`, or `Deployment.get`: only the id is known
            result = await self._run(request.urn, None, impl.imported, request.resource_id)
        else:
            result = await self._run(request.urn, None, impl.read, request.resource_id, props)
        if result.id is None:  # gone: refresh drops it from state
            return ReadResponse(None, {}, {})
        outs = to_property_values(result.outs or {}, kind.shape, secret, kind.always_secret)
        inputs = {k: v for k, v in (result.inputs or {}).items() if k in kind.inputs}
        return ReadResponse(result.id, outs, to_property_values(inputs, kind.shape, secret, kind.always_secret))

    async def delete(self, request: DeleteRequest) -> None:
        kind = self._kind(request.type)
        props = to_plain(request.properties, kind.shape)
        await self._run(request.urn, request.timeout, self._impl[kind.token].delete, request.resource_id, props)

    # functions, schema, cancel -------------------------------------------------------------------

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        fn = functions.FUNCTIONS.get(request.tok)
        if fn is None:
            raise NotImplementedError(f"unknown function {request.tok}")
        args = {k: v.value for k, v in request.args.items()}
        return InvokeResponse(return_value=await self._run(None, None, fn.call, self.deployments, args))

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(json.dumps(schema.build()))

    async def cancel(self) -> None:
        """Ctrl-C: every wait ends now with a clear message; requests in flight finish."""
        engine_watch.cancel("Ctrl-C: the engine cancelled the operation")


def _stand_ins_out(inputs: Mapping[str, Any] | None, failures: list[tuple[str, str]]) -> dict[str, Any]:
    """A failing check's inputs without the unknowns `_program_side` stands in for a `source_dir` it
    cannot read. The engine uses no input of a failing check, but refuses an unknown outside a preview:
    `pulumi import` checks the inputs it read (an internal_source deployment's have no `sourceDir`)
    and only warns about the failures, so a stand-in would fail the import."""
    out = dict(inputs or {})
    if failures:
        for key in ("source_dir", "source_hash"):
            if out.get(key) == UNKNOWN:
                del out[key]
    return out


def _strings(value: Any) -> list[str]:
    """Every string inside a value (a secret's, to keep out of messages)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _property(kind: Kind, path: str) -> str:
    """A check failure's property as the program names it; `provider` is about the configuration."""
    return "" if path in ("", "provider") else camel_path(kind.shape, path)


#: The core's kind of change (`diff_paths.Kind`), and whether it replaces, as the engine names it.
_KINDS: dict[diff_paths.Kind, dict[bool, PropertyDiffKind]] = {
    diff_paths.Kind.ADD: {False: PropertyDiffKind.ADD, True: PropertyDiffKind.ADD_REPLACE},
    diff_paths.Kind.DELETE: {False: PropertyDiffKind.DELETE, True: PropertyDiffKind.DELETE_REPLACE},
    diff_paths.Kind.UPDATE: {False: PropertyDiffKind.UPDATE, True: PropertyDiffKind.UPDATE_REPLACE},
}


def _kind_of(olds: Mapping[str, Any], news: Mapping[str, Any], path: str, replace: bool) -> PropertyDiff:
    """ADD, DELETE or UPDATE (and their _REPLACE forms) of a Listener's top-level property."""
    return PropertyDiff(_KINDS[diff_paths.kind_of(olds.get(path), news.get(path))][replace], input_diff=True)


def _diff(
    kind: Kind, changed: bool, replaces: tuple[str, ...], detailed: dict[str, PropertyDiff], dbr: bool
) -> DiffResponse:
    named = {camel_path(kind.shape, p): d for p, d in detailed.items()}
    return DiffResponse(
        changes=changed,
        replaces=sorted({camel(p.split(".")[0]) for p in replaces}),
        delete_before_replace=dbr,
        diffs=sorted({p.split(".")[0].split("[")[0] for p in named}),
        detailed_diff=named,
    )
