"""What a release holds, for its tests: `scripts/dist.py` (`make dist`) as a module, and a tree compare
for the committed SDKs (`sdk/`)."""

from __future__ import annotations

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


#: What building or installing an SDK leaves beside it, never part of what is generated.
BUILD_LEFTOVERS = {"__pycache__", "node_modules", "bin", "package-lock.json"}


def _files(root: Path) -> set[Path]:
    return {
        p.relative_to(root)
        for p in root.rglob("*")
        if p.is_file() and not BUILD_LEFTOVERS & set(p.relative_to(root).parts)
    }


def differences(made: Path, committed: Path) -> list[str]:
    """Every file added, missing or changed (by content) between two trees."""
    ours, theirs = _files(made), _files(committed)
    found = [f"{rel}: only in the regenerated SDK" for rel in ours - theirs]
    found += [f"{rel}: only in sdk/ (committed)" for rel in theirs - ours]
    found += [f"{rel}: differs" for rel in ours & theirs if (made / rel).read_bytes() != (committed / rel).read_bytes()]
    return sorted(found)
