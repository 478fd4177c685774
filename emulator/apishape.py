"""Which API shape the emulator serves: `current` (today's service) or `spec` (the vendored spec).

`spec` models an older server that knows exactly the operations and fields of
`emulator/contract/control-plane-openapi.json`: anything else is an unknown route (404). The
documented-route table is derived from that file at import, so the check follows the contract
and never a hand-written list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

ApiShape = Literal["current", "spec"]
API_SHAPES: tuple[ApiShape, ...] = ("current", "spec")
SPEC_PATH = Path(__file__).resolve().parent / "contract" / "control-plane-openapi.json"
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


@dataclass(frozen=True)
class DocumentedRoute:
    method: str
    template: str
    pattern: re.Pattern[str]


def _param_pattern(schema: dict[str, Any]) -> str:
    # A `format: uuid` parameter only matches a UUID, so `/v2/deployments/free-count` is not
    # mistaken for `GET /v2/deployments/{deployment_id}`.
    return _UUID if schema.get("format") == "uuid" else "[^/]+"


def load_documented_routes(spec_path: Path = SPEC_PATH) -> tuple[DocumentedRoute, ...]:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    routes: list[DocumentedRoute] = []
    for template, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            params = {
                p["name"]: p.get("schema", {})
                for p in [*item.get("parameters", []), *operation.get("parameters", [])]
                if p.get("in") == "path"
            }
            regex = ""
            for literal, name in re.findall(r"([^{]*)(?:\{([^}]+)\})?", template):
                regex += re.escape(literal)
                if name:
                    regex += f"(?:{_param_pattern(params.get(name, {}))})"
            routes.append(DocumentedRoute(method.upper(), template, re.compile(f"^{regex}$")))
    return tuple(routes)


DOCUMENTED_ROUTES = load_documented_routes()


def documented_template(method: str, path: str) -> str | None:
    """The spec's path template for this call (path without `/api-host`), or None if undocumented."""
    for route in DOCUMENTED_ROUTES:
        if route.method == method.upper() and route.pattern.match(path):
            return route.template
    return None


def is_documented(method: str, path: str) -> bool:
    return documented_template(method, path) is not None


def spec_enum(schema_name: str, field: str) -> frozenset[str]:
    """The enum of a (nullable) string field of a component schema in the vendored spec."""
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    prop = spec["components"]["schemas"][schema_name]["properties"][field]
    for option in [prop, *prop.get("anyOf", [])]:
        if "enum" in option:
            return frozenset(option["enum"])
    raise KeyError(f"{schema_name}.{field} has no enum in the spec")


#: `deployment_type` values an older (spec) server knows; newer ones are a 422 there.
SPEC_DEPLOYMENT_TYPES = spec_enum("SourceConfigRequest", "deployment_type")
