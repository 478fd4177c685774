"""The Deployment's fields, each declared once: what a change does, drift, secrecy, defaults, sources.

Validation (per-source rules), the change set, payloads, refresh mirroring,
`additional_secret_outputs` and the README's tables are all derived from `FIELDS`;
`tests/test_readme_tables.py` fails when the README disagrees with it.
"""

from __future__ import annotations

from typing import Any

from ..core.schema import Change, Compare, Field, Removal, change_table, removal_table

GITHUB = "github"
EXTERNAL_DOCKER = "external_docker"
INTERNAL_SOURCE = "internal_source"
SOURCES = (GITHUB, EXTERNAL_DOCKER, INTERNAL_SOURCE)


_IMMUTABLE = 'the spec: "cannot be changed (PATCH)"; the Terraform provider marks it RequiresReplace'
_REVISION = 'the spec: "will trigger creation of a new revision"'
_TF_DEFAULT = "the Terraform provider documents this default; the service answers 400 without it"
# The spec: "This only applies to JS deployments"; the commands run when a revision is built, so a
# change is rolled out as one (sent in the revision's PATCH, which the server applies before building).
_BUILD = "the spec's SourceConfig; used when a revision is built (JS projects)"
_GH, _ED, _IS = frozenset({GITHUB}), frozenset({EXTERNAL_DOCKER}), frozenset({INTERNAL_SOURCE})
_CLOUD = _GH | _IS
_ARCHIVE = "computed by the program from `source_dir` (`SourceArchive`); informational, the hash decides"

# Removal (what taking an input out of the program does), each with its source:
_NULL_KEEPS = (
    'the API: "null cannot clear a field: omitted and null both mean no change" (control-plane-api.md 4.2); '
    'LangChain\'s Terraform provider: removing it "leaves the last value in place"'
)
_REQUIRED = "required: check refuses the program without it"
_GONE = "a replacement (the field cannot change in place) by a deployment without it"
_ENV_CLEARS = (
    "the API replaces the whole env with the `secrets` list a PATCH sends, and `[]` means unchanged "
    "(control-plane-api.md 6; LangChain's Terraform provider `revisionPayload` omits the list, and refuses an "
    "empty one); the list always holds the ownership tag, so it is never empty: the names the old inputs "
    "declared are left out, any other (set in the UI) is carried forward"
)
_REFS_CLEAR = (
    "the API: `secret_references: []` removes all, omission keeps the previous (control-plane-api.md 6, as "
    "LangChain's Terraform provider documents): a removal sends `[]`"
)
_LOCAL_DEFAULT = "a provider-side setting: its model default"

# Order matters for REPLACE fields after `name`: the ownership tag hashes them in this order, and
# that tag is written into every deployment already created.
FIELDS: tuple[Field, ...] = (
    Field(
        "name",
        Change.REPLACE,
        _IMMUTABLE,
        drift=True,
        removal=Removal.KEEPS,
        removal_why="the resource is then autonamed, and check keeps the name the deployment has",
    ),
    Field("source", Change.REPLACE, _IMMUTABLE, removal=Removal.REFUSED, removal_why=_REQUIRED),
    Field(
        "source_config.deployment_type",
        Change.REPLACE,
        f"{_IMMUTABLE}; {_TF_DEFAULT}",
        default="prod",
        sources=_CLOUD,
        removal=Removal.RESETS,
        removal_why="check fills in the service's default, as for a new deployment: a replacement unless it was prod",
    ),
    Field(
        "source_config.integration_id",
        Change.REPLACE,
        _IMMUTABLE,
        sources=_GH,
        required_for=_GH,
        removal=Removal.REFUSED,
        removal_why=_REQUIRED,
    ),
    # Newer docs describe a PATCH of repo_url; the spec's servers answer 400.
    Field(
        "source_config.repo_url",
        Change.REPLACE,
        _IMMUTABLE,
        drift=True,
        sources=_GH,
        required_for=_GH,
        removal=Removal.REFUSED,
        removal_why=_REQUIRED,
    ),
    Field(
        "source_config.listener_id", Change.REPLACE, _IMMUTABLE, sources=_ED, removal=Removal.CLEARS, removal_why=_GONE
    ),
    Field(
        "source_config.listener_config.k8s_namespace",
        Change.REPLACE,
        _IMMUTABLE,
        sources=_ED,
        present_at="source_config.listener_config",
        removal=Removal.CLEARS,
        removal_why=_GONE,
    ),
    Field(
        "display_name",
        Change.PATCH,
        "not accepted on create; PATCHed after",
        drift=True,
        newer_api=True,
        removal=Removal.KEEPS,
        removal_why=_NULL_KEEPS,
    ),
    Field(
        "source_config.build_on_push",
        Change.PATCH,
        f"the spec; {_TF_DEFAULT}",
        drift=True,
        default=False,
        sources=_GH,
        removal=Removal.RESETS,
        removal_why="check fills in the documented default (the service answers 400 to a github create without "
        "it), and the PATCH sends it",
    ),
    Field(
        "source_config.custom_url",
        Change.PATCH,
        "the spec",
        drift=True,
        sources=_ED,
        removal=Removal.KEEPS,
        removal_why=_NULL_KEEPS,
    ),
    Field(
        "source_revision_config.repo_ref",
        Change.REVISION,
        _REVISION,
        drift=True,
        sources=_GH,
        required_for=_GH,
        removal=Removal.REFUSED,
        removal_why=_REQUIRED,
    ),
    Field(
        "source_revision_config.langgraph_config_path",
        Change.REVISION,
        _REVISION,
        drift=True,
        sources=_CLOUD,
        required_for=_GH,
        removal=Removal.RESETS,
        removal_why="with `source_dir`, the path `langgraph deploy` uses (`langgraph.json`), rolled out as a "
        "revision; required for github",
        reset="langgraph.json",
    ),
    Field(
        "source_revision_config.image_uri",
        Change.REVISION,
        _REVISION,
        drift=True,
        sources=_ED,
        required_for=_ED,
        removal=Removal.REFUSED,
        removal_why=_REQUIRED,
    ),
    Field(
        "source_config.install_command",
        Change.REVISION,
        _BUILD,
        drift=True,
        sources=_CLOUD,
        removal=Removal.KEEPS,
        removal_why=_NULL_KEEPS,
    ),
    Field(
        "source_config.build_command",
        Change.REVISION,
        _BUILD,
        drift=True,
        sources=_CLOUD,
        removal=Removal.KEEPS,
        removal_why=_NULL_KEEPS,
    ),
    Field(
        "source_hash",
        Change.REVISION,
        "content hash of the files `langgraph deploy` would upload from `source_dir`; a new one is "
        "uploaded and rolled out as a revision (the PATCH carries it in env `PULUMI_LANGSMITH_SOURCE_HASH`)",
        sources=_IS,
        required_for=_IS,
        removal=Removal.REFUSED,
        removal_why="computed from `source_dir`, which is required",
    ),
    Field(
        "secret_references",
        Change.REVISION,
        _REVISION,
        drift=True,
        sources=_ED,
        removal=Removal.CLEARS,
        removal_why=_REFS_CLEAR,
    ),
    # Plain env vars (visible in state and the diff) and secret ones: two inputs, one API list.
    Field(
        "env",
        Change.REVISION,
        f"{_REVISION} (sent in `secrets`)",
        drift=True,
        api="secrets",
        removal=Removal.CLEARS,
        removal_why=_ENV_CLEARS,
    ),
    Field(
        "secrets",
        Change.REVISION,
        _REVISION,
        drift=True,
        secret=True,
        compare=Compare.HASH,
        removal=Removal.CLEARS,
        removal_why=_ENV_CLEARS,
    ),
    Field(
        "source_config.resource_spec",
        Change.REVISION,
        f"{_REVISION}; the service answers 400 to a create without it (langgraph-cli sends {{}})",
        drift=True,
        create_default={},
        sources=_ED,
        compare=Compare.DECLARED_KEYS,
        removal=Removal.KEEPS,
        removal_why='the API: "omitting resource_spec inherits the previous one" (control-plane-api.md 4.2); '
        "only declared keys are managed, so removing one keeps its value too (LangChain's Terraform provider: "
        '"relinquishes management of that field and preserves its current value")',
    ),
    Field(
        "source_dir",
        Change.STATE,
        "absolute path the provider re-reads at apply; moving the checkout rolls out nothing",
        sources=_IS,
        required_for=_IS,
        removal=Removal.REFUSED,
        removal_why=_REQUIRED,
    ),
    Field("source_file_count", Change.STATE, _ARCHIVE, sources=_IS, removal=Removal.CLEARS, removal_why=_ARCHIVE),
    Field("source_archive_bytes", Change.STATE, _ARCHIVE, sources=_IS, removal=Removal.CLEARS, removal_why=_ARCHIVE),
    Field(
        "adopt", Change.STATE, "provider-side setting", removal=Removal.RESETS, removal_why=_LOCAL_DEFAULT, reset=False
    ),
    Field(
        "adopt_id",
        Change.STATE,
        "provider-side setting (used by the create that takes the deployment over)",
        removal=Removal.CLEARS,
        removal_why="a provider-side setting, for the first create only: nothing on the server to change",
    ),
    Field(
        "delete_tracing_project",
        Change.STATE,
        "provider-side setting",
        removal=Removal.RESETS,
        removal_why=_LOCAL_DEFAULT,
        reset=False,
    ),
    Field(
        "wait",
        Change.STATE,
        "provider-side setting",
        removal=Removal.RESETS,
        removal_why=f"{_LOCAL_DEFAULT} (every setting of `wait` at its default)",
        reset={},
    ),
)

#: Inputs the resource sets itself, never the user: its ownership tag and the autoname's prefix.
INTERNAL_INPUTS: tuple[str, ...] = ("owner", "name_prefix")

#: The outputs that are secret.
SECRET_OUTPUT_NAMES: tuple[str, ...] = ("secrets_hash",)
#: The server-owned outputs, in the order state holds them, each with what it is (the schema, the
#: generated SDKs and docs/resources/deployment.md show it).
OUTPUT_DOCS: dict[str, str] = {
    "deployment_id": "The deployment's UUID (also the resource's id).",
    "url": "The deployment's URL as the server reports it (`source_config.custom_url`); unset until it assigns one.",
    "latest_revision_id": "The newest revision's UUID.",
    "active_revision_id": "The UUID of the revision that serves traffic.",
    "revision_status": "The latest revision's status when `up` last looked: DEPLOYED after a completed wait; "
    "with waiting off, the status it had just after it was made.",
    "status": "The deployment's status (AWAITING_DATABASE, READY, ...).",
    "created_at": "When the deployment was created (server time).",
    "updated_at": "When the deployment last changed (server time).",
    "secrets_hash": "SHA-256 of the `secrets` the server holds: refresh shows their drift without storing values.",
    "tenant_id": "The workspace (tenant) the deployment belongs to.",
    "dashboard_url": "The deployment's page in the LangSmith UI.",
    "health": "What the health check after the last rollout found: `ok`, or `not checked` (waiting or the check "
    "turned off, or no URL).",
}
OUTPUTS: tuple[str, ...] = tuple(OUTPUT_DOCS)


def paths(change: Change) -> tuple[str, ...]:
    return tuple(f.path for f in FIELDS if f.change is change)


BY_PATH: dict[str, Field] = {f.path: f for f in FIELDS}
#: The top-level input keys, in the order state has always held them.
INPUT_KEYS: tuple[str, ...] = (
    "name",
    "display_name",
    "source",
    "source_config",
    "source_revision_config",
    "secrets",
    "env",
    "secret_references",
    "source_dir",
    "source_hash",
    "source_file_count",
    "source_archive_bytes",
    "adopt",
    "adopt_id",
    "delete_tracing_project",
    "wait",
    *INTERNAL_INPUTS,
)
#: The replace-triggering fields other than the name (an autoname follows them).
REPLACE_BEHIND_NAME: tuple[str, ...] = tuple(p for p in paths(Change.REPLACE) if p != "name")
PATCH_PATHS = paths(Change.PATCH)
STATE_PATHS = paths(Change.STATE)
#: Revision fields compared by value (secrets and resource_spec have their own comparison).
REVISION_VALUE_PATHS = tuple(f.path for f in FIELDS if f.change is Change.REVISION and f.compare is Compare.VALUE)
#: The inputs that together make up the API's `secrets` list.
ENV_INPUTS: tuple[str, ...] = tuple(f.path for f in FIELDS if f.api == "secrets" or f.path == "secrets")
NEWER_API_PATHS = tuple(f.path for f in FIELDS if f.newer_api)
SECRET_OUTPUTS: list[str] = [*(f.path for f in FIELDS if f.secret), *SECRET_OUTPUT_NAMES]


def defaults(source: str) -> dict[str, Any]:
    """The values check fills in for this source when unset (they show in the preview)."""
    return {f.path: f.default for f in FIELDS if f.has_default and source in f.sources}


def create_defaults(source: str) -> dict[str, Any]:
    """The values sent on create only when unset: `defaults` plus the create-only ones."""
    return {
        **defaults(source),
        **{f.path: f.create_default for f in FIELDS if f.has_create_default and source in f.sources},
    }


def readme_change_table() -> list[tuple[str, str]]:
    """The README's "How it behaves" diff table."""
    return change_table(FIELDS, _readme_name)


def readme_removal_table() -> list[tuple[str, str]]:
    """The README's "Removing an input" table."""
    return removal_table(FIELDS, _readme_name)


def _readme_name(f: Field) -> str:
    return f.path.split(".", 1)[1] if f.path.startswith("source_config.") else f.path
