"""A pytest plugin for mutation testing only (`make mutants`; `pytest_add_cli_args` in pyproject's
`[tool.mutmut]`): the tests import the mutated copy of the provider.

mutmut 3 copies `provider/` to `mutants/provider/`, puts `mutants/` first on `sys.path` and names each
mutant after the file's path (`provider.core.once.x_at_most_once__mutmut_1`); a mutant is active
only inside a module whose `__name__` is that path (`provider.core.once`). The tests import the
installed name instead, `pulumi_langsmith`, which the editable install maps to the unmutated
`provider/` folder. So this plugin imports every module of the mutated `provider` package under its
path name and registers each one under its installed name too, before any test module is imported:
`pulumi_langsmith.core.once` *is* `provider.core.once` from `mutants/`.

Outside a mutmut run (no `mutants/` folder on the path) it does nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path

INSTALLED = "pulumi_langsmith"
SOURCE = "provider"


def _alias() -> None:
    spec = importlib.util.find_spec(SOURCE)
    if spec is None or spec.origin is None or Path(spec.origin).parents[1].name != "mutants":
        return
    if INSTALLED in sys.modules and sys.modules[INSTALLED] is not sys.modules.get(SOURCE):
        raise RuntimeError(f"{INSTALLED} was imported before the mutmut alias plugin: tests would see unmutated code")
    package = importlib.import_module(SOURCE)
    for info in pkgutil.walk_packages(package.__path__, f"{SOURCE}."):
        importlib.import_module(info.name)
    for name, module in list(sys.modules.items()):
        if name == SOURCE or name.startswith(f"{SOURCE}."):
            sys.modules[INSTALLED + name[len(SOURCE) :]] = module


_alias()
