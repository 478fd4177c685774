"""The revision state machine, driven by wall-clock timestamps stored with each revision.

Every open revision carries `next_at`, the epoch time its current phase ends. `advance_*` replays
all transitions that are due, in time order, each stamped with the time it was due rather than
the time it was noticed. That makes progression independent of who calls it (the ticker thread,
or a GET that wants an exact answer) and lets a restarted emulator catch up on revisions that
were in flight when it stopped.

    CREATING -> QUEUED -> AWAITING_BUILD -> BUILDING -> AWAITING_DEPLOY -> DEPLOYING -> DEPLOYED
    (image sources skip AWAITING_BUILD and BUILDING)

That path and each phase's length are data (`PHASES`, and `builds` in `sources.SOURCE_RULES`); the
code below adds what a scripted outcome changes and the log lines of each step.

One revision per deployment is in flight at a time; a revision leaving QUEUED takes the slot only
when it is free, the newest queued revision wins and older queued ones become SKIPPED.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from .agents.mapping import mapped_dir
from .config import Settings
from .seeds import IMAGE_VERSION
from .sources import builds
from .store import IN_FLIGHT_STATUSES, TRANSIENT_STATUSES, DeploymentRecord, RevisionRecord, Tx
from .uploads import inspect_tarball

#: How long CREATING and (at least) QUEUED last. Short, but long enough to be observed.
BRIEF_SECONDS = 0.1
#: Share of build/deploy time spent in AWAITING_BUILD/AWAITING_DEPLOY; the rest is the active phase.
AWAITING_SHARE = 0.2
TERMINAL_STATUSES = frozenset(
    {"CREATE_FAILED", "BUILD_FAILED", "DEPLOY_FAILED", "DEPLOYED", "SKIPPED", "INTERRUPTED", "UNKNOWN"}
)
_MAX_STEPS = 10_000


class Outcome(StrEnum):
    """Scripted endings for a revision (see `POST /_emulator/outcomes`)."""

    BUILD_FAILED = "BUILD_FAILED"
    DEPLOY_FAILED = "DEPLOY_FAILED"
    CREATE_FAILED = "CREATE_FAILED"
    INTERRUPTED = "INTERRUPTED"
    STUCK = "STUCK"
    # Transient statuses (the Terraform provider keeps waiting through them, "transient states with
    # onward transitions"): shown after AWAITING_DEPLOY, then DEPLOYING and DEPLOYED as usual.
    INTERRUPTED_THEN_DEPLOYED = "INTERRUPTED_THEN_DEPLOYED"
    UNKNOWN_THEN_DEPLOYED = "UNKNOWN_THEN_DEPLOYED"


#: Transient outcome -> the status shown for a while.
TRANSIENT_OUTCOMES = {
    Outcome.INTERRUPTED_THEN_DEPLOYED: "INTERRUPTED",
    Outcome.UNKNOWN_THEN_DEPLOYED: "UNKNOWN",
}


@dataclass(frozen=True)
class Phase:
    """A status a revision passes through: what follows it on the happy path, and how long it lasts
    (`fraction` of the `build_seconds`/`deploy_seconds` setting named by `clock`; None: `BRIEF_SECONDS`)."""

    next: str
    clock: Literal["build", "deploy"] | None = None
    fraction: float = 1.0


PHASES: Mapping[str, Phase] = MappingProxyType(
    {
        "CREATING": Phase(next="QUEUED"),
        "QUEUED": Phase(next="AWAITING_BUILD"),  # "AWAITING_DEPLOY" for sources that do not build
        "AWAITING_BUILD": Phase(next="BUILDING", clock="build", fraction=AWAITING_SHARE),
        "BUILDING": Phase(next="AWAITING_DEPLOY", clock="build", fraction=1 - AWAITING_SHARE),
        "AWAITING_DEPLOY": Phase(next="DEPLOYING", clock="deploy", fraction=AWAITING_SHARE),
        "DEPLOYING": Phase(next="DEPLOYED", clock="deploy", fraction=1 - AWAITING_SHARE),
        # Scripted transients (TRANSIENT_OUTCOMES) resume the rollout; their length is scripted too.
        "INTERRUPTED": Phase(next="DEPLOYING"),
        "UNKNOWN": Phase(next="DEPLOYING"),
    }
)


#: Scripted failures: (the phase that ends, the revision's outcome) -> (log type, error line, final status).
FAILURES: Mapping[tuple[str, str], tuple[str, str, str]] = MappingProxyType(
    {
        ("CREATING", Outcome.CREATE_FAILED): (
            "build",
            "create failed: could not provision resources for the revision",
            "CREATE_FAILED",
        ),
        ("BUILDING", Outcome.INTERRUPTED): ("build", "revision interrupted during build", "INTERRUPTED"),
        ("BUILDING", Outcome.BUILD_FAILED): (
            "build",
            "build failed: dependency installation exited with code 1",
            "BUILD_FAILED",
        ),
        # Image sources have no build to interrupt: theirs is interrupted while deploying.
        ("DEPLOYING", Outcome.INTERRUPTED): ("deploy", "revision interrupted during deploy", "INTERRUPTED"),
        ("DEPLOYING", Outcome.DEPLOY_FAILED): (
            "deploy",
            "deploy failed: container exited with code 1 before becoming healthy",
            "DEPLOY_FAILED",
        ),
    }
)
#: The phase before an interruption ends after this share of its usual length.
INTERRUPTED_SHARE = 0.5


def phase_seconds(status: str, settings: Settings, share: float = 1.0) -> float:
    """How long `status` lasts; `share` < 1 cuts it short (an interrupted phase ends halfway)."""
    phase = PHASES[status]
    if phase.clock is None:
        return BRIEF_SECONDS
    seconds = settings.build_seconds if phase.clock == "build" else settings.deploy_seconds
    return seconds * phase.fraction * share


def after_queue(source: str) -> str:
    """The status a revision leaving QUEUED enters: image sources skip the build phases."""
    return PHASES["QUEUED"].next if builds(source) else PHASES["BUILDING"].next


def commit_sha(repo_url: str | None, repo_ref: str | None, revision_id: str) -> str:
    """A stable fake commit SHA: distinct per revision, like a branch that keeps moving."""
    return hashlib.sha1(f"{repo_url}@{repo_ref}#{revision_id}".encode()).hexdigest()


def _log(tx: Tx, rev: RevisionRecord, log_type: str, at: float, *lines: str, level: str = "INFO") -> None:
    for offset, line in enumerate(lines):
        # A microsecond apart so that ordering by timestamp matches insertion order.
        tx.add_log(rev.id, log_type, at + offset * 1e-6, level, line)


def echo_env(tx: Tx, dep: DeploymentRecord, rev: RevisionRecord, outcome: str, at: float) -> None:
    """The log of the phase `outcome` ends in starts with the deployment's environment, `NAME=value`
    per line, secret values too: what a build script that runs `env` prints (an outcome script's
    `echo_env`), so that a client's redaction is tested against the server's own logs."""
    kinds = [kind for (_, scripted), (kind, _, _) in FAILURES.items() if scripted == outcome]
    lines = [f"{s['name']}={s.get('value', '')}" for s in dep.secrets]
    if lines:
        _log(tx, rev, kinds[0] if kinds else "build", at, "$ env", *lines)


def _error(tx: Tx, rev: RevisionRecord, log_type: str, at: float, line: str) -> None:
    _log(tx, rev, log_type, at, f"ERROR: {line} (scripted by the emulator's outcome rules)", level="ERROR")


def _set(tx: Tx, rev: RevisionRecord, status: str, at: float, next_at: float | None) -> None:
    tx.update_revision(rev.id, status=status, updated_at=at, phase_started_at=at, next_at=next_at)


def _enter(tx: Tx, rev: RevisionRecord, status: str, at: float, s: Settings, share: float = 1.0) -> None:
    """Move to `status` for as long as `PHASES` says it lasts."""
    _set(tx, rev, status, at, at + phase_seconds(status, s, share))


def _terminate(tx: Tx, dep: DeploymentRecord, rev: RevisionRecord, status: str, at: float) -> None:
    """Close a revision and hand the deployment's slot to whoever is waiting in QUEUED."""
    _set(tx, rev, status, at, None)
    for other in tx.open_revisions(dep.id):
        if other.status == "QUEUED" and other.next_at is None:
            tx.update_revision(other.id, next_at=max(at, other.phase_started_at + BRIEF_SECONDS))


def _mark_deployed(tx: Tx, dep: DeploymentRecord, rev: RevisionRecord, at: float) -> None:
    _log(tx, rev, "deploy", at, "Health check passed", f"Revision {rev.id} is now serving traffic")
    _terminate(tx, dep, rev, "DEPLOYED", at)
    status = "READY" if dep.status == "AWAITING_DATABASE" else dep.status
    tx.update_deployment(dep.id, active_revision_id=rev.id, status=status, image_version=IMAGE_VERSION, updated_at=at)


def _start_build(tx: Tx, dep: DeploymentRecord, rev: RevisionRecord, at: float, s: Settings) -> None:
    _log(tx, rev, "build", at, f"Build for revision {rev.id} queued")
    _enter(tx, rev, "AWAITING_BUILD", at, s)


def _start_deploy(tx: Tx, dep: DeploymentRecord, rev: RevisionRecord, at: float, s: Settings) -> None:
    _log(tx, rev, "deploy", at, f"Deployment of revision {rev.id} queued")
    _enter(tx, rev, "AWAITING_DEPLOY", at, s)


def mapped_source(dep: DeploymentRecord, rev: RevisionRecord, s: Settings) -> str | None:
    """The local directory `--run-agents` builds in place of this revision's repository or image."""
    if not s.run_agents or rev.outcome is not None:  # a scripted outcome keeps the simulation
        return None
    repo_url = dep.source_config.get("repo_url")
    return mapped_dir(rev.source, repo_url, rev.image_uri, s.agent_repos, s.agent_images)


def _real_run(tx: Tx, rev: RevisionRecord, at: float) -> None:
    """Hand the revision to the agent runner (agentrun.py), which builds it and reports back."""
    tx.update_revision(rev.id, agent_run=1)
    _set(tx, rev, "BUILDING", at, None)


def _leave_queue(tx: Tx, dep: DeploymentRecord, rev: RevisionRecord, at: float, s: Settings) -> None:
    if after_queue(rev.source) == "AWAITING_BUILD":
        _start_build(tx, dep, rev, at, s)
        return
    local = mapped_source(dep, rev, s)
    if local is not None:  # an image mapped to a directory: built from it for real
        _log(tx, rev, "build", at, f"Image {rev.image_uri} is mapped to {local} (--agent-image): building it")
        _real_run(tx, rev, at)
        return
    _log(tx, rev, "build", at, f"Prebuilt image {rev.image_uri}: no build required")
    if rev.outcome == Outcome.BUILD_FAILED:
        _error(tx, rev, "build", at, f"build failed: image {rev.image_uri} could not be resolved")
        _terminate(tx, dep, rev, "BUILD_FAILED", at)
        return
    _start_deploy(tx, dep, rev, at, s)


def _dispatch_queue(tx: Tx, dep: DeploymentRecord, open_revs: list[RevisionRecord], at: float, s: Settings) -> None:
    ready = [r for r in open_revs if r.status == "QUEUED" and r.next_at is not None and r.next_at <= at]
    # Open revisions in a transient status still hold the slot (they move on to DEPLOYING).
    if any(r.status in IN_FLIGHT_STATUSES or r.status in TRANSIENT_STATUSES for r in open_revs):
        for rev in ready:  # park until the slot is released (see `_terminate`)
            tx.update_revision(rev.id, next_at=None)
        return
    chosen = max(ready, key=lambda r: r.seq)
    for rev in open_revs:
        if rev.status == "QUEUED" and rev.seq < chosen.seq:
            _log(tx, rev, "build", at, f"Revision skipped: superseded by newer revision {chosen.id}")
            _set(tx, rev, "SKIPPED", at, None)
    _leave_queue(tx, dep, chosen, at, s)


def _finish_phase(tx: Tx, dep: DeploymentRecord, rev: RevisionRecord, at: float, s: Settings) -> None:
    outcome = rev.outcome
    failure = FAILURES.get((rev.status, outcome)) if outcome else None
    if failure is not None:
        log_type, line, final = failure
        _error(tx, rev, log_type, at, line)
        _terminate(tx, dep, rev, final, at)
        return
    # An interrupted revision's last phase before the interruption ends halfway.
    share = INTERRUPTED_SHARE if outcome == Outcome.INTERRUPTED else 1.0
    if rev.status == "CREATING":
        _enter(tx, rev, PHASES["CREATING"].next, at, s)
    elif rev.status == "AWAITING_BUILD":
        if rev.source == "internal_source":
            fetch = [f"Extracting uploaded source tarball {rev.source_tarball_path}"]
            problem = inspect_tarball(
                tx.upload_data(rev.source_tarball_path) if rev.source_tarball_path else None,
                rev.langgraph_config_path,
            )
            if problem is not None:  # the archive is the build's input: a bad one fails the build
                _log(tx, rev, "build", at, *fetch)
                _log(tx, rev, "build", at + 1e-5, f"ERROR: build failed: {problem}", level="ERROR")
                _terminate(tx, dep, rev, "BUILD_FAILED", at)
                return
            if s.run_agents and outcome is None:  # the agent runner builds it for real (agentrun.py)
                _log(tx, rev, "build", at, *fetch, f"Building {rev.langgraph_config_path} for real (--run-agents)")
                _real_run(tx, rev, at)
                return
        else:
            local = mapped_source(dep, rev, s)
            if local is not None:  # a repository mapped to a local directory (--agent-repo)
                line = f"Repository {dep.source_config.get('repo_url')} at ref {rev.repo_ref} is mapped to {local}"
                _log(tx, rev, "build", at, f"{line} (--agent-repo): building it for real")
                _real_run(tx, rev, at)
                return
            fetch = [
                f"Cloning {dep.source_config.get('repo_url')} at ref {rev.repo_ref}",
                f"Checked out commit {rev.repo_commit_sha}",
            ]
        config_line = f"Reading LangGraph configuration from {rev.langgraph_config_path}"
        _log(tx, rev, "build", at, *fetch, config_line, "Building image: installing dependencies")
        _enter(tx, rev, PHASES["AWAITING_BUILD"].next, at, s, share)
    elif rev.status == "BUILDING":
        _log(tx, rev, "build", at, "Image built and pushed to the registry", "Build succeeded")
        _start_deploy(tx, dep, rev, at, s)
    elif rev.status == "AWAITING_DEPLOY":
        _log(tx, rev, "deploy", at, f"Rolling out {dep.name}", "Waiting for Agent Server pods to become ready")
        if rev.agent_run:  # the agent runner starts the server and reports back (agentrun.py)
            _set(tx, rev, "DEPLOYING", at, None)
            return
        if outcome == Outcome.STUCK:
            _set(tx, rev, "DEPLOYING", at, None)  # never finishes, and keeps holding the slot
            return
        transient = TRANSIENT_OUTCOMES.get(Outcome(outcome)) if outcome else None
        if transient is not None:
            seconds = rev.outcome_seconds if rev.outcome_seconds is not None else phase_seconds("DEPLOYING", s)
            line = f"WARNING: revision {rev.id} is {transient}; the platform keeps retrying (scripted by the emulator)"
            _log(tx, rev, "deploy", at, line, level="WARNING")
            _set(tx, rev, transient, at, at + seconds)
            return
        _enter(tx, rev, PHASES["AWAITING_DEPLOY"].next, at, s, share)
    elif rev.status in TRANSIENT_STATUSES:
        _log(tx, rev, "deploy", at, f"Revision {rev.id} recovered from {rev.status}; resuming the rollout")
        _enter(tx, rev, PHASES[rev.status].next, at, s)
    elif rev.status == "DEPLOYING":
        _mark_deployed(tx, dep, rev, at)


def advance_deployment(tx: Tx, dep: DeploymentRecord, now: float, settings: Settings) -> None:
    """Apply, in time order, every transition of `dep`'s revisions that is due by `now`."""
    if dep.delete_at is not None:
        return  # a deployment being deleted makes no more progress
    for _ in range(_MAX_STEPS):
        open_revs = tx.open_revisions(dep.id)
        due = [r for r in open_revs if r.next_at is not None and r.next_at <= now]
        if not due:
            prune_revisions(tx, dep, settings.keep_revisions)
            return
        rev = min(due, key=lambda r: (r.next_at or 0.0, r.seq))
        at = rev.next_at or now
        current = tx.get_deployment_by_id(dep.id) or dep
        if rev.status == "QUEUED":
            _dispatch_queue(tx, current, open_revs, at, settings)
        else:
            _finish_phase(tx, current, rev, at, settings)


def prune_revisions(tx: Tx, dep: DeploymentRecord, keep: int) -> None:
    """Keep at most `keep` revisions (0: all); the oldest finished ones go first, never the latest
    or the active one. The Terraform provider reads around revisions that "404 on their own --
    pruned"; how many the real service keeps is not documented."""
    if keep <= 0:
        return
    excess = tx.count_revisions(dep.id) - keep
    if excess <= 0:
        return
    current = tx.get_deployment_by_id(dep.id) or dep
    protected = [r for r in (current.latest_revision_id, current.active_revision_id) if r]
    for revision_id in tx.prunable_revisions(dep.id, protected)[:excess]:
        tx.remove_revision(revision_id)


def remove_expired_deployments(tx: Tx, now: float) -> None:
    """Finish asynchronous deletes whose grace period is over."""
    for dep in tx.deployments_due_for_removal(now):
        tx.remove_deployment(dep.id)
        if dep.delete_tracing_project:
            tx.remove_tracing_project(dep.tenant_id, dep.name)


def advance_all(tx: Tx, now: float, settings: Settings) -> None:
    remove_expired_deployments(tx, now)
    for deployment_id in tx.deployments_with_due_revisions(now):
        dep = tx.get_deployment_by_id(deployment_id)
        if dep is not None:
            advance_deployment(tx, dep, now, settings)


def redeploy(tx: Tx, rev: RevisionRecord, at: float, settings: Settings) -> None:
    """Roll the already-built revision out again, without rebuilding (v1 `deploy` semantics)."""
    _log(tx, rev, "deploy", at, f"Redeploying revision {rev.id} without rebuilding")
    tx.update_revision(
        rev.id,
        status="DEPLOYING",
        outcome=None,
        updated_at=at,
        phase_started_at=at,
        # A real-run revision is restarted by the agent runner, which reports when it is healthy.
        next_at=None if rev.agent_run else at + settings.deploy_seconds,
    )


# --- what the agent runner (agentrun.py) reports back for real-run revisions ---------------------


def real_build_done(
    tx: Tx, dep: DeploymentRecord, rev: RevisionRecord, at: float, s: Settings, error: str | None
) -> None:
    """A real build ended: BUILD_FAILED with the real error line, or on to the deploy phases."""
    if error is not None:
        _log(tx, rev, "build", at, f"ERROR: build failed: {error}", level="ERROR")
        _terminate(tx, dep, rev, "BUILD_FAILED", at)
        return
    _log(tx, rev, "build", at, "Build succeeded")
    _start_deploy(tx, dep, rev, at, s)


def real_deploy_done(
    tx: Tx, dep: DeploymentRecord, rev: RevisionRecord, at: float, error: str | None, url: str | None
) -> None:
    """The Agent Server answered `/ok` (DEPLOYED, its stable URL is the deployment's), or did not."""
    if error is not None or url is None:
        _log(tx, rev, "deploy", at, f"ERROR: deploy failed: {error}", level="ERROR")
        _terminate(tx, dep, rev, "DEPLOY_FAILED", at)
        return
    tx.update_deployment(dep.id, source_config={**dep.source_config, "custom_url": url})
    current = tx.get_deployment_by_id(dep.id) or dep
    _mark_deployed(tx, current, rev, at)
