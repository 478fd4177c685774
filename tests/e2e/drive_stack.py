"""Run one Automation API command on an existing stack of a project directory, in its own process.

    python tests/e2e/drive_stack.py <work_dir> <stack> up|preview|refresh

Used by the kill tests (tests/e2e/test_interrupts.py): the inline program lives only as long as this
process serves it, so the test can SIGINT the `pulumi` CLI it starts, or SIGKILL all of them. The
environment (backend, PULUMI_HOME, passphrase) comes from the caller. Exit code 0 on success, 1 on a
`CommandError` (whose text is printed), so the test can tell a cancelled run from a finished one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.e2e.harness import VENV, program_from_dir  # noqa: E402


def main(work_dir: str, stack_name: str, command: str) -> int:
    wd = Path(work_dir)
    stack = auto.select_stack(
        stack_name=stack_name,
        project_name=yaml.safe_load((wd / "Pulumi.yaml").read_text())["name"],
        program=program_from_dir(wd),
        opts=auto.LocalWorkspaceOptions(
            work_dir=str(wd),
            pulumi_home=os.environ["PULUMI_HOME"],
            pulumi_command=auto.PulumiCommand(root=str(VENV)),
            env_vars={k: v for k, v in os.environ.items() if k.startswith("PULUMI_") or k == "PATH"},
            secrets_provider="passphrase",
        ),
    )
    if command not in ("up", "preview", "refresh"):
        raise SystemExit(f"unknown command {command!r}")
    run: Callable[..., Any] = getattr(stack, command)
    try:
        run(color="never", on_output=lambda line: print(line, flush=True))
    except auto.errors.CommandError as exc:
        print(f"COMMAND ERROR: {exc}", flush=True)
        return 1
    print("COMMAND OK", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
