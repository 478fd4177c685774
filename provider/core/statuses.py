"""Revision and deployment statuses: the one place that says what each status means to the provider.

Revision statuses are the spec's `Revision.status` enum. Only the three `*_FAILED` statuses end a
revision for good; `INTERRUPTED` and `UNKNOWN` can still move on (LangChain's Terraform provider keeps
waiting through them, and langgraph-cli's `_TERMINAL_STATUSES` leaves them out), so the waiter keeps
polling until its deadline.
"""

from __future__ import annotations

DEPLOYED = "DEPLOYED"
# Superseded by a newer revision before it was promoted: follow the newer one.
SKIPPED = "SKIPPED"
# The revision never reached DEPLOYED and never will: the next `up` rolls out a new one.
FAILED = frozenset({"CREATE_FAILED", "BUILD_FAILED", "DEPLOY_FAILED"})
# Failures of the build phase: their log is the build log (the others look at the deploy log first).
BUILD_PHASE_FAILED = frozenset({"CREATE_FAILED", "BUILD_FAILED"})
# Still moving; INTERRUPTED and UNKNOWN included (see above).
TRANSIENT = frozenset(
    {"CREATING", "QUEUED", "AWAITING_BUILD", "BUILDING", "AWAITING_DEPLOY", "DEPLOYING", "INTERRUPTED", "UNKNOWN"}
)
# Deployment statuses of a deployment on its way out: its name is not free yet.
DELETING = frozenset({"AWAITING_DELETE", "AWAITING_FINAL_DELETE"})


def failed(status: object) -> bool:
    return status in FAILED


def can_still_deploy(status: object) -> bool:
    """A revision in this status may still reach DEPLOYED without a new revision (None: unknown)."""
    return status not in FAILED and status != SKIPPED
