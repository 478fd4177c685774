"""`make test`: the whole suite against the local control plane's current API, and at the same time
its end-to-end and provider-host tests again against `--api spec` (exactly the official spec's paths
and fields, as issue 12 requires).

Why both at once: most of an end-to-end test is waiting (on a CLI starting its hosts, on a build), so
one pass on a 2-core machine leaves a core idle much of the time, and each pass ends on a tail of a
few long tests. Two passes side by side keep both cores busy: the suite takes about two thirds of
the time of running them one after the other.

The first pass prints as it runs; the second writes to a file, printed whole when both are done, so
no line of one is mixed into the other's. Each pass has its own temporary directory (a pass cleans
up the numbered directories of earlier runs, which could be the other pass's). The exit status is
non-zero when either pass failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: pytest workers of each pass (override: PYTEST_WORKERS="4 2").
WORKERS = os.environ.get("PYTEST_WORKERS", "4 2").split()
# worksteal: an idle worker takes tests still queued on a busy one (with the default `load`, two of
# four workers sat idle for the last minutes of a run while the others worked through their queues).
COMMON = ["-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "--durations=15", "--dist", "worksteal"]
SPEC_PATHS = ["tests/e2e", "tests/test_provider_host.py"]


def command(workers: str, basetemp: Path, *paths: str) -> list[str]:
    return [sys.executable, *COMMON, "-n", workers, f"--basetemp={basetemp}", *paths]


def main(argv: list[str]) -> int:
    scratch = ROOT / ".pytest-tmp"
    scratch.mkdir(exist_ok=True)
    spec_log = scratch / "spec-pass.log"
    spec_env = {**os.environ, "LANGSMITH_EMULATOR_API": "spec"}
    with spec_log.open("w") as out:
        spec = subprocess.Popen(
            command(WORKERS[-1], scratch / "spec", *SPEC_PATHS), cwd=ROOT, env=spec_env, stdout=out, stderr=out
        )
        try:
            current = subprocess.call(command(WORKERS[0], scratch / "current", *argv), cwd=ROOT)
            spec_rc = spec.wait()
        except BaseException:
            spec.terminate()
            spec.wait()
            raise
    print("\n=== the same end-to-end and provider-host tests against `--api spec` ===", flush=True)
    sys.stdout.write(spec_log.read_text())
    verdict = {True: "passed", False: "FAILED"}
    print(f"\ncurrent API: {verdict[current == 0]}; --api spec: {verdict[spec_rc == 0]}")
    return 1 if current or spec_rc else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
