"""`make mutants`: run mutmut on the provider's pure core and print the score per module.

Configuration: `[tool.mutmut]` in pyproject.toml (which files are mutated, which tests run). Every run
starts from an empty `mutants/` folder, so the figures are for the code as it is now; mutmut's own
output (a progress spinner) goes to `mutants/run.log`. Then `mutmut results --all true` is read and
summarised: per module, killed / survived / no tests (no selected test calls the mutated function) /
timeout, and the score, the share of mutants the tests detect (killed or timed out). The surviving
and untested mutants are listed by name; `.venv/bin/mutmut show NAME` prints one's diff.

Usage: python scripts/mutants.py [--keep] [--max-children N]
  --keep   reuse `mutants/` (mutmut then re-checks only what changed)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).with_name("mutmut")
DETECTED = ("killed", "timeout", "caught by type check")
LINE = re.compile(r"^\s+(?P<name>\S+): (?P<status>.+)$")


def module_of(mutant: str) -> str:
    """`provider.core.once.x_at_most_once__mutmut_3` -> `provider.core.once` (methods: `xǁClassǁname`)."""
    parts = mutant.split(".")
    for i in range(len(parts) - 1, -1, -1):
        if parts[i].startswith(("x_", "xǁ")):
            return ".".join(parts[:i])
    return mutant.rsplit(".", 1)[0]


def run_mutmut(max_children: int, keep: bool) -> None:
    mutants = ROOT / "mutants"
    if not keep:
        shutil.rmtree(mutants, ignore_errors=True)
    mutants.mkdir(exist_ok=True)
    log_path = mutants / "run.log"
    started = time.monotonic()
    print(f"mutmut run --max-children {max_children} (output in mutants/run.log) ...", flush=True)
    with log_path.open("w") as log:
        code = subprocess.call(
            [str(MUTMUT), "run", "--max-children", str(max_children)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if code != 0:
        text = log_path.read_text(errors="replace").replace("\r", "\n")
        tail = "\n".join(line for line in text.splitlines()[-40:] if line.strip())
        sys.exit(f"mutmut run failed (exit {code}):\n{tail}")
    print(f"mutmut run took {time.monotonic() - started:.0f} s")


def results() -> dict[str, str]:
    out = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return {m["name"]: m["status"] for line in out.splitlines() if (m := LINE.match(line))}


def report(statuses: dict[str, str]) -> int:
    if not statuses:
        print("no mutants found: run without --keep")
        return 1
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for name, status in statuses.items():
        by_module[module_of(name)][status] += 1
    header = f"{'module':<32} {'mutants':>7} {'killed':>7} {'survived':>8} {'no tests':>8} {'timeout':>7} {'score':>7}"
    print(header)
    print("-" * len(header))
    total: Counter[str] = Counter()
    for module in sorted(by_module):
        counts = by_module[module]
        total.update(counts)
        print(_row(module, counts))
    print("-" * len(header))
    print(_row("total", total))
    for label, wanted in (("surviving", "survived"), ("untested (no test calls the function)", "no tests")):
        names = sorted(name for name, status in statuses.items() if status == wanted)
        print(f"\n{len(names)} {label} mutants:")
        for name in names:
            print(f"  {name}")
    shown = (*DETECTED, "survived", "no tests")
    other = sorted(f"{name}: {status}" for name, status in statuses.items() if status not in shown)
    if other:
        print(f"\n{len(other)} mutants with another status:")
        for line in other:
            print(f"  {line}")
    return 0


def _row(label: str, counts: Counter[str]) -> str:
    n = sum(counts.values())
    detected = sum(counts[s] for s in DETECTED)
    score = f"{100 * detected / n:.1f}%" if n else "-"
    return (
        f"{label:<32} {n:>7} {counts['killed']:>7} {counts['survived']:>8} {counts['no tests']:>8} "
        f"{counts['timeout']:>7} {score:>7}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ instead of starting afresh")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--report-only", action="store_true", help="summarise the last run without running")
    args = parser.parse_args()
    if not args.report_only:
        run_mutmut(args.max_children, args.keep)
    return report(results())


if __name__ == "__main__":
    sys.exit(main())
