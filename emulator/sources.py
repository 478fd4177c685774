"""Per-source rules as one table of data: what each deployment source requires, forbids and defaults.

Validation (`validation.py`, `deployments.py`) and the lifecycle (`lifecycle.py`) read this table
instead of branching on source names, so a new source or field is one row or one column here.
Sources: the spec's `DeploymentSource` enum; rules: the Terraform provider's fakes, the vendor CLI's
create bodies and live answers, as cited next to each use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from .reserved_env import ALLOWED_SELF_HOSTED, ALWAYS_RESERVED


class Rule(StrEnum):
    REQUIRED = "required"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True)
class SourceRules:
    #: Revision inputs (`source_revision_config.*`) that apply to this source; a new revision needs
    #: all of them (sent, or carried over from the latest revision), in the order reported.
    revision_fields: tuple[str, ...]
    #: Create-time fields that must be present, as `section.field` labels, in the order reported.
    required: tuple[str, ...]
    #: Whether an empty string counts as missing for `required` (today's answers: github checks
    #: presence only, the other sources also refuse "").
    blank_is_missing: bool = True
    #: `source_config.deployment_type` and `source_config.build_on_push` on create.
    deployment_type: Rule = Rule.REQUIRED
    build_on_push: Rule = Rule.FORBIDDEN
    #: Whether a create must carry `source_config.resource_spec` (self-hosted images size themselves).
    resource_spec_required: bool = False
    #: Values the server materialises for unset `resource_spec` fields; None: store only what was sent.
    resource_spec_defaults: Mapping[str, object] | None = None
    #: Self-hosted: may set the env names Cloud reserves, and may carry listener/secret references.
    self_hosted: bool = False
    #: Builds an image from source (github, internal_source); image sources skip the build phases.
    builds: bool = False
    #: Whether a create always starts a revision (else only when it names an artifact:
    #: the Terraform provider's cloud fake).
    revision_on_create: bool = False
    #: Environment variable names a `secrets` entry may not use (derived from `self_hosted`).
    reserved_env: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        names = ALWAYS_RESERVED if self.self_hosted else ALWAYS_RESERVED | ALLOWED_SELF_HOSTED
        object.__setattr__(self, "reserved_env", names)


#: `source_config` fields only the github source takes.
GITHUB_ONLY_FIELDS = ("integration_id", "repo_url")
#: `source_config` fields only self-hosted sources take.
SELF_HOSTED_ONLY_FIELDS = ("listener_id", "listener_config")

SOURCE_RULES: Mapping[str, SourceRules] = MappingProxyType(
    {
        "github": SourceRules(
            revision_fields=("repo_ref", "langgraph_config_path"),
            required=(
                "source_config.integration_id",
                "source_config.repo_url",
                "source_revision_config.repo_ref",
                "source_revision_config.langgraph_config_path",
            ),
            blank_is_missing=False,
            build_on_push=Rule.REQUIRED,
            builds=True,
            revision_on_create=True,
        ),
        "external_docker": SourceRules(
            revision_fields=("image_uri",),
            required=("source_revision_config.image_uri",),
            deployment_type=Rule.FORBIDDEN,
            resource_spec_required=True,
            resource_spec_defaults=MappingProxyType({"min_scale": 1, "max_scale": 1, "cpu": 1.0, "memory_mb": 2048}),
            self_hosted=True,
            revision_on_create=True,
        ),
        "internal_docker": SourceRules(
            revision_fields=("image_uri",),
            required=(),
        ),
        "internal_source": SourceRules(
            revision_fields=("source_tarball_path", "langgraph_config_path"),
            # The spec calls langgraph_config_path "required on create for buildable sources", but
            # langgraph-cli 0.4.40 creates these with an empty source_revision_config
            # (`deploy._resolve_or_create`) and sends it with the tarball (`update_deployment_internal_source`).
            required=(),
            builds=True,
        ),
    }
)

#: source -> names a `secrets` entry may not use on that source (compared with the provider's table).
RESERVED_ENV_BY_SOURCE: Mapping[str, frozenset[str]] = MappingProxyType(
    {source: rules.reserved_env for source, rules in SOURCE_RULES.items()}
)


def reserved_env(source: str) -> frozenset[str]:
    """The reserved names for `source` (an unknown source gets the strictest, Cloud, set)."""
    return RESERVED_ENV_BY_SOURCE.get(source, ALWAYS_RESERVED | ALLOWED_SELF_HOSTED)


def builds(source: str) -> bool:
    """Whether a revision of `source` goes through the build phases (image sources skip them)."""
    return SOURCE_RULES[source].builds
