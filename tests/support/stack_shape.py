"""The shape of a stack export that users' state depends on, and the checked-in export of this version
(written with `--show-secrets`, so its pickled providers can be read: its secret is a test value)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import dill

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "upgrade" / "stack-export-0.1.json"
SECRET_SIG = "4dabf18193072939515e22adb298388d"


def provider_class(serialized: Any) -> str:
    """The class path a stored `__provider` unpickles to: the one fact `destroy` depends on. It is
    a secret when the resource has secret inputs: the export must then be one with `--show-secrets`."""
    if _secret(serialized):
        serialized = json.loads(serialized["plaintext"])
    cls = type(dill.loads(base64.b64decode(serialized)))
    return f"{cls.__module__}.{cls.__qualname__}"


def _secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG) == "1b47061264138c4ac30d75fd1eb44270"


def shape(deployment: dict[str, Any]) -> dict[str, Any]:
    """Per dynamic resource: type, provider class, input and output keys, and which of them are secret."""
    out = {}
    for r in deployment.get("resources", []):
        inputs, outputs = r.get("inputs") or {}, r.get("outputs") or {}
        if "__provider" not in inputs:
            continue
        out[r["type"]] = {
            "provider": provider_class(inputs["__provider"]),
            "inputs": sorted(inputs),
            "outputs": sorted(outputs),
            "secret_inputs": sorted(k for k, v in inputs.items() if _secret(v)),
            "secret_outputs": sorted(k for k, v in outputs.items() if _secret(v)),
        }
    return out
