"""A TypeScript program through the `langsmith` provider plugin, with the real CLI, as a user types it.

`examples/typescript` is copied into a scratch tree, its SDK generated from the plugin's schema
(`pulumi package add ../../plugin/schema.json`, which writes `sdks/langsmith-iac-langsmith` and runs npm install),
then it goes through up, an empty preview, an update of exactly one revision, refresh and destroy,
like the YAML program of `test_plugin_programs.py`. Needs the Node.js language host, `npm` and the
npm registry; it runs once (not again under `LANGSMITH_EMULATOR_API=spec`).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from .cli import Project, requires_host
from .harness import SPEC_API
from .plugin_support import example_lifecycle, in_tree

NPM = shutil.which("npm")

pytestmark = [
    pytest.mark.e2e,
    requires_host("nodejs"),
    pytest.mark.skipif(NPM is None, reason="no `npm` on PATH: a TypeScript program needs its own `npm install`"),
    pytest.mark.skipif(
        SPEC_API,
        reason="the plugin runs the same provider code as the dynamic host, whose e2e tests this pass "
        "repeats against the spec's API shape: run once, against the current API (make test's first pass)",
    ),
]

SECRET = "sk-typescript-secret-4a9d"


def test_typescript_example_up_update_refresh_destroy(tmp_path: Path, emulator: Any) -> None:
    project = Project(in_tree(tmp_path, "typescript"), tmp_path)
    started = time.monotonic()
    # The SDK from the schema file: `sdks/<namespace>-langsmith`, linked in package.json as
    # `@langsmith-iac/langsmith` (the schema's namespace and nodejs packageName).
    added = project.run("package", "add", "../../plugin/schema.json", timeout=600)
    sdk = project.work_dir / "sdks" / "langsmith-iac-langsmith" / "package.json"
    assert '"name": "@langsmith-iac/langsmith"' in sdk.read_text(), added.output
    subprocess.run(
        [str(NPM), "install", "--no-audit", "--no-fund"],
        cwd=project.work_dir,
        env=project.env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    print(f"pulumi package add + npm install: {time.monotonic() - started:.1f}s")
    project.init_stack(emulator.url)
    project.run("config", "set", "--secret", "openaiApiKey", SECRET)

    example_lifecycle(project, emulator, SECRET)
