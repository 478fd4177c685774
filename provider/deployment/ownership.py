"""Which deployment a create may take as its own, and which one a delete may remove: decided once here,
for both frontends (the dynamic host and the `langsmith` plugin).

Why: a create finds the deployment an earlier, interrupted attempt made by the ownership tag the
provider writes into every deployment (`changes.ownership_tag`), and resumes it rather than make a
duplicate. A replacement is a create too, with the same resource name, and must never take over the
deployment it replaces: the engine deletes that one once the create returns.

What the engine tells a provider, and so what this module can know (pulumi 3.274,
`resource/deploy/step_generator.go`):
- a replacement the provider's diff asked for (a field that cannot change in place,
  `replaceOnChanges`): `Diff` names the resource's id first, then `Check` runs again without old
  inputs ("recompute the default values"), then `Create`. The re-check gives the new deployment an
  ownership id of its own (`replacement_owner`), so its tag never matches the old one's, and the create
  refuses, before any write, a deployment the state holds (a fixed name it would have to take);
- a targeted replacement (`pulumi up --replace`, `--target-replace`, a tainted resource): no `Diff`,
  and `Check` without old inputs, exactly as for a create whose earlier attempt was killed. The two
  cannot be told apart when the create runs, so the create resumes the deployment its tag names, and
  the delete that follows in the same run (`Delete` of that same id) is recognised and skipped: one
  deployment stays, and state points at it. With `deleteBeforeReplace` the engine deletes first, and
  the create makes a new deployment; a delete that would leave a fixed name taken by its tracing
  project is refused before it runs (`delete_refusal`).

The registry is per process: the engine runs one provider process per `pulumi up`, and every call of
one resource in that run reaches the same process (either frontend). Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field

from . import changes
from .model import DeploymentInputs

#: Separates an ownership id from the suffix a replacement adds (`ownership_id` is hex: no `-`).
REPLACEMENT_MARK = "-r"


def base_owner(owner: str) -> str:
    """The resource's own ownership id, without a replacement's suffix."""
    return owner.partition(REPLACEMENT_MARK)[0]


def replacement_owner(owner: str, replaced_id: str) -> str:
    """The ownership id of the deployment that replaces `replaced_id`: the resource's own id plus a
    suffix from the replaced deployment's, so a retried replacement finds what it made, and nothing
    of the deployment it replaces."""
    return f"{base_owner(owner)}{REPLACEMENT_MARK}{hashlib.sha256(replaced_id.encode()).hexdigest()[:8]}"


def ours(d: DeploymentInputs, tag_on_server: str | None) -> bool:
    """Whether a deployment carrying `tag_on_server` was made by this resource with these fields behind
    its name: its tag is this resource's, of this generation or of an earlier one (a replacement adds a
    suffix to the ownership id, which a later check without old inputs does not know)."""
    if not d.owner or not tag_on_server:
        return False
    if tag_on_server == changes.ownership_tag(d):
        return True
    owner = tag_on_server.rsplit("-", 1)[0]
    return base_owner(owner) == base_owner(d.owner) and tag_on_server == changes.ownership_tag(
        d.model_copy(update={"owner": owner})
    )


@dataclass
class Registry:
    """What this process was told about deployments in the stack's state, and what its creates took."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: base owner -> the deployment ids the engine holds for that resource (diff, update, read, delete).
    _in_state: dict[str, set[str]] = field(default_factory=dict)
    #: base owners whose check ran without old inputs and whose create has not run yet (a new resource,
    #: or a replacement: with deleteBeforeReplace its delete comes between).
    _fresh_checks: set[str] = field(default_factory=set)
    #: the deployment ids a create returned that existed before it (resumed, adopted).
    _taken: set[str] = field(default_factory=set)

    def in_state(self, owner: str | None, deployment_id: str | None) -> None:
        """The engine named `deployment_id` as the resource `owner`'s (its state holds it)."""
        if owner and deployment_id:
            with self._lock:
                self._in_state.setdefault(base_owner(owner), set()).add(deployment_id)

    def held(self, owner: str | None) -> frozenset[str]:
        """The deployment ids the state holds for this resource, as far as this process was told."""
        if not owner:
            return frozenset()
        with self._lock:
            return frozenset(self._in_state.get(base_owner(owner), ()))

    def replaced(self, owner: str | None) -> str | None:
        """The deployment a check without old inputs replaces (its diff ran first in this process), if any."""
        ids = sorted(self.held(owner))
        return ids[0] if len(ids) == 1 else None

    def checked_fresh(self, owner: str | None) -> None:
        if owner:
            with self._lock:
                self._fresh_checks.add(base_owner(owner))

    def had_fresh_check(self, owner: str | None) -> bool:
        with self._lock:
            return bool(owner) and base_owner(str(owner)) in self._fresh_checks

    def created(self, owner: str | None) -> None:
        """A create of this resource returned: a delete after it is no replacement's first half."""
        if owner:
            with self._lock:
                self._fresh_checks.discard(base_owner(owner))

    def took(self, deployment_id: str) -> None:
        """A create returned `deployment_id`, which existed before it (resumed or adopted); a later
        delete of it is skipped whoever asks (`delete_skip`), so no owner is recorded."""
        with self._lock:
            self._taken.add(deployment_id)

    def taken_by_create(self, deployment_id: str) -> bool:
        """Whether a create in this run returned this existing deployment as the resource's new one."""
        with self._lock:
            return deployment_id in self._taken

    def clear(self) -> None:
        """Forget everything (tests run many engine runs in one process)."""
        with self._lock:
            self._in_state.clear()
            self._fresh_checks.clear()
            self._taken.clear()


#: The process's registry, shared by both frontends.
REGISTRY = Registry()


def create_refusal(name: str, auto_named: bool, found_id: str, held: frozenset[str]) -> str | None:
    """Why a create must not take `found_id` (found by its tag or name): the state holds it for this
    very resource, so this create is a replacement, and the engine deletes that deployment after it.
    None: the create may go on (resume or adopt). A fixed name cannot be taken while the deployment it
    replaces holds it; an autonamed replacement has a new name and tag, so it never gets here."""
    if found_id not in held:
        return None
    how = "leave `name` unset (an autoname), or " if not auto_named else ""
    return (
        f"{name}: this create replaces deployment {found_id}, which holds the name {name!r}, and would take "
        "that same deployment over, which the replacement then deletes; nothing was changed. To replace a "
        f"deployment with a fixed name, {how}set the resource option deleteBeforeReplace (Python: "
        "`delete_before_replace=True`) together with delete_tracing_project, so the old deployment and its "
        "tracing project free the name first"
    )


def adopt_id_ignored(adopt_id: str | None, held: frozenset[str]) -> bool:
    """`adopt_id` is for the first create only: on a replacement it names the deployment being replaced
    (or already deleted), which the new one must never take over."""
    return bool(adopt_id) and adopt_id in held


def delete_skip(deployment_id: str) -> bool:
    """A delete of a deployment a create of this run returned as the resource's new one (a targeted
    replacement that resumed it): deleting it would leave state pointing at nothing."""
    return REGISTRY.taken_by_create(deployment_id)


def delete_refusal(name: str, fixed_name: bool, delete_tracing_project: bool, owner: str | None) -> str | None:
    """Why a delete must not run: it is the first half of a replacement (`deleteBeforeReplace`; a
    check without old inputs ran for this resource in this run) of a deployment with a fixed name,
    whose tracing project would keep that name taken, so the create after it could only fail."""
    if not fixed_name or delete_tracing_project or not REGISTRY.had_fresh_check(owner):
        return None
    return (
        f"{name}: replacing this deployment deletes it first, and its name stays taken by its tracing project "
        "after delete, so the new deployment could not be created; nothing was deleted. Set "
        "delete_tracing_project=True and run `pulumi up` once before the replacement, or give the deployment a "
        "new name"
    )
