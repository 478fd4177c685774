"""Which process this is: the dynamic-provider host, the `langsmith` plugin, or neither (a Pulumi
program, a test), and the address of the engine that started it.

Why a module of its own: these are facts that modules on every floor of `provider/core` ask about
(`errors` installs its traceback proxy only in the host, `engine_log` talks to the engine only in
the host or the plugin, `engine_watch` probes the engine's address). Kept at the bottom, importing
nothing of this package, they let the floors read one way (tests/test_core_imports.py).
"""

from __future__ import annotations

import re
import sys

_ADDRESS = re.compile(r"^[\w.\-\[\]:]+:\d+$")

_plugin = False


def in_provider_host() -> bool:
    """This process is `python -m pulumi.dynamic`, the host that serves dynamic providers."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return getattr(spec, "name", None) == "pulumi.dynamic.__main__" and hasattr(main, "DynamicResourceProviderServicer")


def enter_plugin() -> None:
    """This process is the `langsmith` provider plugin (`pulumi_langsmith.plugin`): progress goes to the
    engine's Log (the CLI hides a plugin's stderr) and the engine watch runs; no pool needs widening."""
    global _plugin
    _plugin = True


def in_plugin() -> bool:
    return _plugin


def engine_address(argv: list[str]) -> str | None:
    """The engine's address among the host's arguments (flags such as -v=9 may precede it)."""
    positional = [a for a in argv[1:] if not a.startswith("-")]
    return positional[-1] if positional and _ADDRESS.match(positional[-1]) else None
