"""The dynamic ResourceProvider for LangSmith deployments: thin CRUD over `changes`, `client`, `waiter`.

This class is pickled into state *by reference* (module + class name, empty instance dict), so no
code or credential is stored and fixes here apply to delete and refresh too. Settings arrive at run
time through `configure()`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from ..core import engine_watch, errors, host_pool
from ..core.base import ConfiguredProvider
from ..core.client import APIError, ControlPlaneClient, conflict, is_preview, not_found, outcome_unknown
from ..core.config import deployment_dashboard_url
from ..core.errors import ProviderError
from ..core.failures import reported
from ..core.failures import value_at as value_at_path
from ..core.health import HEALTH_NOT_CHECKED, HealthCheck
from ..core.log_stream import LogStream, enabled_by_env
from ..core.once import at_most_once
from ..core.progress import progress
from ..core.schema import Compare
from ..core.statuses import DELETING, can_still_deploy
from ..core.values import JSON, with_unknown_sentinel
from ..core.waiter import Waiter
from ..source_archive import SourceArchive
from . import changes, diff_paths, fields, ownership
from .model import (
    SOURCE_HASH,
    DeploymentInputs,
    Props,
    PropsError,
    WaitOptions,
    apply_defaults,
    declared_resource_spec,
    load,
    validate,
    value_at,
)
from .upload import reread, upload

host_pool.widen_once()
errors.quiet_tracebacks()


class DeploymentError(ProviderError):
    """An error the user can act on; the message names the deployment and what to do."""


#: Why a preview deployment is never adopted or imported (`client.is_preview`).
PREVIEW_REFUSED = (
    "deployment {id} is a preview deployment (made by the service's preview builds for a pull request, with "
    "its parent's name); manage its parent deployment instead"
)

#: How long a revision PATCH whose answer does not name the new revision may take to show it.
REVISION_VISIBLE_SECONDS = 30.0


def _load(raw: Mapping[str, Any]) -> Props:
    """The host boundary: the engine's props decoded once into the typed model."""
    try:
        return load(with_unknown_sentinel(raw))
    except PropsError as exc:
        raise DeploymentError(str(exc)) from None


def _waiter(client: ControlPlaneClient, d: DeploymentInputs, dep_id: str) -> Waiter:
    """A waiter that streams the revision's new log lines, unless turned off (`wait.stream_logs`,
    `LANGSMITH_STREAM_LOGS=0`); the `secrets` values are redacted from them."""
    stream = None
    if d.wait.stream_logs and enabled_by_env():
        stream = LogStream(client, dep_id, d.name, list((d.secrets or {}).values())).poll
    return Waiter(client, d.wait.polling(), on_poll=stream)


def _deadline(d: DeploymentInputs) -> float:
    """The wait's deadline, shared by the rollout and the health check after it."""
    return time.monotonic() + d.wait.polling().timeout


def _archive(d: DeploymentInputs) -> SourceArchive | None:
    """For a `source_dir` deployment, the directory re-read at apply and checked against the plan,
    before anything is written."""
    return reread(d) if d.source == fields.INTERNAL_SOURCE else None


def _reported(failure: CheckFailure, inputs: Mapping[str, Any]) -> CheckFailure:
    """A failure as the dynamic host sends it (`core.failures.reported`: a nested path in the message)."""
    path = failure.property or ""
    return CheckFailure(*reported(path, failure.reason or "", value_at_path(inputs, path), is_secret_input(path)))


def is_secret_input(path: str) -> bool:
    """Whether the value at an input path is a secret (a check failure then shows `[secret]`)."""
    return path.split(".", 1)[0].split("[", 1)[0] in fields.SECRET_OUTPUTS


def _inputs(d: DeploymentInputs) -> JSON:
    return Props(d).to_inputs()


class DeploymentProvider(ConfiguredProvider):
    """CRUD for `Deployment`; see README "How it behaves" for the user-facing contract."""

    # check / diff ------------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = self.checked(_olds, news)
        return CheckResult(result.inputs, [_reported(f, result.inputs) for f in result.failures or []])

    def checked(self, _olds: Mapping[str, Any], news: Mapping[str, Any], seed: bytes | None = None) -> CheckResult:
        """`check`, with the engine's `random_seed` for the autoname when the host has one (the plugin)."""
        inputs = {k: with_unknown_sentinel(v) for k, v in news.items() if k != "__provider"}
        old = self._previous(_olds)
        failures: list[CheckFailure] = []
        if self.config_error:
            failures.append(CheckFailure("provider", self.config_error))
        if old is not None and old.inputs.owner:
            # The ownership id a deployment was created with stays its own, whatever the id is made
            # of now (the Pulumi organization joined it later): its tag on the server keeps matching.
            inputs["owner"] = old.inputs.owner
        elif old is None and isinstance(inputs.get("owner"), str):
            # Without old inputs: a new resource, or the re-check of a replacement its diff asked for
            # (the diff named the deployment being replaced): that one gets an ownership id of its own.
            ownership.REGISTRY.checked_fresh(inputs["owner"])
            replaced_id = ownership.REGISTRY.replaced(inputs["owner"])
            if replaced_id:
                inputs["owner"] = ownership.replacement_owner(inputs["owner"], replaced_id)
        if not inputs.get("name") and inputs.get("name_prefix"):
            # Keep the autoname across updates; pick a new one when the deployment gets replaced.
            keep = old.inputs.name if old is not None and not self._replaced(old, inputs) else None
            replaced = (old.inputs.name if old is not None else "").encode()
            inputs["name"] = keep or changes.auto_name(str(inputs["name_prefix"]), seed and seed + replaced)
        filled: list[str] = []
        apply_defaults(inputs, filled)
        model, problems = validate(inputs)
        failures += [CheckFailure(prop, reason) for prop, reason in problems]
        if model is not None and old is not None:
            failures += [CheckFailure(p, r) for p, r in self._replace_guard(old, Props(model))]
        if model is not None and old is None and "source_config.deployment_type" in filled:
            progress(
                f"{model.name}: source_config.deployment_type is not set: "
                f"{model.source_config.deployment_type!r} is used (a Dedicated deployment, billed as such; the "
                "service's own default). Set it to 'dev_zero' for a serverless one"
            )
        return CheckResult(inputs, failures)

    @staticmethod
    def _previous(olds: Mapping[str, Any]) -> Props | None:
        """The previous outputs, when there are any this version can read (else check goes on as
        for a new resource, and the stored values are reported by the method that needs them)."""
        if not olds or not olds.get("source"):
            return None
        try:
            return load(with_unknown_sentinel(olds))
        except PropsError:
            return None

    @staticmethod
    def _replaced(old: Props, inputs: Mapping[str, Any]) -> bool:
        try:
            return changes.replace_fields_changed(old, load({**inputs, "name": old.inputs.name}))
        except PropsError:
            return True  # invalid: check reports it; no name is kept for it

    @staticmethod
    def _replace_guard(old: Props, new: Props) -> list[tuple[str, str]]:
        """Say at preview, not halfway through, that a same-name replacement cannot succeed: the
        old deployment's tracing project keeps the name unless it is deleted with the deployment."""
        if old.inputs.name != new.inputs.name or old.inputs.delete_tracing_project:
            return []
        return [
            (
                path,
                f"changing it replaces deployment {new.inputs.name!r}, and its name stays taken "
                "by its tracing project after delete. Either set delete_tracing_project=True and "
                "run `pulumi up` once before this change, or give the deployment a new name",
            )
            for path in fields.REPLACE_BEHIND_NAME
            if not new.unknown_at(path) and value_at(old.inputs, path) != value_at(new.inputs, path)
        ]

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        change = self.diffed(_id, olds, news)
        replaces = sorted({path.split(".")[0] for path in change.replaces})
        return DiffResult(changes=change.changes, replaces=replaces, delete_before_replace=change.delete_before_replace)

    @staticmethod
    def change_set(olds: Mapping[str, Any], news: Mapping[str, Any]) -> changes.ChangeSet:
        """What `up` does with these previous outputs and new inputs (the plugin names each path)."""
        return changes.change_set(_load(olds), _load(news))

    @staticmethod
    def diffed(id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> changes.ChangeSet:
        """The engine's Diff: the change set, and the deployment the state holds for this resource
        noted (a replacement's create must never take it over, `ownership`)."""
        return DeploymentProvider.detailed_diff(id_, olds, news)[0]

    @staticmethod
    def detailed_diff(
        id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[changes.ChangeSet, dict[str, tuple[diff_paths.Kind, bool]]]:
        """`diffed`, with each changed property path as deep as the values go (a provider plugin
        sends them: `replaceOnChanges` and `preview --diff` use them)."""
        old, new = _load(olds), _load(news)
        ownership.REGISTRY.in_state(old.inputs.owner, id_)
        change = changes.change_set(old, new)
        return change, diff_paths.changed_paths(old, new, change)

    # create ------------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        d = _load(props).inputs
        client = self.client()
        waiter = Waiter(client, d.wait.polling())
        archive = _archive(d)
        deployment, fresh = self._find_or_create(client, waiter, d)
        d = self._as_taken(d, deployment)
        dep_id = str(deployment["id"])
        ownership.REGISTRY.created(d.owner)
        revision_id = self._converge(client, deployment, d, fresh, archive)
        revision, health = None, HEALTH_NOT_CHECKED
        if revision_id and d.wait.enabled:
            deadline = _deadline(d)
            waiter = _waiter(client, d, dep_id)
            revision = waiter.revision(dep_id, d.name, revision_id)
            deployment = waiter.deployment_seen or client.get_deployment(dep_id)
            health = self._health(d, deployment, deadline)
        else:
            deployment = waiter.deployment_seen or client.get_deployment(dep_id)
            revision = self._seen(client, dep_id, revision_id)
        return CreateResult(dep_id, self._outputs(d, deployment, revision, self._dashboard(), health))

    def _find_or_create(self, client: ControlPlaneClient, waiter: Waiter, d: DeploymentInputs) -> tuple[JSON, bool]:
        """Never a duplicate: a deployment this resource created earlier (a lost response, a killed
        run) is resumed; a foreign one is only taken over with `adopt=True`."""
        name = d.name
        held = ownership.REGISTRY.held(d.owner)
        if ownership.adopt_id_ignored(d.adopt_id, held):
            progress(f"{name}: adopt_id {d.adopt_id} is the deployment this create replaces: not adopted")
        elif d.adopt_id:
            return self._took(self._adopt(client, self._by_adopt_id(client, d), d), d), False
        existing = self._find(client, d)
        refusal = existing and ownership.create_refusal(name, changes.is_auto_named(d), str(existing["id"]), held)
        if refusal:
            raise DeploymentError(refusal)
        if existing and existing.get("status") in DELETING:
            progress(f"{name}: waiting for the previous deployment of this name to finish deleting")
            waiter.gone(str(existing["id"]), name)
            existing = None
        if existing:
            return self._took(self._claim(client, existing, d), d), False

        def create() -> tuple[JSON, bool]:
            created = client.create_deployment(changes.create_body(d))
            progress(f"{name}: created deployment {created['id']}")
            return created, True

        def landed() -> tuple[JSON, bool] | None:  # did the POST land although its answer was lost?
            found = self._find(client, d)
            return (self._claim(client, found, d), False) if found else None

        def name_taken(error: APIError) -> None:
            if conflict(error):
                raise DeploymentError(
                    f"{name}: the name is taken ({error.detail}). A deleted deployment's tracing project "
                    "keeps its name unless it was deleted with delete_tracing_project=True; choose another name"
                ) from None

        return at_most_once(create, landed, retry_if=lambda e: outcome_unknown(e) or conflict(e), give_up=name_taken)

    @staticmethod
    def _as_taken(d: DeploymentInputs, deployment: JSON) -> DeploymentInputs:
        """`d` under the name of the deployment this create took: one adopted by `adopt_id` with no
        `name`, or an earlier attempt's under another autoname, keeps its own name, so every later line
        (the rollout, its logs, the health check) names it, never an autoname the create does not use."""
        taken = deployment.get("name")
        return d.model_copy(update={"name": str(taken)}) if taken and taken != d.name else d

    @staticmethod
    def _took(deployment: JSON, d: DeploymentInputs) -> JSON:
        """An existing deployment this create returns as the resource's (resumed or adopted)."""
        ownership.REGISTRY.took(str(deployment["id"]))
        return deployment

    @staticmethod
    def _find(client: ControlPlaneClient, d: DeploymentInputs) -> JSON | None:
        """This resource's deployment from an earlier attempt (found by its ownership tag, whatever its
        autoname), else a deployment holding the exact name."""
        tag = changes.ownership_tag(d)
        if d.name_prefix and tag:
            for item in client.iter_deployments(name_contains=changes.slug(d.name_prefix)):
                if changes.ownership_tag_on(item) == tag and item.get("status") not in DELETING:
                    return item
        return client.find_deployment(d.name)

    @staticmethod
    def _ours(deployment: JSON, d: DeploymentInputs) -> bool:
        return ownership.ours(d, changes.ownership_tag_on(deployment))

    @staticmethod
    def _claim(client: ControlPlaneClient, found: JSON, d: DeploymentInputs) -> JSON:
        deployment = client.get_deployment(str(found["id"]))
        if DeploymentProvider._ours(deployment, d):
            taken = deployment.get("name") or d.name
            progress(f"{taken}: resuming deployment {deployment['id']} created by an earlier run")
            return deployment
        if d.adopt:
            return DeploymentProvider._adopt(client, deployment, d)
        raise DeploymentError(
            f"{d.name}: a deployment with this name already exists ({deployment['id']}) and was not created "
            "by this stack. Set adopt=True to manage it from this stack, or choose another name."
        )

    @staticmethod
    def _by_adopt_id(client: ControlPlaneClient, d: DeploymentInputs) -> JSON:
        """The deployment `adopt_id` names; refused when it is gone or being deleted."""
        dep_id = str(d.adopt_id)
        label = d.name_prefix or d.name  # an autoname is never used by an adopting create: the resource's name
        try:
            deployment = client.get_deployment(dep_id)
        except APIError as exc:
            if not_found(exc):
                raise DeploymentError(
                    f"{label}: adopt_id: no deployment {dep_id} in this workspace ({client.base_url})"
                ) from None
            raise
        if deployment.get("status") in DELETING:
            raise DeploymentError(f"{label}: adopt_id: deployment {dep_id} is being deleted")
        if is_preview(deployment):
            raise DeploymentError(f"{label}: adopt_id: {PREVIEW_REFUSED.format(id=dep_id)}")
        return deployment

    @staticmethod
    def _adopt(client: ControlPlaneClient, deployment: JSON, d: DeploymentInputs) -> JSON:
        """Take over a deployment this stack did not create (`adopt=True` by name, `adopt_id` by UUID),
        refused when a field that cannot change in place differs."""
        name, taken = d.name, deployment.get("name") or d.name
        if DeploymentProvider._ours(deployment, d):
            progress(f"{taken}: resuming deployment {deployment['id']} created by an earlier run")
            return deployment
        clashes = changes.fixed_field_clashes(d, deployment)
        if d.adopt_id and not changes.is_auto_named(d) and deployment.get("name") != name:
            clashes.insert(0, ("name", deployment.get("name"), name))
        if clashes:
            raise DeploymentError(
                f"{name}: cannot adopt deployment {deployment['id']}: "
                + "; ".join(f"{p} is {theirs!r} there, {ours!r} here" for p, theirs, ours in clashes)
                + ". These fields cannot be changed in place: declare the deployment's values"
                + (", or leave `name` unset to take the deployment's." if d.adopt_id else ", or choose another name.")
            )
        progress(f"{taken}: adopting existing deployment {deployment['id']}")
        return deployment

    def _converge(
        self,
        client: ControlPlaneClient,
        deployment: JSON,
        d: DeploymentInputs,
        fresh: bool,
        archive: SourceArchive | None,
    ) -> str | None:
        """Make an existing deployment match `d`; returns the revision to wait for."""
        dep_id = str(deployment["id"])
        plain = tuple(
            p
            for p in self._patchable(client, dep_id, changes.PATCH_PATHS, d)
            if value_at(d, p) is not None and changes.server_value(deployment, fields.BY_PATH[p]) != value_at(d, p)
        )
        latest = deployment.get("latest_revision_id")
        if fresh and archive is None:
            self._patch_plain(client, dep_id, plain, d)  # the create made the revision: none to ride in
            if latest:
                return str(latest)

            # The POST's answer named no revision (it may have been written before the revision was):
            # the create's own first one is found by reading, never skipped, so success means DEPLOYED.
            def first() -> str | None:
                newest = client.list_revisions(dep_id, limit=1)
                return changes.revision_after_patch(
                    None,
                    client.get_deployment(dep_id).get("latest_revision_id"),
                    newest[0].get("id") if newest else None,
                )

            return self._visible(first, d, dep_id, "create")
        # A source_dir deployment has no revision until its archive is uploaded and PATCHed.
        resumed = self._rolling_out(client, dep_id, d, deployment)
        if resumed:  # the server holds the revision's fields: the plain ones alone are accepted now
            self._patch_plain(client, dep_id, plain, d)
            return resumed
        return self._new_revision(client, dep_id, d, deployment, archive, plain)

    @staticmethod
    def _patch_plain(client: ControlPlaneClient, dep_id: str, paths: tuple[str, ...], d: DeploymentInputs) -> None:
        """A PATCH of no-revision fields only, sent when no revision PATCH goes out to carry them
        (`changes.patch_alone`)."""
        if paths:
            client.patch_deployment(dep_id, changes.patch_body(paths, d))
            progress(f"{d.name}: updated {', '.join(paths)} (no new revision)")

    @staticmethod
    def _patchable(
        client: ControlPlaneClient, dep_id: str, paths: tuple[str, ...], d: DeploymentInputs
    ) -> tuple[str, ...]:
        """The PATCH fields this server understands; says once why a declared one is not sent."""
        kept = changes.without_newer_api(paths, client.shape(dep_id))
        dropped = [p for p in paths if p not in kept and value_at(d, p) is not None]
        if dropped and client.note_once(f"{dep_id}:{','.join(dropped)}"):
            progress(
                f"{d.name}: this control plane follows the official API spec, which has no "
                f"{', '.join(dropped)}; it is kept in state only and not sent"
            )
        return kept

    @staticmethod
    def _rolling_out(
        client: ControlPlaneClient,
        dep_id: str,
        d: DeploymentInputs,
        deployment: JSON,
        gone: changes.Removed = changes.NOTHING_REMOVED,
    ) -> str | None:
        """The latest revision, if it already carries `d` (and none of what `gone` removes) and can
        still reach DEPLOYED (one an interrupted run started): wait for it rather than roll out
        another. A latest revision that 404s (pruned) counts as unknown: the active one is DEPLOYED,
        any other is rolled again."""
        latest = deployment.get("latest_revision_id")
        if latest and changes.revision_matches(d, deployment, gone):
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
    def _say_if_masked(client: ControlPlaneClient, d: DeploymentInputs, deployment: JSON) -> None:
        """Say once what cannot be known when the server masks or leaves out env values."""
        if changes.server_secrets(deployment) is not None or not client.note_once(f"masked:{deployment.get('id')}"):
            return
        if changes.declared_env(d) is not None:
            managed = " and ".join(f"`{k}`" for k, v in (("env", d.env), ("secrets", d.secrets)) if v is not None)
            what = f"drift of {managed} cannot be detected (the declared values are assumed to hold)"
        else:
            what = "the environment is left as it is; the ownership tag cannot be added to it"
        progress(f"{d.name}: this control plane does not return env values: {what}")

    @staticmethod
    def _new_revision(
        client: ControlPlaneClient,
        dep_id: str,
        d: DeploymentInputs,
        current: JSON,
        archive: SourceArchive | None = None,
        plain: tuple[str, ...] = (),
        gone: changes.Removed = changes.NOTHING_REMOVED,
    ) -> str:
        """Roll out a revision with the documented PATCH, at most once: after a lost answer, a new
        latest revision is ours. The revision to wait for is the deployment's new latest one, never
        the one before the PATCH. A `source_dir` deployment uploads its archive first; the PATCH goes
        out only after a 2xx PUT. The changed no-revision fields (`plain`) ride in the same PATCH
        (`changes.revision_patch`); what the program removed (`gone`) is cleared in it."""
        before = current.get("latest_revision_id")
        uploaded = None
        if archive is not None:
            uploaded = changes.Uploaded(upload(client, dep_id, d.name, archive), archive.config_path)
        body = changes.revision_patch(changes.revision_body(d, current, uploaded, gone), plain, d)
        DeploymentProvider._say_if_masked(client, d, current)

        def seen() -> str | None:
            moved = changes.revision_after_patch(before, client.get_deployment(dep_id).get("latest_revision_id"))
            if moved:
                return moved
            newest = client.list_revisions(dep_id, limit=1)
            return changes.revision_after_patch(before, newest[0].get("id") if newest else None)

        def send() -> str:
            answer = client.patch_deployment(dep_id, body, rolls_out=True)
            found = changes.revision_after_patch(before, answer.get("latest_revision_id"))
            return found or DeploymentProvider._visible(seen, d, dep_id)

        return at_most_once(send, seen)

    @staticmethod
    def _visible(seen: Callable[[], str | None], d: DeploymentInputs, dep_id: str, what: str = "revision PATCH") -> str:
        """The new revision of a PATCH (or create) whose answer did not name it: read until it shows
        (the answer may have been written before it was), within the wait's polling, else an error."""
        limit = min(REVISION_VISIBLE_SECONDS, d.wait.polling().timeout)
        deadline = time.monotonic() + limit
        while True:
            found = seen()
            if found:
                return found
            if time.monotonic() >= deadline:
                raise DeploymentError(
                    f"{d.name}: the control plane accepted the {what} of deployment {dep_id} but shows "
                    f"no new revision after {limit:g}s; nothing is reported as rolled out. "
                    "Run `pulumi refresh` and `pulumi up` again"
                )
            engine_watch.sleep(d.wait.poll_min_seconds)

    # update ------------------------------------------------------------------------------------

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        old, new = _load(_olds), _load(_news)
        ownership.REGISTRY.in_state(old.inputs.owner, _id)
        d = new.inputs
        change = changes.change_set(old, new)
        if not (change.patch or change.revision):
            # Only provider-side settings changed: nothing to send.
            return UpdateResult({**_inputs(d), **old.outputs.model_dump()})
        archive = _archive(d) if change.revision else None
        client = self.client()
        plain = self._patchable(client, _id, change.patch, d) if change.patch else ()
        self._patch_plain(client, _id, changes.patch_alone(plain, bool(change.revision)), d)
        # No rollout (an in-place PATCH): `health` and `revision_status` stay what the last one found.
        revision: JSON | None = {"id": old.outputs.latest_revision_id, "status": old.outputs.revision_status}
        health = old.outputs.health
        if change.revision:
            current = client.get_deployment(_id)
            # The latest revision already carrying every revision field of `d` (`revision_matches`, from
            # the field table) is an earlier run's, interrupted after its PATCH (Ctrl-C, a kill, a failed
            # health check): it is awaited, never rolled out twice.
            resumed = self._rolling_out(client, _id, d, current, change.removed)
            if resumed:  # the server holds the revision's fields: the plain ones alone are accepted now
                self._patch_plain(client, _id, plain, d)
            revision_id = resumed or self._new_revision(client, _id, d, current, archive, plain, change.removed)
            why = "the rollout an earlier run started" if resumed else ", ".join((*change.revision, *plain))
            progress(f"{d.name}: revision {revision_id[:8]} for {why}")
            if d.wait.enabled:
                deadline = _deadline(d)
                revision = _waiter(client, d, _id).revision(_id, d.name, revision_id)
                deployment = client.get_deployment(_id)
                health = self._health(d, deployment, deadline)
                return UpdateResult(self._outputs(d, deployment, revision, self._dashboard(), health))
            # Waiting is off: nothing was checked, and the status is the new revision's as first read.
            revision, health = self._seen(client, _id, revision_id), HEALTH_NOT_CHECKED
        return UpdateResult(self._outputs(d, client.get_deployment(_id), revision, self._dashboard(), health))

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
        revision = self._revision_of(client, deployment)
        if external:
            outs = self._server_outputs(deployment, revision, self._dashboard(), None)
            outs.update({k: deployment.get(k) for k in ("name", "source", "source_config", "source_revision_config")})
        else:
            stored = _load(props)
            ownership.REGISTRY.in_state(stored.inputs.owner, id_)
            self._say_if_masked(client, stored.inputs, deployment)
            # Refresh does not call the agent: `health` stays what the last rollout found.
            outs = self._refreshed(stored.inputs, deployment, revision, self._dashboard(), stored.outputs.health)
        # Inputs mirrored too (ReadResult.inputs, pulumi #13839): the preview after a refresh then
        # shows which declared value `up` puts back, not a bare "update".
        return ReadResult(id_, outs, {k: outs[k] for k in changes.INPUT_KEYS if outs.get(k) is not None})

    def imported(self, id_: str) -> ReadResult:
        """`pulumi import` (a provider plugin): the deployment with inputs that declare what the server
        holds (`changes.declared_from_server`), so the program written from them previews no change.

        An internal_source deployment's code is known by the hash its last revision carried (env
        `SOURCE_HASH_ENV`); its directory is not known here, so `source_dir` is the one input the
        program adds, and a directory whose files hash to it previews no change. A deployment the
        vendor's `langgraph deploy` made carries no hash: the first `up` rolls the program's code out
        once, since nothing proves the server runs the same files."""
        client = self.client()
        try:
            deployment = client.get_deployment(id_)
        except APIError as exc:
            if not_found(exc):
                raise DeploymentError(f"import: no deployment {id_} in this workspace ({client.base_url})") from None
            raise
        if deployment.get("status") in DELETING:
            raise DeploymentError(f"import: deployment {id_} is being deleted")
        if is_preview(deployment):
            raise DeploymentError(f"import: {PREVIEW_REFUSED.format(id=id_)}")
        raw = apply_defaults(changes.declared_from_server(deployment))
        config = raw.get("source_config")
        if isinstance(config, dict) and "resource_spec" in config:  # only what a program can declare
            spec = declared_resource_spec(config.pop("resource_spec"))
            if spec:
                config["resource_spec"] = spec
        code = changes.source_hash_on(deployment) if raw["source"] == fields.INTERNAL_SOURCE else None
        if code and SOURCE_HASH.fullmatch(code):  # anything else: not a hash this provider wrote
            raw["source_hash"] = code
        model, problems = validate(raw)
        # Only the program knows its directory (and a vendor-made deployment's code has no hash).
        program_side = ("source_dir", "source_hash")
        problems = [(p, r) for p, r in problems if not (p in program_side and raw.get(p) is None)]
        if problems:
            said = "; ".join(f"{p}: {r}" for p, r in problems)
            raise DeploymentError(f"import: deployment {id_} holds values this provider cannot manage ({said})")
        model = model or DeploymentInputs.model_validate(raw)
        outs = self._outputs(model, deployment, self._revision_of(client, deployment), self._dashboard())
        return ReadResult(id_, outs, _inputs(model))

    @staticmethod
    def _revision_of(client: ControlPlaneClient, deployment: JSON) -> JSON | None:
        """The latest revision when it is not the active one (its status is an output); None when
        it is active, or pruned while its deployment exists (status unknown, not an error)."""
        latest = deployment.get("latest_revision_id")
        if not latest or latest == deployment.get("active_revision_id"):
            return None
        try:
            return client.get_revision(str(deployment["id"]), str(latest))
        except APIError as exc:
            if not not_found(exc):
                raise
        return None

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()
        try:
            d: DeploymentInputs | None = _load(props).inputs
        except DeploymentError:
            d = None  # state this version cannot read is still deleted, with the default settings
        name = d.name if d is not None else id_
        if ownership.delete_skip(id_):
            progress(
                f"{name}: deployment {id_} is not deleted: the create that replaces it found it by its ownership "
                "tag and kept it (a provider cannot tell `pulumi up --replace` from resuming an interrupted "
                "create). For a new deployment, set the resource option deleteBeforeReplace",
                False,
            )
            return
        if d is not None and (
            refusal := ownership.delete_refusal(name, not changes.is_auto_named(d), d.delete_tracing_project, d.owner)
        ):
            raise DeploymentError(refusal)
        try:
            client.delete_deployment(id_, delete_tracing_project=bool(d and d.delete_tracing_project))
        except APIError as exc:
            if not_found(exc):
                return
            raise
        progress(f"{name}: deleting deployment {id_}")
        Waiter(client, (d.wait if d is not None else WaitOptions()).polling()).gone(id_, name)

    # outputs -----------------------------------------------------------------------------------

    def _health(self, d: DeploymentInputs, deployment: JSON, deadline: float) -> str:
        """`GET {url}/ok` until 200 (`core/health.py`), where the deployment has a URL and the check is on."""
        url = changes.server_value(deployment, fields.BY_PATH["source_config.custom_url"])
        if not url or not d.wait.health_check or self._settings is None:
            return HEALTH_NOT_CHECKED
        return HealthCheck(self._settings.api_key).wait(str(url), d.name, deadline, progress)

    @staticmethod
    def _seen(client: ControlPlaneClient, dep_id: str, revision_id: str | None) -> JSON | None:
        """A revision not waited for, read once right after it was made: `revision_status` says where
        it stood, never the previous rollout's status (None when there is none, or it 404s)."""
        if not revision_id:
            return None
        try:
            return client.get_revision(dep_id, revision_id)
        except APIError as exc:
            if not_found(exc):
                return None
            raise

    def _dashboard(self) -> str | None:
        return getattr(self._settings, "dashboard_url", None)  # None: not configured (a test double)

    @staticmethod
    def _server_outputs(
        deployment: JSON, revision: JSON | None, dashboard: str | None, health: str | None = None
    ) -> JSON:
        """The server-owned outputs; raw API bodies (which hold secret values) are never stored.
        `revision_status`: DEPLOYED once the latest revision is the active one, else the status of
        `revision` (the one last read) when it is still the latest, else unknown."""
        latest = deployment.get("latest_revision_id")
        revision_status = None
        if latest and latest == deployment.get("active_revision_id"):
            revision_status = "DEPLOYED"
        elif revision is not None and revision.get("id") == latest:
            revision_status = revision.get("status")
        return {
            "deployment_id": deployment.get("id"),
            # The server's URL only: None until the service assigns one, never made up.
            "url": changes.server_value(deployment, fields.BY_PATH["source_config.custom_url"]) or None,
            "latest_revision_id": latest,
            "active_revision_id": deployment.get("active_revision_id"),
            "revision_status": revision_status,
            "status": deployment.get("status"),
            "created_at": deployment.get("created_at"),
            "updated_at": deployment.get("updated_at"),
            "secrets_hash": None,
            "tenant_id": deployment.get("tenant_id"),
            "dashboard_url": deployment_dashboard_url(dashboard, deployment.get("tenant_id"), deployment.get("id"))
            if dashboard
            else None,
            "health": health,
        }

    @staticmethod
    def _outputs(
        d: DeploymentInputs,
        deployment: JSON,
        revision: JSON | None,
        dashboard: str | None = None,
        health: str | None = None,
    ) -> JSON:
        """All inputs plus the server-owned fields."""
        outs = _inputs(d)
        outs.update(DeploymentProvider._server_outputs(deployment, revision, dashboard, health))
        outs.update(name=deployment.get("name") or d.name, secrets_hash=DeploymentProvider._secrets_hash(d, deployment))
        return outs

    @staticmethod
    def _refreshed(
        d: DeploymentInputs, deployment: JSON, revision: JSON | None, dashboard: str | None, health: str | None
    ) -> JSON:
        """What refresh stores: the declared inputs with the server's values, and the outputs."""
        outs = DeploymentProvider._outputs(d, deployment, revision, dashboard, health)
        outs.update(DeploymentProvider._mirror(d, deployment))
        return outs

    @staticmethod
    def _secrets_hash(d: DeploymentInputs, deployment: JSON) -> str | None:
        """Hash of the server's values of the declared `secrets` (`changes.split_env`; a name the
        program does not declare is unmanaged). A server that masks the values cannot show drift: the
        declared values are assumed to hold, so nothing is written back over them."""
        if d.secrets is None:
            return None
        held = changes.server_secrets(deployment)
        return changes.secrets_hash(changes.split_env(held, d)[1] if held is not None else d.secrets)

    @staticmethod
    def _mirror(d: DeploymentInputs, deployment: JSON) -> JSON:
        """On refresh, each declared input replaced with the server's value, so drift shows in the
        diff and the next `up` puts it back, unless `ignoreChanges` names it: the engine then copies
        these old inputs into the new ones. Undeclared fields stay unmanaged. `env` and `secrets`
        hold the declared names only: an env var set outside the program is in neither, since its
        value may be a secret and `env` is plain text in state. `secrets` stays secret: the plugin
        marks it (`SECRET_OUTPUTS`), and the engine marks a dynamic provider's input secret as it was."""
        ins = _inputs(d)
        ins["name"] = deployment.get("name") or d.name
        held = changes.server_secrets(deployment)
        if held is not None:  # masked: the declared values are assumed
            env, secrets = changes.split_env(held, d)
            ins.update({k: v for k, v in (("env", env), ("secrets", secrets)) if v is not None})
        if d.source_hash is not None:
            ins["source_hash"] = changes.refreshed_source_hash(d.source_hash, deployment)
        for f in fields.FIELDS:
            if not f.drift or f.path == "name" or f.compare is Compare.HASH or f.api:
                continue  # the name, the secrets' hash and env are set above
            if f.parent is None:
                if f.path in ins and (f.path in deployment or not f.newer_api):  # newer API absent: keep
                    ins[f.path] = deployment.get(f.path)
                continue
            declared = ins.get(f.parent)
            if not isinstance(declared, Mapping) or f.key not in declared:
                continue
            actual = changes.server_value(deployment, f)
            if f.compare is Compare.DECLARED_KEYS:
                if not isinstance(declared[f.key], Mapping):
                    continue
                actual = {k: (actual or {}).get(k) for k in declared[f.key]}
            ins[f.parent] = {**declared, f.key: actual}
        return ins
