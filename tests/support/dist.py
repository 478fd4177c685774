"""`scripts/dist.py` (`make dist`) as a module, for the tests of what a release holds."""

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
