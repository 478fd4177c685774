"""Deployments and revisions: the business logic behind `/v2/deployments`.

Handlers hand over parsed request models; this layer applies the control plane's create/update/revision rules (each
behaviour and its source: emulator/README.md, evidence table),
stores the result and returns response models. Every read first advances the lifecycle of what
it reads, so an answer is exact to the millisecond, not to the ticker's period.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import lifecycle, validation
from .apishape import SPEC_DEPLOYMENT_TYPES, ApiShape
from .clock import ts
from .config import SECRET_MASK, LiveSettings, SecretMasking
from .errors import BadRequest, Conflict, InvalidInput, NotFound, deployment_not_found
from .models import (
    Deployment,
    DeploymentCreateRequest,
    DeploymentPatchRequest,
    DeploymentsList,
    FreeCount,
    LogEntry,
    LogsResponse,
    ReturnedSecret,
    Revision,
    RevisionCreateRequest,
    RevisionsList,
    Secret,
    SecretReference,
    SourceConfig,
    SourceConfigRequest,
    SourceRevisionConfig,
    SourceRevisionConfigRequest,
)
from .outcomes import OutcomeScripts
from .seeds import find_integration
from .sources import GITHUB_ONLY_FIELDS, SELF_HOSTED_ONLY_FIELDS, SOURCE_RULES
from .store import DeploymentFilter, DeploymentRecord, RevisionRecord, Store, Tx
from .uploads import Uploads

REVISION_INPUTS = ("repo_ref", "langgraph_config_path", "image_uri", "source_tarball_path")
IMMUTABLE_SOURCE_CONFIG = ("deployment_type", "integration_id", "listener_id")


def to_revision(rev: RevisionRecord) -> Revision:
    return Revision(
        id=rev.id,
        created_at=ts(rev.created_at),
        updated_at=ts(rev.updated_at),
        status=rev.status,  # type: ignore[arg-type]
        source=rev.source,  # type: ignore[arg-type]
        source_revision_config=_revision_config(rev),
    )


def _revision_config(rev: RevisionRecord | None) -> SourceRevisionConfig:
    if rev is None:
        return SourceRevisionConfig()
    return SourceRevisionConfig(
        repo_ref=rev.repo_ref,
        langgraph_config_path=rev.langgraph_config_path,
        image_uri=rev.image_uri,
        source_tarball_path=rev.source_tarball_path,
        repo_commit_sha=rev.repo_commit_sha,
    )


def returned_secrets(secrets: list[dict[str, str]], masking: SecretMasking) -> list[ReturnedSecret]:
    """Values as a server configured with `masking` shows them: plaintext, masked, or left out."""
    if masking == "mask":
        return [ReturnedSecret(name=s["name"], value=SECRET_MASK) for s in secrets]
    if masking == "absent":
        return [ReturnedSecret(name=s["name"]) for s in secrets]
    return [ReturnedSecret(**s) for s in secrets]


def to_deployment(
    dep: DeploymentRecord,
    latest: RevisionRecord | None,
    *,
    shape: ApiShape = "current",
    masking: SecretMasking = "off",
) -> Deployment:
    # The spec's Deployment has no display_name: under `--api spec` the key is left out entirely.
    # Nor `is_preview` (the docs' current Deployment page: true for the service's per-pull-request preview
    # deployments, which carry their parent's name).
    extra: dict[str, Any] = (
        {"display_name": dep.display_name, "is_preview": dep.is_preview} if shape == "current" else {}
    )
    return Deployment(
        name=dep.name,
        source=dep.source,  # type: ignore[arg-type]
        source_config=SourceConfig.model_validate(dep.source_config),
        source_revision_config=_revision_config(latest),
        secrets=returned_secrets(dep.secrets, masking),
        secret_references=(
            None if dep.secret_references is None else [SecretReference(**r) for r in dep.secret_references]
        ),
        id=dep.id,
        tenant_id=dep.tenant_id,
        created_at=ts(dep.created_at),
        updated_at=ts(dep.updated_at),
        status=dep.status,  # type: ignore[arg-type]
        latest_revision_id=dep.latest_revision_id,
        active_revision_id=dep.active_revision_id,
        image_version=dep.image_version,
        **extra,
    )


@dataclass(frozen=True)
class BulkDeleteResult:
    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class _Update:
    """The normalised content of a PATCH or POST-revisions body."""

    source_config: SourceConfigRequest
    revision_config: SourceRevisionConfigRequest
    secrets: list[Secret] | None
    secret_references: list[SecretReference] | None
    revision_source: str | None
    extras: dict[str, Any]
    display_name: str | None = None

    @classmethod
    def of(
        cls, req: DeploymentPatchRequest | RevisionCreateRequest, extras: dict[str, Any], display_name: str | None
    ) -> _Update:
        return cls(
            source_config=req.source_config or SourceConfigRequest(),
            revision_config=req.source_revision_config or SourceRevisionConfigRequest(),
            secrets=req.secrets,
            secret_references=req.secret_references,
            revision_source=req.revision_source,
            extras=extras,
            display_name=display_name,
        )


#: Where a simulated deployment answers (`routes/agents.py`); a real run (`--run-agents`) replaces it.
AGENT_PREFIX = "/_agents"


def simulated_agent_url(base_url: str, deployment_id: str) -> str:
    """The hosted service's `https://{name}-{hex}.us.langgraph.app` cannot be served from here; this
    URL can, so health checks and `curl {url}/ok` work against the local control plane too."""
    return f"{base_url.rstrip('/')}{AGENT_PREFIX}/{deployment_id}"


class Deployments:
    def __init__(
        self,
        store: Store,
        settings: LiveSettings,
        outcomes: OutcomeScripts,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._settings = settings
        self._outcomes = outcomes
        self._clock = clock

    # --- lifecycle plumbing ------------------------------------------------------------------

    def tick(self) -> None:
        with self._store.tx() as tx:
            lifecycle.advance_all(tx, self._clock(), self._settings.current)

    def _sync(self, deployment_id: str | None = None, *, everything: bool = False) -> None:
        """Bring lifecycle state up to date, in its own transaction so a later 4xx cannot undo it.

        Finished deletes are always swept (a name or an ID must be free the moment it is due);
        then either one deployment or all of them are advanced to now.
        """
        now = self._clock()
        with self._store.tx() as tx:
            if everything:
                lifecycle.advance_all(tx, now, self._settings.current)
                return
            lifecycle.remove_expired_deployments(tx, now)
            dep = tx.get_deployment_by_id(deployment_id) if deployment_id else None
            if dep is not None:
                lifecycle.advance_deployment(tx, dep, now, self._settings.current)

    @staticmethod
    def _load(tx: Tx, tenant_id: str, deployment_id: str) -> DeploymentRecord:
        dep = tx.get_deployment(tenant_id, deployment_id)
        if dep is None:
            raise deployment_not_found(deployment_id)
        return dep

    def _latest(self, tx: Tx, dep: DeploymentRecord) -> RevisionRecord | None:
        if dep.latest_revision_id is None:
            return None
        return tx.get_revision(dep.id, dep.latest_revision_id)

    @property
    def _shape(self) -> ApiShape:
        return self._settings.current.api

    def _view(self, tx: Tx, dep: DeploymentRecord) -> Deployment:
        current = self._settings.current
        return to_deployment(dep, self._latest(tx, dep), shape=current.api, masking=current.mask_secrets)

    # --- reads -------------------------------------------------------------------------------

    def get(self, tenant_id: str, deployment_id: str) -> Deployment:
        self._sync(deployment_id)
        with self._store.tx() as tx:
            return self._view(tx, self._load(tx, tenant_id, deployment_id))

    def simulated_agent(self, deployment_id: str) -> DeploymentRecord | None:
        """The deployment a simulated agent URL belongs to (any workspace: the URL is the credential,
        as a hosted deployment's hostname is public), with its lifecycle brought up to date."""
        self._sync(deployment_id)
        with self._store.tx() as tx:
            dep = tx.get_deployment_by_id(deployment_id)
        return None if dep is None or dep.delete_at is not None else dep

    def list_deployments(self, tenant_id: str, flt: DeploymentFilter, limit: int, offset: int) -> DeploymentsList:
        self._sync(everything=True)
        with self._store.tx() as tx:
            records = tx.list_deployments(tenant_id, flt, limit, offset)
            resources = [self._view(tx, dep) for dep in records]
        return DeploymentsList(resources=resources, offset=offset + len(resources))

    def free_count(self, tenant_id: str) -> FreeCount:
        self._sync()
        with self._store.tx() as tx:
            return FreeCount(count=tx.count_deployments(tenant_id, "dev_free"))

    def list_revisions(
        self, tenant_id: str, deployment_id: str, statuses: Sequence[str] | None, limit: int, offset: int
    ) -> RevisionsList:
        self._sync(deployment_id)
        with self._store.tx() as tx:
            dep = self._load(tx, tenant_id, deployment_id)
            records = tx.list_revisions(dep.id, statuses, limit, offset)
        resources = [to_revision(rev) for rev in records]
        return RevisionsList(resources=resources, offset=offset + len(resources))

    def _load_revision(self, tx: Tx, tenant_id: str, deployment_id: str, revision_id: str) -> RevisionRecord:
        dep = self._load(tx, tenant_id, deployment_id)
        rev = tx.get_revision(dep.id, revision_id)
        if rev is None:
            raise NotFound(f"Revision ID {revision_id} not found.")
        return rev

    def get_revision(self, tenant_id: str, deployment_id: str, revision_id: str) -> Revision:
        self._sync(deployment_id)
        with self._store.tx() as tx:
            return to_revision(self._load_revision(tx, tenant_id, deployment_id, revision_id))

    def revision_logs(
        self,
        tenant_id: str,
        deployment_id: str,
        revision_id: str,
        *,
        log_type: str,
        level: str | None,
        descending: bool,
        limit: int,
        offset: int,
    ) -> LogsResponse:
        self._sync(deployment_id)
        with self._store.tx() as tx:
            rev = self._load_revision(tx, tenant_id, deployment_id, revision_id)
            # One extra row tells whether another page exists.
            rows = tx.list_logs(rev.id, log_type, level, descending, limit + 1, offset)
        page = rows[:limit]
        logs = [
            LogEntry(id=str(row.id), timestamp=int(row.ts * 1000), level=row.level, message=row.message) for row in page
        ]
        next_offset = str(offset + len(page)) if len(rows) > limit else None
        return LogsResponse(logs=logs, next_offset=next_offset)

    # --- create ------------------------------------------------------------------------------

    def _check_spec_deployment_type(self, deployment_type: str | None) -> None:
        """Under `--api spec` the enum is the spec's (dev_free|dev|prod); FastAPI answers 422."""
        if self._shape == "spec" and deployment_type is not None and deployment_type not in SPEC_DEPLOYMENT_TYPES:
            allowed = ", ".join(f"'{t}'" for t in sorted(SPEC_DEPLOYMENT_TYPES))
            raise InvalidInput(
                [
                    {
                        "type": "literal_error",
                        "loc": ["body", "source_config", "deployment_type"],
                        "msg": f"Input should be {allowed}",
                        "input": deployment_type,
                    }
                ]
            )

    def create(self, tenant_id: str, req: DeploymentCreateRequest, agent_base: str | None = None) -> Deployment:
        """`agent_base` is the emulator's own address: a `github` deployment's URL is served there
        (`routes/agents.py`), so `GET {url}/ok` answers once a revision is DEPLOYED."""
        extras = req.model_extra or {}
        self._check_spec_deployment_type(req.source_config.deployment_type)
        # An older (spec) server does not know display_name: an unknown key it ignores.
        # Guess (current API): a 400. No source shows the service refusing it: the spec's
        # DeploymentCreateRequest has no display_name (and no `additionalProperties: false`), so a FastAPI
        # server most likely drops the key silently; the Terraform provider's offline fake answers 400
        # only as an assertion on its own client (`reject` calls `t.Errorf`; its `create()` sends the
        # name with a follow-up PATCH). Kept as the safer strictness: a client that would lose the
        # name on the real service fails here instead.
        if "display_name" in extras and self._shape == "current":
            raise BadRequest(
                "display_name cannot be set when creating a deployment; set it with"
                " PATCH /v2/deployments/{deployment_id} after the deployment is created."
            )
        validation.validate_name(req.name)
        source = req.source
        sc = req.source_config
        src = req.source_revision_config
        validation.validate_secrets(req.secrets, source)
        source_config = self._initial_source_config(req.name, source, sc, src, req.secret_references)
        self._sync()
        now = self._clock()
        with self._store.tx() as tx:
            if source == "external_docker" and sc.listener_id is not None:
                self._check_listener(tx, tenant_id, str(sc.listener_id), sc.listener_config)
            self._check_name_free(tx, tenant_id, req.name)
            dep_id = str(uuid.uuid4())
            if source == "github" and agent_base:
                source_config = {**source_config, "custom_url": simulated_agent_url(agent_base, dep_id)}
            tx.insert_deployment(
                {
                    "id": dep_id,
                    "tenant_id": tenant_id,
                    "name": req.name,
                    "display_name": None,
                    "source": source,
                    "status": "AWAITING_DATABASE",
                    "source_config": source_config,
                    "secrets": [s.model_dump() for s in req.secrets],
                    "secret_references": (
                        None if req.secret_references is None else [r.model_dump() for r in req.secret_references]
                    ),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            tx.add_tracing_project(tenant_id, req.name, now)
            dep = tx.get_deployment(tenant_id, dep_id)
            assert dep is not None
            # internal_docker/internal_source deployments get their first revision from the
            # first push/upload PATCH (Terraform provider's cloud fake; the vendor CLI creates them with an
            # empty source_revision_config), unless the create already names an artifact.
            if SOURCE_RULES[source].revision_on_create or src.image_uri or src.source_tarball_path:
                if src.source_tarball_path:  # a new deployment has no uploads yet: always a 400
                    Uploads.check_for_revision(tx, dep_id, src.source_tarball_path)
                inputs = {name: getattr(src, name) for name in REVISION_INPUTS}
                self._new_revision(tx, dep, source, inputs, now)
            return self._view(tx, self._load(tx, tenant_id, dep_id))

    def make_preview(self, deployment_id: str) -> Deployment:
        """A preview deployment of `deployment_id`, as the service's preview builds make one per pull request
        (test control): the parent's name, source, config and secrets at creation (control-plane-api.md,
        S6 preview-builds: "inherit the parent's secrets at creation"), `is_preview` true, READY, with no
        revisions of its own here. Listed with the others by `GET /v2/deployments`."""
        self._sync()
        now = self._clock()
        with self._store.tx() as tx:
            parent = tx.get_deployment_by_id(deployment_id)
            if parent is None:
                raise deployment_not_found(deployment_id)
            dep_id = str(uuid.uuid4())
            tx.insert_deployment(
                {
                    "id": dep_id,
                    "tenant_id": parent.tenant_id,
                    "name": parent.name,
                    "display_name": None,
                    "source": parent.source,
                    "status": "READY",
                    "source_config": parent.source_config,
                    "secrets": parent.secrets,
                    "secret_references": parent.secret_references,
                    "created_at": now,
                    "updated_at": now,
                    "is_preview": True,
                }
            )
            return self._view(tx, self._load(tx, parent.tenant_id, dep_id))

    def _initial_source_config(
        self,
        name: str,
        source: str,
        sc: SourceConfigRequest,
        src: SourceRevisionConfigRequest,
        secret_references: list[SecretReference] | None,
    ) -> dict[str, Any]:
        validation.check_revision_fields(source, src.model_dump(include=set(REVISION_INPUTS)))
        rules = SOURCE_RULES[source]
        github = source == "github"
        given = {
            "source_config.integration_id": sc.integration_id,
            "source_config.repo_url": sc.repo_url,
            "source_revision_config.repo_ref": src.repo_ref,
            "source_revision_config.langgraph_config_path": src.langgraph_config_path,
            "source_revision_config.image_uri": src.image_uri,
        }
        if github:  # github reports what it lacks first; the other sources after the fields they forbid
            validation.check_required(source, {label: given[label] for label in rules.required}, rules)
            if find_integration(str(sc.integration_id)) is None:
                raise BadRequest(f"GitHub integration ID {sc.integration_id} not found.")
            if sc.custom_url is not None:
                raise BadRequest(
                    "source_config.custom_url can only be set for 'external_docker' source deployments;"
                    " it is set automatically for 'github' source deployments."
                )
            validation.validate_tag_build_on_push(src.repo_ref, sc.build_on_push)
        else:
            for label in GITHUB_ONLY_FIELDS:
                if getattr(sc, label) is not None:
                    raise BadRequest(f"source_config.{label} is only applicable for 'github' source.")
        if not rules.self_hosted:
            for label in SELF_HOSTED_ONLY_FIELDS:
                if getattr(sc, label) is not None:
                    raise BadRequest(f"source_config.{label} is only applicable for 'external_docker' source.")
            if secret_references:
                raise BadRequest("secret_references is only applicable for 'external_docker' source.")
        if not github:
            validation.check_required(source, {label: given[label] for label in rules.required}, rules)
        validation.check_create_required(source, sc.deployment_type, sc.build_on_push, sc.resource_spec is not None)
        deployment_type = sc.deployment_type or validation.SELF_HOSTED_DEPLOYMENT_TYPE
        return {
            "integration_id": None if sc.integration_id is None else str(sc.integration_id),
            "repo_url": sc.repo_url,
            "deployment_type": deployment_type,
            "build_on_push": bool(sc.build_on_push),
            # The Agent Server URL is assigned by the platform for Cloud (github) deployments.
            "custom_url": f"https://{name}-{uuid.uuid4().hex}.us.langgraph.app" if github else sc.custom_url,
            "resource_spec": validation.materialise_resource_spec(sc.resource_spec, source),
            "listener_id": None if sc.listener_id is None else str(sc.listener_id),
            "listener_config": None if sc.listener_config is None else sc.listener_config.model_dump(),
            "install_command": sc.install_command,
            "build_command": sc.build_command,
        }

    def _check_listener(self, tx: Tx, tenant_id: str, listener_id: str, config: Any) -> None:
        listener = tx.get_listener(tenant_id, listener_id)
        if listener is None:
            raise BadRequest(f"Listener ID {listener_id} not found.")
        namespace = getattr(config, "k8s_namespace", None)
        namespaces = listener.compute_config.get("k8s_namespaces") or []
        if namespace is not None and namespaces and namespace not in namespaces:
            raise BadRequest(
                f"Kubernetes namespace '{namespace}' is not configured for listener ID {listener_id}"
                f" (configured: {', '.join(namespaces)})."
            )

    def _check_name_free(self, tx: Tx, tenant_id: str, name: str) -> None:
        if tx.deployment_name_exists(tenant_id, name):
            raise Conflict(f"A deployment named '{name}' already exists in this workspace.")
        if tx.tracing_project_exists(tenant_id, name):
            raise Conflict(
                f"A tracing project named '{name}' already exists in this workspace. Delete the deployment"
                " with delete_tracing_project=true, or choose another name."
            )

    def _new_revision(
        self, tx: Tx, dep: DeploymentRecord, source: str, inputs: dict[str, str | None], now: float
    ) -> RevisionRecord:
        rev_id = str(uuid.uuid4())
        script = self._outcomes.claim(dep.name, inputs.get("repo_ref"), inputs.get("image_uri"))
        sha = None
        if source == "github":
            sha = lifecycle.commit_sha(dep.source_config.get("repo_url"), inputs.get("repo_ref"), rev_id)
        tx.insert_revision(
            {
                "id": rev_id,
                "deployment_id": dep.id,
                "source": source,
                "status": "CREATING",
                **inputs,
                "repo_commit_sha": sha,
                "outcome": None if script is None else str(script.outcome),
                "outcome_seconds": None if script is None else script.transient_seconds,
                "created_at": now,
                "updated_at": now,
                "phase_started_at": now,
                "next_at": now + lifecycle.BRIEF_SECONDS,
            }
        )
        tx.update_deployment(dep.id, latest_revision_id=rev_id, updated_at=now)
        lifecycle.prune_revisions(tx, dep, self._settings.current.keep_revisions)
        rev = tx.get_revision(dep.id, rev_id)
        assert rev is not None
        if script is not None and script.echo_env:
            lifecycle.echo_env(tx, dep, rev, script.outcome, now)
        return rev

    # --- update ------------------------------------------------------------------------------

    def patch(self, tenant_id: str, deployment_id: str, req: DeploymentPatchRequest) -> Deployment:
        # An older (spec) server has no display_name: the key is ignored, not stored, no error.
        update = _Update.of(req, req.model_extra or {}, req.display_name if self._shape == "current" else None)
        if req.source_config is not None:
            self._check_spec_deployment_type(req.source_config.deployment_type)
        if req.display_name == "" and self._shape == "current":
            raise InvalidInput(
                [
                    {
                        "type": "string_too_short",
                        "loc": ["body", "display_name"],
                        "msg": "String should have at least 1 character",
                        "input": "",
                        "ctx": {"min_length": 1},
                    }
                ]
            )
        self._sync(deployment_id)
        with self._store.tx() as tx:
            dep = self._load(tx, tenant_id, deployment_id)
            self._apply(tx, dep, update, force_revision=False)
            return self._view(tx, self._load(tx, tenant_id, deployment_id))

    def create_revision(self, tenant_id: str, deployment_id: str, req: RevisionCreateRequest) -> Revision:
        extras = req.model_extra or {}
        # Guess: a 400, for the reason given in `create` (the TF fake's `createRevision` asserts that
        # its client never sends it; the real service most likely ignores the unknown key).
        if "display_name" in extras:
            raise BadRequest(
                "display_name cannot be set when creating a revision; use PATCH /v2/deployments/{deployment_id}."
            )
        update = _Update.of(req, extras, None)
        self._sync(deployment_id)
        with self._store.tx() as tx:
            dep = self._load(tx, tenant_id, deployment_id)
            rev = self._apply(tx, dep, update, force_revision=True)
            assert rev is not None
            return to_revision(rev)

    def _apply(self, tx: Tx, dep: DeploymentRecord, up: _Update, *, force_revision: bool) -> RevisionRecord | None:
        """Shared PATCH / POST-revisions logic (spec `DeploymentPatchRequest`). Returns the new revision, if any."""
        if dep.delete_at is not None:
            raise BadRequest(f"Deployment ID {dep.id} is being deleted and cannot be updated.")
        self._check_immutable(dep, up)
        rev_source = self._revision_source(dep, up.revision_source)
        given = up.revision_config.model_dump(include=set(REVISION_INPUTS))
        validation.check_revision_fields(rev_source, given)
        # Inputs not sent are carried over from the latest revision (those that fit the source).
        latest = self._latest(tx, dep)
        allowed = SOURCE_RULES[rev_source].revision_fields
        merged: dict[str, str | None] = {
            name: (given[name] if given[name] is not None else getattr(latest, name, None)) if name in allowed else None
            for name in REVISION_INPUTS
        }
        new_config = self._updated_source_config(dep, up.source_config, merged["repo_ref"])

        changes: dict[str, Any] = {}
        wants_revision = force_revision or any(v is not None for v in given.values())
        if up.secrets:  # `[]` means "unchanged": the API cannot clear the environment
            validation.validate_secrets(up.secrets, dep.source)
            changes["secrets"] = [s.model_dump() for s in up.secrets]
            wants_revision = True
        if up.secret_references is not None:  # here `[]` does clear
            if up.secret_references and dep.source != "external_docker":
                raise BadRequest("secret_references is only applicable for 'external_docker' source.")
            changes["secret_references"] = [r.model_dump() for r in up.secret_references]
            wants_revision = True
        if up.source_config.resource_spec is not None:
            new_config["resource_spec"] = validation.materialise_resource_spec(
                up.source_config.resource_spec, dep.source
            )
            wants_revision = True
        if wants_revision:
            self._check_revision_inputs(rev_source, merged)
            if given["source_tarball_path"] is not None:
                Uploads.check_for_revision(tx, dep.id, given["source_tarball_path"])
        if up.display_name is not None:
            changes["display_name"] = up.display_name
        if new_config != dep.source_config:
            changes["source_config"] = new_config

        now = self._clock()
        if changes:
            tx.update_deployment(dep.id, updated_at=now, **changes)
        if not wants_revision:
            return None
        current = tx.get_deployment_by_id(dep.id)
        assert current is not None
        return self._new_revision(tx, current, rev_source, merged, now)

    @staticmethod
    def _check_immutable(dep: DeploymentRecord, up: _Update) -> None:
        """A *change* to an immutable field is a 400; repeating the stored value is fine."""
        for field_name in ("name", "source"):
            if field_name in up.extras and up.extras[field_name] != getattr(dep, field_name):
                raise BadRequest(f"{field_name} cannot be changed once the deployment is created.")
        sc = up.source_config
        stored = dep.source_config
        for field_name in IMMUTABLE_SOURCE_CONFIG:
            new = getattr(sc, field_name)
            if new is not None and str(new) != str(stored.get(field_name)):
                raise BadRequest(f"source_config.{field_name} cannot be changed once the deployment is created.")
        if sc.listener_config is not None and sc.listener_config.k8s_namespace is not None:
            old_namespace = (stored.get("listener_config") or {}).get("k8s_namespace")
            if sc.listener_config.k8s_namespace != old_namespace:
                raise BadRequest(
                    "source_config.listener_config.k8s_namespace cannot be changed once the deployment is created."
                )

    @staticmethod
    def _updated_source_config(dep: DeploymentRecord, sc: SourceConfigRequest, repo_ref: str | None) -> dict[str, Any]:
        """Apply the fields that change without a revision; tag + build_on_push is checked merged."""
        stored = dep.source_config
        new_config = dict(stored)
        github = dep.source == "github"
        if sc.build_on_push is not None:
            if sc.build_on_push and not github:
                raise BadRequest("source_config.build_on_push is only applicable for 'github' source.")
            new_config["build_on_push"] = sc.build_on_push
        if github:
            validation.validate_tag_build_on_push(repo_ref, new_config.get("build_on_push"))
        if sc.custom_url is not None and sc.custom_url != stored.get("custom_url"):
            if github:
                raise BadRequest("source_config.custom_url is read-only for 'github' source deployments.")
            new_config["custom_url"] = sc.custom_url
        if sc.repo_url is not None:
            if not github:
                raise BadRequest("source_config.repo_url is only applicable for 'github' source.")
            if sc.repo_url != stored.get("repo_url"):  # the spec: "cannot be changed (PATCH)"
                raise BadRequest("source_config.repo_url cannot be changed once the deployment is created.")
        for field_name in ("install_command", "build_command"):
            if getattr(sc, field_name) is not None:
                new_config[field_name] = getattr(sc, field_name)
        return new_config

    @staticmethod
    def _revision_source(dep: DeploymentRecord, override: str | None) -> str:
        if override is None or override == dep.source:
            return dep.source
        if dep.source == "external_docker":
            raise BadRequest(f"revision_source '{override}' is not supported for 'external_docker' deployments.")
        return override

    @staticmethod
    def _check_revision_inputs(source: str, merged: dict[str, str | None]) -> None:
        required = SOURCE_RULES[source].revision_fields
        missing = [f"source_revision_config.{name}" for name in required if not merged.get(name)]
        if missing:
            raise BadRequest(f"{', '.join(missing)} required to create a revision for '{source}' source.")

    def check_upload_target(self, tenant_id: str, deployment_id: str) -> None:
        """Upload URLs are for deployments that can take an `internal_source` revision."""
        self._sync(deployment_id)
        with self._store.tx() as tx:
            dep = self._load(tx, tenant_id, deployment_id)
        if dep.delete_at is not None:
            raise BadRequest(f"Deployment ID {dep.id} is being deleted and cannot be updated.")
        if dep.source == "external_docker":  # its revisions are images (`_revision_source`)
            raise BadRequest("Source uploads are not supported for 'external_docker' deployments.")

    # --- redeploy and delete -----------------------------------------------------------------

    def redeploy(self, tenant_id: str, deployment_id: str, revision_id: str) -> Deployment:
        self._sync(deployment_id)
        with self._store.tx() as tx:
            rev = self._load_revision(tx, tenant_id, deployment_id, revision_id)
            dep = self._load(tx, tenant_id, deployment_id)
            if dep.delete_at is not None:
                raise BadRequest(f"Deployment ID {dep.id} is being deleted and cannot be redeployed.")
            if rev.id != dep.latest_revision_id or rev.status != "DEPLOYED":
                raise BadRequest(
                    f"Revision ID {rev.id} cannot be redeployed: only the latest revision can be redeployed,"
                    f" and only in DEPLOYED status (it is {rev.status})."
                )
            now = self._clock()
            lifecycle.redeploy(tx, rev, now, self._settings.current)
            tx.update_deployment(dep.id, updated_at=now)
            return self._view(tx, self._load(tx, tenant_id, deployment_id))

    def delete(self, tenant_id: str, deployment_id: str, *, delete_tracing_project: bool, force: bool) -> None:
        force = force and self._shape == "current"  # `force` is newer than the spec: an older server ignores it
        self._sync(deployment_id)
        with self._store.tx() as tx:
            dep = self._load(tx, tenant_id, deployment_id)
            self._delete(tx, dep, delete_tracing_project=delete_tracing_project, force=force)

    def _delete(self, tx: Tx, dep: DeploymentRecord, *, delete_tracing_project: bool, force: bool) -> None:
        now = self._clock()
        if force:
            if dep.delete_at is None:
                raise BadRequest(
                    f"Deployment ID {dep.id} must be deleted (without force) before it can be force deleted."
                )
            tx.update_deployment(dep.id, delete_at=now, delete_tracing_project=dep.delete_tracing_project)
            lifecycle.remove_expired_deployments(tx, now)
            return
        if dep.delete_at is None:
            tx.update_deployment(
                dep.id,
                status="AWAITING_DELETE",
                delete_at=now + self._settings.current.delete_seconds,
                delete_tracing_project=delete_tracing_project,
                updated_at=now,
            )
        elif delete_tracing_project and not dep.delete_tracing_project:
            tx.update_deployment(dep.id, delete_tracing_project=True)

    def delete_many(self, tenant_id: str, deployment_ids: Sequence[str]) -> BulkDeleteResult:
        deleted: list[str] = []
        failed: list[dict[str, str]] = []
        self._sync(everything=True)
        with self._store.tx() as tx:
            for deployment_id in dict.fromkeys(deployment_ids):
                try:
                    dep = self._load(tx, tenant_id, deployment_id)
                    self._delete(tx, dep, delete_tracing_project=False, force=False)
                except (NotFound, BadRequest) as exc:
                    failed.append({"deployment_id": deployment_id, "detail": exc.detail})
                else:
                    deleted.append(deployment_id)
        body: dict[str, Any] = {"deleted_deployment_ids": deleted, "failed": failed}
        if not deleted:
            raise (deployment_not_found(failed[0]["deployment_id"]) if failed else BadRequest("No deployment IDs."))
        return BulkDeleteResult(status=207 if failed else 200, body=body)
