"""Pulumi dynamic provider for LangSmith Deployment (LangGraph Platform).

from provider import Deployment, SourceConfigArgs, SourceRevisionConfigArgs
"""

from .listener import Listener
from .lookups import LookupFailed, get_deployment, get_github_integration, list_revisions
from .resource import (
    Deployment,
    DeploymentArgs,
    ListenerConfigArgs,
    ResourceSpecArgs,
    SecretReferenceArgs,
    SourceConfigArgs,
    SourceRevisionConfigArgs,
    WaitArgs,
)

__all__ = [
    "Deployment",
    "DeploymentArgs",
    "Listener",
    "ListenerConfigArgs",
    "LookupFailed",
    "ResourceSpecArgs",
    "SecretReferenceArgs",
    "SourceConfigArgs",
    "SourceRevisionConfigArgs",
    "WaitArgs",
    "get_deployment",
    "get_github_integration",
    "list_revisions",
]
