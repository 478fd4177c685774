"""Pulumi dynamic provider for LangSmith Deployment (LangGraph Platform).

from pulumi_langsmith import Deployment, SourceConfigArgs, SourceRevisionConfigArgs
"""

from .deployment.resource import (
    Deployment,
    DeploymentArgs,
    ListenerConfigArgs,
    ResourceSpecArgs,
    SecretReferenceArgs,
    SourceConfigArgs,
    SourceDirInvalid,
    SourceRevisionConfigArgs,
    WaitArgs,
)
from .listener.resource import Listener
from .lookups import LookupFailed, get_deployment, get_github_integration, list_revisions

__all__ = [
    "Deployment",
    "DeploymentArgs",
    "Listener",
    "ListenerConfigArgs",
    "LookupFailed",
    "ResourceSpecArgs",
    "SecretReferenceArgs",
    "SourceConfigArgs",
    "SourceDirInvalid",
    "SourceRevisionConfigArgs",
    "WaitArgs",
    "get_deployment",
    "get_github_integration",
    "list_revisions",
]
