"""What the local control plane holds and was asked, for assertions that work on both API shapes.

A revision is now rolled out by PATCH, which the request log cannot tell apart from a plain-field
PATCH, so revisions are counted on the server. `LANGSMITH_EMULATOR_API` says which API shape the
suite's emulator speaks (`current` by default, `spec`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import requests

from emulator.testing import API_KEY, TENANT_ID

API = os.environ.get("LANGSMITH_EMULATOR_API", "current")
SPEC_FILE = Path(__file__).resolve().parents[2] / "emulator" / "contract" / "control-plane-openapi.json"


def api(emulator: Any, method: str, path: str, **kwargs: Any) -> Any:
    r = requests.request(
        method,
        f"{emulator.url}{path}",
        headers={"X-Api-Key": API_KEY, "X-Tenant-Id": TENANT_ID},
        timeout=10,
        **kwargs,
    )
    r.raise_for_status()
    return r.json() if r.content else None


def revision_ids(emulator: Any, dep_id: str) -> list[str]:
    """Every revision of the deployment the server still lists, newest first."""
    page = api(emulator, "GET", f"/v2/deployments/{dep_id}/revisions", params={"limit": 100})
    return [str(r["id"]) for r in page["resources"]]


def _spec_routes() -> frozenset[tuple[str, str]]:
    spec = json.loads(SPEC_FILE.read_text())
    return frozenset(
        (method.upper(), re.sub(r"\{[^}]+\}", "{id}", path)) for path, ops in spec["paths"].items() for method in ops
    )


def besides_live_logs(calls: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Undocumented calls other than the revision log route, which the provider reads while it waits
    (live logs, `core/log_stream.py`), and only from a server of the current API shape."""
    return [c for c in calls if c != ("GET", "/v2/deployments/{id}/revisions/{id}/logs")]


def undocumented(entries: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(method, route) of each public request the official spec does not list; the emulator's own
    `documented` flag is used when its request log has one."""
    routes = _spec_routes()
    out = []
    for e in entries:
        documented = e.get("documented")
        if documented is None:
            documented = (e["method"], e["route"]) in routes
        if not documented:
            out.append((str(e["method"]), str(e["route"])))
    return out
