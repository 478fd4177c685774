"""The `langsmith` package schema and the reference pages, generated from the field tables.

`pulumi package get-schema plugin/` prints `build()` (the plugin's GetSchema); `plugin/schema.json`
and `docs/resources/*.md` are written by `python -m pulumi_langsmith.plugin.schema --write`, and
`tests/test_plugin_schema.py` fails when either differs from what this module generates.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from importlib import metadata
from pathlib import Path

from ..core.config import CONFIG_API_KEY, CONFIG_MAX_RPS, CONFIG_ORGANIZATION, CONFIG_URL, CONFIG_WORKSPACE_ID
from ..core.schema import Change, Field, Removal
from ..core.values import JSON
from ..deployment import fields as deployment_fields
from ..listener import fields as listener_fields
from .functions import FUNCTIONS
from .resources import DEPLOYMENT, KINDS, LISTENER, PACKAGE, Kind
from .shapes import ListOf, MapOf, Obj, Shape, camel

DISTRIBUTION = "langsmith-deployment-pulumi"

#: Where releases are published: a `vX.Y.Z` tag of this repository is the plugin's version. The namespace
#: names every generated SDK, so that none is called `pulumi_langsmith`, the dynamic provider's package
#: (whose class paths are in users' state). A fork that publishes elsewhere changes these lines only.
NAMESPACE = "langsmith-iac"
REPOSITORY = "https://github.com/langsmith-iac/pulumi-langsmith"
#: A release's archives (`make dist`), as registry providers publish them; installing from a git tag
#: instead, the CLI writes the tag's `git://` address into the SDK it generates.
PLUGIN_DOWNLOAD_URL = "github://api.github.com/langsmith-iac/pulumi-langsmith"

#: Each language's package name: what `pulumi package add` and `gen-sdk` generate, written out so the
#: README, the committed SDKs and the schema say the same (they are the CLI's defaults for the namespace).
LANGUAGE: dict[str, JSON] = {
    "nodejs": {"packageName": "@langsmith-iac/langsmith", "respectSchemaVersion": True},
    "python": {"packageName": "langsmith_iac_langsmith", "respectSchemaVersion": True},
    "go": {
        "importBasePath": "github.com/langsmith-iac/pulumi-langsmith/sdk/go/langsmith",
        "respectSchemaVersion": True,
    },
    "csharp": {"rootNamespace": "LangsmithIac", "respectSchemaVersion": True},
}
ROOT = Path(__file__).resolve().parents[2]

#: Properties outside the field tables (the wait's settings, the sizing keys): what they are.
EXTRA_DOCS: dict[str, str] = {
    "wait": "How create and update wait for DEPLOYED and health (stored in state only).",
    "wait.enabled": "Wait until the new revision is DEPLOYED (default true).",
    "wait.timeout_seconds": "How long a wait may take (default 1800); a `customTimeouts` value bounds it instead.",
    "wait.poll_min_seconds": "The shortest pause between polls (default 0.5).",
    "wait.poll_max_seconds": "The longest pause between polls (default 5).",
    "wait.stream_logs": "Show the revision's new log lines while waiting (default true).",
    "wait.health_check": "After DEPLOYED, wait until `GET {url}/ok` answers 200 (default true).",
    "source_config.resource_spec": "Self-hosted sizing; only the keys you set are managed, the server fills in "
    "the rest.",
    "secret_references": "Kubernetes secrets mounted as env vars (external_docker).",
    "source_config": "Where the deployment's code comes from and how it runs; each field says what a change does.",
    "source_revision_config": "What a revision is built from; a change rolls out a new revision.",
    "source_config.listener_config": "Where a self-hosted deployment runs: its Kubernetes namespace.",
    # Set by check, never by a program (`fields.INTERNAL_INPUTS`): outputs, shown in previews and state.
    "owner": "The resource's ownership id, set by check from the project, stack, resource name and Pulumi "
    "organization; the deployment carries it in env PULUMI_LANGSMITH_OWNER, so a retried create resumes what "
    "an earlier attempt made and a replacement never takes the deployment it replaces (a replacement adds "
    "`-r<hash>`). Not an input.",
    "name_prefix": "The autoname's prefix (the resource name), set by check when `name` is not: the deployment "
    "is named `<prefix>-<7 random characters>`. Not an input.",
}


def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree without install
        return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def _field_doc(table: tuple[Field, ...], path: str) -> str:
    for f in table:
        if f.path == path:
            effect = {
                Change.REPLACE: "Changing it replaces the resource",
                Change.PATCH: "Changing it updates it in place (no new revision)",
                Change.REVISION: "Changing it rolls out a new revision, awaited until DEPLOYED",
                Change.STATE: "Stored in state only",
            }[f.change]
            applies = "" if len(f.sources) == 3 else f" Applies to source {' or '.join(sorted(f.sources))}."
            required = f" Required when source is {' or '.join(sorted(f.required_for))}." if f.required_for else ""
            return f"{effect} ({f.why}).{applies}{required} {_removal_doc(f)}"
    return EXTRA_DOCS.get(path, "")


def _removal_doc(f: Field) -> str:
    """What removing the input does, as the field table says (`Field.removal`)."""
    if f.removal is Removal.REFUSED:
        return "Removing it is refused at preview."
    if f.removal is Removal.KEEPS:
        text = "Removing it keeps the last value: it cannot be cleared, and the preview shows no change"
    elif f.removal is Removal.RESETS:
        value = f.reset_value
        text = (
            "Removing it resets it to its defaults"
            if value == {}
            else f"Removing it resets it to `{json.dumps(value)}`"
        )
    elif f.change is Change.REPLACE:
        text = "Removing it replaces the resource by one without it"
    elif f.change is Change.STATE:
        text = "Removing it clears it"
    else:
        text = "Removing it clears it on the server"
    return f"{text} (where a source requires it: refused)." if f.required_for else f"{text}."


def _table(kind: Kind) -> tuple[Field, ...]:
    return deployment_fields.FIELDS if kind is DEPLOYMENT else listener_fields.FIELDS


def _spec(shape: Shape, types: dict[str, JSON], kind: Kind, path: str) -> JSON:
    if isinstance(shape, Obj):
        token = f"{PACKAGE}:index:{shape.name}"
        if token not in types:
            types[token] = {}  # placeholder first: a type may refer to itself
            types[token] = {
                "type": "object",
                "description": shape.doc or _field_doc(_table(kind), path),
                "properties": _properties(shape, types, kind, path, tuple(shape.fields)),
            }
            if shape.required:
                types[token]["required"] = [shape.fields[key][0] for key in shape.required]
        return {"$ref": f"#/types/{token}"}
    if isinstance(shape, MapOf):
        return {"type": "object", "additionalProperties": _spec(shape.value, types, kind, path)}
    if isinstance(shape, ListOf):
        return {"type": "array", "items": _spec(shape.item, types, kind, path)}
    if shape.kind == "any":
        return {"$ref": "pulumi.json#/Any"}
    spec: JSON = {"type": shape.kind}
    if shape.enum:
        spec["description"] = f"One of: {', '.join(shape.enum)}."
    return spec


def _properties(shape: Obj, types: dict[str, JSON], kind: Kind, prefix: str, keys: tuple[str, ...]) -> JSON:
    out: JSON = {}
    for key in keys:
        name, child = shape.fields[key]
        path = f"{prefix}.{key}" if prefix else key
        spec = dict(_spec(child, types, kind, path))
        doc = kind.output_docs.get(key, "") if not prefix else ""
        doc = doc or _field_doc(_table(kind), path)
        if doc:
            spec["description"] = " ".join(p for p in (spec.get("description"), doc) if p)
        if path in kind.always_secret or any(f.path == path and f.secret for f in _table(kind)):
            spec["secret"] = True
        out[name] = spec
    return out


_CONFIG: dict[str, JSON] = {
    CONFIG_ORGANIZATION: {
        "type": "string",
        "description": "The stack's Pulumi organization (else PULUMI_ORGANIZATION): part of each deployment's "
        "ownership id, so stacks of two organizations with the same project and stack names never take over "
        "each other's deployments. The engine does not tell a provider plugin its organization; Python "
        "programs (the dynamic provider) need not set it.",
    },
    CONFIG_API_KEY: {
        "type": "string",
        "secret": True,
        "description": "The LangSmith API key (else LANGSMITH_API_KEY).",
    },
    CONFIG_WORKSPACE_ID: {
        "type": "string",
        "description": "The workspace (tenant) UUID, sent as X-Tenant-Id (else LANGSMITH_WORKSPACE_ID).",
    },
    CONFIG_URL: {
        "type": "string",
        "description": "`us`, `eu`, or the control plane's URL; self-hosted: `https://<host>/api-host` "
        "(else LANGSMITH_CONTROL_PLANE_URL).",
    },
    CONFIG_MAX_RPS: {"type": "number", "description": "The request budget per second; 0 turns it off (default 20)."},
}


def build() -> JSON:
    """The package schema (https://www.pulumi.com/docs/iac/extending-pulumi/schema/)."""
    types: dict[str, JSON] = {}
    resources: JSON = {}
    for kind in KINDS.values():
        inputs = _properties(kind.shape, types, kind, "", kind.inputs)
        declared = (*kind.inputs, *kind.computed, *kind.outputs)
        # ...and what check sets itself (the ownership id, the autoname's prefix): state holds it too.
        everything = (*declared, *(k for k in kind.shape.fields if k not in declared))
        resources[kind.token] = {
            "description": _resource_doc(kind),
            "inputProperties": inputs,
            "requiredInputs": [camel(k) for k in kind.inputs if k == "compute_id"],
            "properties": _properties(kind.shape, types, kind, "", everything),
            "required": [camel(k) for k in everything if k in ("deployment_id", "listener_id", "name", "compute_id")],
        }
    functions = {
        f.token: {
            "description": f.description,
            "inputs": {
                "type": "object",
                "properties": {k: {**t, "description": d} for k, (t, d) in f.inputs.items()},
                "required": list(f.required),
            },
            "outputs": {
                "type": "object",
                "properties": {k: {**t, "description": d} for k, (t, d) in f.outputs.items()},
            },
        }
        for f in FUNCTIONS.values()
    }
    config = {key.split(":", 1)[1]: spec for key, spec in _CONFIG.items()}
    return {
        "name": PACKAGE,
        "displayName": "LangSmith Deployment",
        "version": version(),
        "description": "LangSmith Deployment (LangGraph Platform) deployments and listeners, kept live by `pulumi up`.",
        "keywords": ["pulumi", "langsmith", "langgraph", "kind/native"],
        "license": "Apache-2.0",
        "namespace": NAMESPACE,
        "publisher": "langsmith-iac",
        "repository": REPOSITORY,
        "homepage": REPOSITORY,
        "pluginDownloadURL": PLUGIN_DOWNLOAD_URL,
        "config": {"variables": config},
        "provider": {"description": "The LangSmith control plane to manage.", "inputProperties": config},
        "resources": resources,
        "functions": functions,
        "types": dict(sorted(types.items())),
        "language": LANGUAGE,
    }


def _resource_doc(kind: Kind) -> str:
    if kind is LISTENER:
        return "A self-hosted data plane (a Kubernetes cluster's listener) registered with the control plane."
    return (
        "A LangSmith Deployment (LangGraph Platform). Create and every revision-creating update wait until the "
        "revision is DEPLOYED (and healthy); `customTimeouts` bound the wait, Ctrl-C ends it."
    )


# Reference pages --------------------------------------------------------------------------------


def _type_name(spec: JSON) -> str:
    if "$ref" in spec:
        ref = str(spec["$ref"])
        return "any" if ref.endswith("/Any") else ref.rsplit(":", 1)[-1]
    if spec.get("type") == "array":
        return f"list of {_type_name(spec['items'])}"
    if spec.get("type") == "object":
        return f"map of {_type_name(spec['additionalProperties'])}"
    return str(spec.get("type"))


def _rows(props: JSON, replaces: set[str], required: tuple[str, ...] = ()) -> list[str]:
    rows = ["| property | type | description |", "| --- | --- | --- |"]
    for name, spec in props.items():
        flags = (("required", name in required), ("secret", spec.get("secret")), ("replaces", name in replaces))
        marks = [m for m, on in flags if on]
        label = f"`{name}`" + (f" ({', '.join(marks)})" if marks else "")
        rows.append(f"| {label} | {_type_name(spec)} | {str(spec.get('description', '')).replace('|', '/')} |")
    return rows


def reference(kind: Kind, schema: JSON) -> str:
    """`docs/resources/<name>.md`: inputs, outputs and the nested types, from the schema."""
    res = schema["resources"][kind.token]
    replaces = {camel(f.path) for f in _table(kind) if f.change is Change.REPLACE and "." not in f.path}
    outputs = {k: v for k, v in res["properties"].items() if k not in res["inputProperties"]}
    lines = [
        f"# {kind.name} (`{kind.token}`)",
        "",
        "<!-- Generated by `python -m pulumi_langsmith.plugin.schema --write` from the field table; do not edit. -->",
        "",
        res["description"],
        "",
        "## Inputs",
        "",
        *_rows(res["inputProperties"], replaces),
        "",
        "## Outputs",
        "",
        "All inputs, and:",
        "",
        *_rows(outputs, set()),
    ]
    used = sorted(t for t in schema["types"] if f'"#/types/{t}"' in json.dumps(res))
    seen: set[str] = set()
    while used:
        token = used.pop(0)
        if token in seen:
            continue
        seen.add(token)
        spec = schema["types"][token]
        lines += [
            "",
            f"## {token.rsplit(':', 1)[-1]}",
            "",
            spec.get("description", ""),
            "",
            *_rows(spec["properties"], set(), tuple(spec.get("required", ()))),
        ]
        used += sorted(t for t in schema["types"] if f'"#/types/{t}"' in json.dumps(spec) and t not in seen)
    return "\n".join(lines) + "\n"


def outputs() -> dict[Path, str]:
    """Every generated file, by path under the repository root."""
    schema = build()
    files = {ROOT / "plugin" / "schema.json": json.dumps(schema, indent=2) + "\n"}
    for kind in KINDS.values():
        files[ROOT / "docs" / "resources" / f"{kind.name.lower()}.md"] = reference(kind, schema)
    return files


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Print the langsmith package schema, or write the generated files.")
    parser.add_argument("--write", action="store_true", help="write plugin/schema.json and docs/resources/*.md")
    args = parser.parse_args(argv)
    if not args.write:
        print(json.dumps(build(), indent=2))
        return
    for path, text in outputs().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()


__all__: list[str] = ["build", "main", "outputs", "reference", "version"]
