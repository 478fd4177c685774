"""Business rules the real control plane enforces after schema validation (all 400s).

Kept free of storage so each rule reads as a plain function and can be unit-tested alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from .apishape import SPEC_PATH
from .errors import BadRequest
from .models import ResourceSpec, Secret
from .sources import SOURCE_RULES, Rule, SourceRules, reserved_env

# Names, each part with its evidence:
# - lowercase letters, digits and hyphens: vendor CLI langgraph-cli 0.4.40 `deploy.py` `normalize_name`
#   ("LangSmith Deployment names only allow lowercase alphanumeric characters and hyphens ([a-z0-9-])").
#   That function keeps a leading digit ("2024 Agent" -> "2024-agent"), so the CLI would send one.
# - starting with a letter: STRICTER than the evidence. Only a third-party live experiment says so
#   (codekiln/langstar `reference/experiments/178-experiment-control-plane-api/README.md`, "Must start
#   with alphabetic character"; the refusal it records is for underscores), and a third-party client's
#   DNS-label rule allows a leading digit. Kept so a test against this emulator never relies on one;
#   the provider is to accept one (issue 20).
# - a DNS label, at most 63 characters, ending in a letter or digit: a third-party client; guess.
NAME_PATTERN = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
TAG_PREFIX = "refs/tags/"


#: The Terraform provider's cloud fake (deployment_cloud_acceptance_test.go) answers exactly this.
CLOUD_CREATE_REQUIRED = "Cloud deployment_type and GitHub build_on_push must be supplied"
#: Reported for self-hosted images, which take no deployment_type (Terraform offline fake's GET).
SELF_HOSTED_DEPLOYMENT_TYPE = "prod"


def check_required(source: str, given: Mapping[str, object], rules: SourceRules) -> None:
    """The source's `required` fields (`given`: label -> value), all missing ones in one message."""
    missing = [label for label, value in given.items() if value is None or (rules.blank_is_missing and value == "")]
    if missing:
        verb = "is required" if len(rules.required) == 1 else "required"
        raise BadRequest(f"{', '.join(missing)} {verb} for '{source}' source.")


def check_create_required(
    source: str, deployment_type: str | None, build_on_push: bool | None, has_resource_spec: bool
) -> None:
    """What a create must carry, per source (Terraform provider fakes; vendor CLI create bodies)."""
    rules = SOURCE_RULES[source]
    if rules.deployment_type is Rule.FORBIDDEN and deployment_type is not None:
        raise BadRequest(f"source_config.deployment_type is not applicable for '{source}' source.")
    if rules.resource_spec_required and not has_resource_spec:
        raise BadRequest(f"source_config.resource_spec is required for '{source}' source (send {{}} for defaults).")
    if (rules.deployment_type is Rule.REQUIRED and deployment_type is None) or (
        rules.build_on_push is Rule.REQUIRED and build_on_push is None
    ):
        raise BadRequest(CLOUD_CREATE_REQUIRED)
    if rules.build_on_push is Rule.FORBIDDEN and build_on_push is not None:
        raise BadRequest("build_on_push is only valid for GitHub")


def validate_name(name: str) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise BadRequest(
            f"Invalid deployment name '{name}'. A name must be 1-63 characters long, start with a lowercase"
            " letter, end with a lowercase letter or digit and contain only lowercase letters, digits and '-'."
        )


def validate_secrets(secrets: Iterable[Secret], source: str) -> None:
    reserved = reserved_env(source)
    seen: set[str] = set()
    for secret in secrets:
        if not secret.name.strip():
            raise BadRequest("Secret names must not be empty.")
        if secret.name in reserved:
            raise BadRequest(
                f"Secret name '{secret.name}' is reserved: the environment variable is managed by"
                " LangSmith Deployment and cannot be set."
            )
        if secret.name in seen:
            raise BadRequest(f"Duplicate secret name '{secret.name}'.")
        seen.add(secret.name)


def validate_tag_build_on_push(repo_ref: str | None, build_on_push: bool | None) -> None:
    """The spec's `SourceConfig.build_on_push`: "Cannot be enabled when `source_revision_config.repo_ref`
    specifies a tag (starts with `refs/tags/`)", and `SourceRevisionConfig.repo_ref`: "When using a tag,
    `source_config.build_on_push` must be set to `false`". 400 on create and on PATCH, where callers pass
    the stored values merged with the request's (the Terraform provider's cloud fake,
    `deployment_cloud_acceptance_test.go`; control-plane-api.md 4.2): a PATCH that turns it on with a
    branch ref in the same body is accepted, one that turns it on while the stored ref is a tag is not."""
    if build_on_push and repo_ref is not None and repo_ref.startswith(TAG_PREFIX):
        raise BadRequest(
            f"source_config.build_on_push cannot be enabled when source_revision_config.repo_ref is a tag"
            f" ('{repo_ref}'). Tags are immutable and cannot trigger automatic builds on push."
        )


def check_revision_fields(source: str, given: dict[str, str | None]) -> None:
    """Reject revision inputs that do not apply to `source` (null values are always fine)."""
    allowed = SOURCE_RULES[source].revision_fields
    for field_name, value in given.items():
        if value is not None and field_name not in allowed:
            raise BadRequest(f"source_revision_config.{field_name} is not applicable for '{source}' source.")


def _rounded_fields() -> frozenset[str]:
    schema = json.loads(SPEC_PATH.read_text(encoding="utf-8"))["components"]["schemas"]["ResourceSpec-Input"]
    return frozenset(
        name
        for name, prop in schema["properties"].items()
        if "rounded to 1 decimal place" in str(prop.get("description", ""))
    )


#: resource_spec fields whose spec description says "Values are rounded to 1 decimal place".
ROUNDED_FIELDS = _rounded_fields()


def round_cpu(spec: dict[str, object]) -> dict[str, object]:
    """The spec: CPU values "are rounded to 1 decimal place" (ties: Python's `round`, a guess)."""
    return {
        name: round(value, 1) if name in ROUNDED_FIELDS and isinstance(value, int | float) else value
        for name, value in spec.items()
    }


def materialise_resource_spec(spec: ResourceSpec | None, source: str) -> dict[str, object] | None:
    """Store a spec whole (never merged); external images get the server defaults for unset fields."""
    defaults = SOURCE_RULES[source].resource_spec_defaults
    if spec is None and defaults is None:
        return None
    full: dict[str, object] = {name: None for name in ResourceSpec.model_fields}
    if defaults is not None:
        full.update(defaults)
    if spec is not None:
        full.update(spec.model_dump(mode="json", exclude_unset=True))
    return round_cpu(full)
