"""The dynamic ResourceProvider for LangSmith deployments: thin CRUD over `changes`, `client`, `waiter`.

This class is pickled into state *by reference* (module + class name, empty instance dict), so no
code or credential is stored and fixes here apply to delete and refresh too. Settings arrive at run
time through `configure()`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from ..core import errors, host_pool
from ..core.base import ConfiguredProvider
from ..core.client import APIError, ControlPlaneClient, conflict, not_found, outcome_unknown
from ..core.config import deployment_dashboard_url
from ..core.errors import ProviderError
from ..core.health import HEALTH_NOT_CHECKED, HealthCheck
from ..core.log_stream import LogStream, enabled_by_env
from ..core.once import at_most_once
from ..core.progress import progress
from ..core.schema import Compare
from ..core.statuses import DELETING, can_still_deploy
from ..core.values import JSON, is_unknown, with_unknown_sentinel
from ..core.waiter import Polling, Waiter
from ..source_archive import SourceArchive
from . import changes, fields
from .model import WaitOptions, apply_defaults, validate
from .upload import reread, upload

host_pool.widen_once()
errors.quiet_tracebacks()


class DeploymentError(ProviderError):
    """An error the user can act on; the message names the deployment and what to do."""


def _polling(props: Mapping[str, Any]) -> Polling:
    return WaitOptions.model_validate(props.get("wait") or {}, strict=False).polling()


def _waiter(client: ControlPlaneClient, props: Mapping[str, Any], dep_id: str) -> Waiter:
    """A waiter that streams the revision's new log lines, unless turned off (`wait.stream_logs`,
    `LANGSMITH_STREAM_LOGS=0`); the `secrets` values are redacted from them."""
    stream = None
    if (props.get("wait") or {}).get("stream_logs", True) is not False and enabled_by_env():
        secret_values = [str(v) for v in (props.get("secrets") or {}).values()]
        stream = LogStream(client, dep_id, str(props["name"]), secret_values).poll
    return Waiter(client, _polling(props), on_poll=stream)


def _deadline(props: Mapping[str, Any]) -> float:
    """The wait's deadline, shared by the rollout and the health check after it."""
    return time.monotonic() + _polling(props).timeout


def _waits(props: Mapping[str, Any]) -> bool:
    return bool((props.get("wait") or {}).get("enabled", True))


def _archive(props: Mapping[str, Any]) -> SourceArchive | None:
    """For a `source_dir` deployment, the directory re-read at apply and checked against the plan,
    before anything is written."""
    return reread(props) if props.get("source") == fields.INTERNAL_SOURCE else None


def _inputs(props: Mapping[str, Any]) -> JSON:
    return {k: props[k] for k in changes.INPUT_KEYS if props.get(k) is not None}


class DeploymentProvider(ConfiguredProvider):
    """CRUD for `Deployment`; see README "How it behaves" for the user-facing contract."""

    # check / diff ------------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        olds = with_unknown_sentinel(_olds or {})
        inputs = {k: with_unknown_sentinel(v) for k, v in news.items() if k != "__provider"}
        failures: list[CheckFailure] = []
        if self.config_error:
            failures.append(CheckFailure("provider", self.config_error))
        if not inputs.get("name") and inputs.get("name_prefix"):
            # Keep the autoname across updates; pick a new one when the deployment gets replaced.
            keep = olds.get("name") if olds and not changes.replace_fields_changed(olds, inputs) else None
            inputs["name"] = keep or changes.auto_name(str(inputs["name_prefix"]))
        apply_defaults(inputs)
        _model, problems = validate(inputs)
        failures += [CheckFailure(prop, reason) for prop, reason in problems]
        failures += [CheckFailure(p, r) for p, r in self._replace_guard(olds, inputs)]
        return CheckResult(inputs, failures)

    @staticmethod
    def _replace_guard(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Say at preview, not halfway through, that a same-name replacement cannot succeed: the
        old deployment's tracing project keeps the name unless it is deleted with the deployment."""
        if not olds or olds.get("name") != news.get("name") or olds.get("delete_tracing_project"):
            return []
        out = []
        for path in fields.REPLACE_BEHIND_NAME:
            new = changes.declared(news, path)
            if not is_unknown(new) and changes.declared(olds, path) != new:
                out.append(
                    (
                        path,
                        f"changing it replaces deployment {news.get('name')!r}, and its name stays taken "
                        "by its tracing project after delete. Either set delete_tracing_project=True and "
                        "run `pulumi up` once before this change, or give the deployment a new name",
                    )
                )
        return out

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        change = changes.change_set(olds, with_unknown_sentinel(news))
        replaces = sorted({path.split(".")[0] for path in change.replaces})
        return DiffResult(changes=change.changes, replaces=replaces, delete_before_replace=change.delete_before_replace)

    # create ------------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        waiter = Waiter(client, _polling(props))
        name = str(props["name"])
        archive = _archive(props)
        deployment, fresh = self._find_or_create(client, waiter, props)
        dep_id = str(deployment["id"])
        revision_id = self._converge(client, deployment, props, fresh, archive)
        revision, health = None, HEALTH_NOT_CHECKED
        if revision_id and _waits(props):
            deadline = _deadline(props)
            waiter = _waiter(client, props, dep_id)
            revision = waiter.revision(dep_id, name, revision_id)
            deployment = waiter.deployment_seen or client.get_deployment(dep_id)
            health = self._health(props, deployment, deadline)
        else:
            deployment = waiter.deployment_seen or client.get_deployment(dep_id)
        return CreateResult(dep_id, self._outputs(props, deployment, revision, self._dashboard(), health))

    def _find_or_create(self, client: ControlPlaneClient, waiter: Waiter, props: JSON) -> tuple[JSON, bool]:
        """Never a duplicate: a deployment this resource created earlier (a lost response, a killed
        run) is resumed; a foreign one is only taken over with `adopt=True`."""
        name = str(props["name"])
        if props.get("adopt_id"):
            return self._adopt(client, self._by_adopt_id(client, props), props), False
        existing = self._find(client, props)
        if existing and existing.get("status") in DELETING:
            progress(f"{name}: waiting for the previous deployment of this name to finish deleting")
            waiter.gone(str(existing["id"]), name)
            existing = None
        if existing:
            return self._claim(client, existing, props), False

        def create() -> tuple[JSON, bool]:
            created = client.create_deployment(changes.create_payload(props))
            progress(f"{name}: created deployment {created['id']}")
            return created, True

        def landed() -> tuple[JSON, bool] | None:  # did the POST land although its answer was lost?
            found = self._find(client, props)
            return (self._claim(client, found, props), False) if found else None

        def name_taken(error: APIError) -> None:
            if conflict(error):
                raise DeploymentError(
                    f"{name}: the name is taken ({error.detail}). A deleted deployment's tracing project "
                    "keeps its name unless it was deleted with delete_tracing_project=True; choose another name"
                ) from None

        return at_most_once(create, landed, retry_if=lambda e: outcome_unknown(e) or conflict(e), give_up=name_taken)

    @staticmethod
    def _find(client: ControlPlaneClient, props: JSON) -> JSON | None:
        """This resource's deployment from an earlier attempt (found by its ownership tag, whatever its
        autoname), else a deployment holding the exact name."""
        tag = changes.ownership_tag(props)
        if changes.is_auto_named(props) and tag:
            prefix = changes.slug(str(props["name_prefix"]))
            for item in client.iter_deployments(name_contains=prefix):
                if changes.ownership_tag_on(item) == tag and item.get("status") not in DELETING:
                    return item
        return client.find_deployment(str(props["name"]))

    @staticmethod
    def _claim(client: ControlPlaneClient, found: JSON, props: JSON) -> JSON:
        name = str(props["name"])
        deployment = client.get_deployment(str(found["id"]))
        if props.get("owner") and changes.ownership_tag_on(deployment) == changes.ownership_tag(props):
            progress(f"{name}: resuming deployment {deployment['id']} created by an earlier run")
            return deployment
        if props.get("adopt"):
            return DeploymentProvider._adopt(client, deployment, props)
        raise DeploymentError(
            f"{name}: a deployment with this name already exists ({deployment['id']}) and was not created "
            "by this stack. Set adopt=True to manage it from this stack, or choose another name."
        )

    @staticmethod
    def _by_adopt_id(client: ControlPlaneClient, props: JSON) -> JSON:
        """The deployment `adopt_id` names; refused when it is gone or being deleted."""
        dep_id, name = str(props["adopt_id"]), str(props["name"])
        try:
            deployment = client.get_deployment(dep_id)
        except APIError as exc:
            if not_found(exc):
                raise DeploymentError(
                    f"{name}: adopt_id: no deployment {dep_id} in this workspace ({client.base_url})"
                ) from None
            raise
        if deployment.get("status") in DELETING:
            raise DeploymentError(f"{name}: adopt_id: deployment {dep_id} is being deleted")
        return deployment

    @staticmethod
    def _adopt(client: ControlPlaneClient, deployment: JSON, props: JSON) -> JSON:
        """Take over a deployment this stack did not create (`adopt=True` by name, `adopt_id` by UUID),
        refused when a field that cannot change in place differs."""
        name = str(props["name"])
        if props.get("owner") and changes.ownership_tag_on(deployment) == changes.ownership_tag(props):
            progress(f"{name}: resuming deployment {deployment['id']} created by an earlier run")
            return deployment
        clashes = changes.fixed_field_clashes(props, deployment)
        if props.get("adopt_id") and not changes.is_auto_named(props) and deployment.get("name") != name:
            clashes.insert(0, ("name", deployment.get("name"), name))
        if clashes:
            raise DeploymentError(
                f"{name}: cannot adopt deployment {deployment['id']}: "
                + "; ".join(f"{p} is {theirs!r} there, {ours!r} here" for p, theirs, ours in clashes)
                + ". These fields cannot be changed in place: declare the deployment's values"
                + (
                    ", or leave `name` unset to take the deployment's."
                    if props.get("adopt_id")
                    else ", or choose another name."
                )
            )
        progress(f"{name}: adopting existing deployment {deployment['id']}")
        return deployment

    def _converge(
        self, client: ControlPlaneClient, deployment: JSON, props: JSON, fresh: bool, archive: SourceArchive | None
    ) -> str | None:
        """Make an existing deployment match `props`; returns the revision to wait for."""
        dep_id = str(deployment["id"])
        paths = [
            p
            for p in self._patchable(client, dep_id, changes.PATCH_PATHS, props)
            if changes.get_path(props, p) is not None and changes.get_path(deployment, p) != changes.get_path(props, p)
        ]
        if paths:
            client.patch_deployment(dep_id, changes.patch_payload(paths, props))
        latest = deployment.get("latest_revision_id")
        if fresh and archive is None:
            return str(latest) if latest else None
        # A source_dir deployment has no revision until its archive is uploaded and PATCHed.
        return self._rolling_out(client, dep_id, props, deployment) or self._new_revision(
            client, dep_id, props, deployment, archive
        )

    @staticmethod
    def _patchable(client: ControlPlaneClient, dep_id: str, paths: tuple[str, ...], props: JSON) -> tuple[str, ...]:
        """The PATCH fields this server understands; says once why a declared one is not sent."""
        kept = changes.without_newer_api(paths, client.shape(dep_id))
        dropped = [p for p in paths if p not in kept and changes.get_path(props, p) is not None]
        if dropped and client.note_once(f"{dep_id}:{','.join(dropped)}"):
            progress(
                f"{props.get('name')}: this control plane follows the official API spec, which has no "
                f"{', '.join(dropped)}; it is kept in state only and not sent"
            )
        return kept

    @staticmethod
    def _rolling_out(client: ControlPlaneClient, dep_id: str, props: JSON, deployment: JSON) -> str | None:
        """The latest revision, if it already carries `props` and can still reach DEPLOYED (one an
        interrupted run started): wait for it rather than roll out another. A latest revision that
        404s (pruned) counts as unknown: the active one is DEPLOYED, any other is rolled again."""
        latest = deployment.get("latest_revision_id")
        if latest and changes.revision_matches(props, deployment):
            if latest == deployment.get("active_revision_id"):
                return str(latest)
            try:
                status = client.get_revision(dep_id, str(latest)).get("status")
            except APIError as exc:
                if not_found(exc):
                    return None
                raise
            if can_still_deploy(status):
                return str(latest)
        return None

    @staticmethod
    def _say_if_masked(client: ControlPlaneClient, props: Mapping[str, Any], deployment: JSON) -> None:
        """Say once what cannot be known when the server masks or leaves out env values."""
        if changes.server_secrets(deployment) is not None or not client.note_once(f"masked:{deployment.get('id')}"):
            return
        if changes.declared_env(props) is not None:
            managed = " and ".join(f"`{k}`" for k in ("env", "secrets") if props.get(k) is not None)
            what = f"drift of {managed} cannot be detected (the declared values are assumed to hold)"
        else:
            what = "the environment is left as it is; the ownership tag cannot be added to it"
        progress(f"{props.get('name')}: this control plane does not return env values: {what}")

    @staticmethod
    def _new_revision(
        client: ControlPlaneClient, dep_id: str, props: JSON, current: JSON, archive: SourceArchive | None = None
    ) -> str:
        """Roll out a revision with the documented PATCH, at most once: after a lost answer, a new
        latest revision is ours. The revision to wait for is the deployment's new latest one. A
        `source_dir` deployment uploads its archive first; the PATCH goes out only after a 2xx PUT."""
        before = current.get("latest_revision_id")
        if archive is not None:
            object_path = upload(client, dep_id, str(props.get("name")), archive)
            body = changes.internal_source_payload(props, current, object_path, archive.config_path)
        else:
            body = changes.revision_payload(props, current)
        DeploymentProvider._say_if_masked(client, props, current)

        def moved(deployment: JSON) -> str | None:
            latest = deployment.get("latest_revision_id")
            return str(latest) if latest and latest != before else None

        def send() -> str:
            answer = client.patch_deployment(dep_id, body, rolls_out=True)
            # An answer written before the revision became visible: read the deployment once more.
            return moved(answer) or moved(client.get_deployment(dep_id)) or str(before)

        return at_most_once(send, lambda: moved(client.get_deployment(dep_id)))

    # update ------------------------------------------------------------------------------------

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        olds, news = _olds, _news
        change = changes.change_set(olds, news)
        if not (change.patch or change.revision):
            # Only provider-side settings changed: nothing to send.
            return UpdateResult({**_inputs(news), **{k: olds.get(k) for k in changes.OUTPUT_KEYS}})
        archive = _archive(news) if change.revision else None
        client = self.client()
        name = str(news["name"])
        patch = self._patchable(client, _id, change.patch, news) if change.patch else ()
        if patch:
            client.patch_deployment(_id, changes.patch_payload(patch, news))
            progress(f"{name}: updated {', '.join(patch)} (no new revision)")
        revision, health = None, olds.get("health")
        if change.revision:
            current = client.get_deployment(_id)
            # A source_dir revision proves its content (its hash env), so an earlier run's is reused.
            rerun = change.revision == ("revision_status",) or archive is not None
            resumed = self._rolling_out(client, _id, news, current) if rerun else None
            revision_id = resumed or self._new_revision(client, _id, news, current, archive)
            why = "the rollout an earlier run started" if resumed else ", ".join(change.revision)
            progress(f"{name}: revision {revision_id[:8]} for {why}")
            if _waits(news):
                deadline = _deadline(news)
                revision = _waiter(client, news, _id).revision(_id, name, revision_id)
                deployment = client.get_deployment(_id)
                health = self._health(news, deployment, deadline)
                return UpdateResult(self._outputs(news, deployment, revision, self._dashboard(), health))
        return UpdateResult(self._outputs(news, client.get_deployment(_id), revision, self._dashboard(), health))

    # read / delete -----------------------------------------------------------------------------

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        client = self.client()
        external = not props.get("source")  # Deployment.get: nothing declared, everything is read
        try:
            deployment = client.get_deployment(id_)
        except APIError as exc:
            if not_found(exc) and external:
                raise DeploymentError(
                    f"Deployment.get: no deployment {id_} in this workspace ({client.base_url})"
                ) from None
            if not_found(exc):
                return ReadResult(None, {})
            raise
        if deployment.get("status") in DELETING:
            return ReadResult(None, {})
        revision = None
        latest = deployment.get("latest_revision_id")
        if latest and latest != deployment.get("active_revision_id"):
            try:
                revision = client.get_revision(id_, str(latest))
            except APIError as exc:  # pruned while its deployment exists: status unknown, not an error
                if not not_found(exc):
                    raise
        # Refresh does not call the agent: `health` stays what the last rollout found.
        outs = self._outputs(props, deployment, revision, self._dashboard(), props.get("health"))
        self._say_if_masked(client, props, deployment)
        self._mirror(outs, deployment)
        if outs.get("source_hash") is not None:
            outs["source_hash"] = changes.refreshed_source_hash(outs["source_hash"], deployment)
        if external:
            outs.update({k: deployment.get(k) for k in ("source", "source_config", "source_revision_config")})
        # Inputs mirrored too (ReadResult.inputs, pulumi #13839): the preview after a refresh then
        # shows which declared value `up` puts back, not a bare "update".
        return ReadResult(id_, outs, _inputs(outs))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()
        name = str(props.get("name") or id_)
        try:
            client.delete_deployment(id_, delete_tracing_project=bool(props.get("delete_tracing_project")))
        except APIError as exc:
            if not_found(exc):
                return
            raise
        progress(f"{name}: deleting deployment {id_}")
        Waiter(client, _polling(props)).gone(id_, name)

    # outputs -----------------------------------------------------------------------------------

    def _health(self, props: Mapping[str, Any], deployment: JSON, deadline: float) -> str:
        """`GET {url}/ok` until 200 (`core/health.py`), where the deployment has a URL and the check is on."""
        url = changes.get_path(deployment, "source_config.custom_url")
        options = WaitOptions.model_validate(props.get("wait") or {}, strict=False)
        if not url or not options.health_check or self._settings is None:
            return HEALTH_NOT_CHECKED
        return HealthCheck(self._settings.api_key).wait(str(url), str(props.get("name")), deadline, progress)

    def _dashboard(self) -> str | None:
        return getattr(self._settings, "dashboard_url", None)  # None: not configured (a test double)

    @staticmethod
    def _outputs(
        props: Mapping[str, Any],
        deployment: JSON,
        revision: JSON | None,
        dashboard: str | None = None,
        health: str | None = None,
    ) -> JSON:
        """All inputs plus the server-owned fields; raw API bodies (which hold secret values) are
        never stored."""
        latest = deployment.get("latest_revision_id")
        revision_status = None
        if revision is not None and revision.get("id") == latest:
            revision_status = revision.get("status")
        elif latest and latest == deployment.get("active_revision_id"):
            revision_status = "DEPLOYED"
        outs = _inputs(props)
        outs.update(
            name=deployment.get("name") or props.get("name"),
            deployment_id=deployment.get("id"),
            # The server's URL only: None until the service assigns one, never made up.
            url=changes.get_path(deployment, "source_config.custom_url") or None,
            latest_revision_id=latest,
            active_revision_id=deployment.get("active_revision_id"),
            revision_status=revision_status,
            status=deployment.get("status"),
            created_at=deployment.get("created_at"),
            updated_at=deployment.get("updated_at"),
            secrets_hash=DeploymentProvider._secrets_hash(props, deployment),
            tenant_id=deployment.get("tenant_id"),
            dashboard_url=deployment_dashboard_url(dashboard, deployment.get("tenant_id"), deployment.get("id"))
            if dashboard
            else None,
            health=health,
        )
        return outs

    @staticmethod
    def _secrets_hash(props: Mapping[str, Any], deployment: JSON) -> str | None:
        """Hash of the env the server holds. A server that masks the values cannot show drift: the
        declared values are assumed to hold, so nothing is written back over them."""
        if props.get("secrets") is None:
            return None
        held = changes.server_secrets(deployment)
        return changes.secrets_hash(changes.split_env(held, props)[1] if held is not None else props["secrets"])

    @staticmethod
    def _mirror(outs: JSON, deployment: JSON) -> None:
        """On refresh, replace each declared input with the server's value, so drift shows in the
        diff and the next `up` puts it back. Undeclared fields stay unmanaged."""
        held = changes.server_secrets(deployment)
        if outs.get("env") is not None and held is not None:  # masked: the declared values are assumed
            outs["env"] = changes.split_env(held, outs)[0]
        for f in fields.FIELDS:
            if not f.drift or f.path == "name" or f.compare is Compare.HASH or f.api:
                continue  # the name, the secrets' hash and env are set above or by `_outputs`
            if f.parent is None:
                if f.path in outs and (f.path in deployment or not f.newer_api):  # newer API absent: keep
                    outs[f.path] = deployment.get(f.path)
                continue
            declared = outs.get(f.parent)
            if not isinstance(declared, Mapping) or f.key not in declared:
                continue
            actual = (deployment.get(f.parent) or {}).get(f.key)
            if f.compare is Compare.DECLARED_KEYS:
                if not isinstance(declared[f.key], Mapping):
                    continue
                actual = {k: (actual or {}).get(k) for k in declared[f.key]}
            outs[f.parent] = {**declared, f.key: actual}
