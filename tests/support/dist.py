"""What a release holds, for its tests: `scripts/dist.py` (`make dist`) as a module, and a tree compare
for the committed SDKs (`sdk/`)."""

from __future__ import annotations

import filecmp
import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "dist.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("langsmith_dist", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def differences(made: Path, committed: Path) -> list[str]:
    """Every file added, missing or changed between two trees."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], rel: str) -> None:
        found.extend(f"{rel}{n}: only in the regenerated SDK" for n in cmp.left_only)
        found.extend(f"{rel}{n}: only in sdk/ (committed)" for n in cmp.right_only)
        found.extend(f"{rel}{n}: differs" for n in cmp.diff_files + cmp.funny_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{rel}{name}/")

    cmp = filecmp.dircmp(made, committed, ignore=["__pycache__", "node_modules", "bin", "package-lock.json"])
    walk(cmp, "")
    # dircmp compares by os.stat signature first; compare contents of the same-named files too.
    for rel in sorted(p.relative_to(made) for p in made.rglob("*") if p.is_file()):
        if (committed / rel).is_file() and (made / rel).read_bytes() != (committed / rel).read_bytes():
            found.append(f"{rel}: differs")
    return sorted(set(found))
