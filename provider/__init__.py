"""Pulumi dynamic provider for LangSmith Deployment (LangGraph Platform).

from provider import Deployment, SourceConfigArgs, SourceRevisionConfigArgs
"""

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
    "ListenerConfigArgs",
    "ResourceSpecArgs",
    "SecretReferenceArgs",
    "SourceConfigArgs",
    "SourceRevisionConfigArgs",
    "WaitArgs",
]
