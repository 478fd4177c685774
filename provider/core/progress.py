"""Progress lines for the user: on the resource's row of `pulumi up`, else on stderr."""

from __future__ import annotations

import sys

from . import engine_log
from .redact import redact


def progress(message: str, ephemeral: bool = False) -> None:
    """On the resource's row of `pulumi up` (`ephemeral`: as its live status, not kept in the summary),
    else on stderr, which `pulumi up` shows under the stack; either way without a secret value."""
    if not engine_log.log(message, ephemeral=ephemeral):
        print(f"[langsmith] {redact(message)}", file=sys.stderr, flush=True)
