"""A self-hosted LangSmith deployment: your own image, run by the listener on your Kubernetes cluster.

Self-hosted LangSmith serves the control plane under `/api-host` on your LangSmith host:
    pulumi config set langsmith:controlPlaneUrl https://langsmith.example.com/api-host
    pulumi config set --secret langsmith:apiKey <key>
    pulumi config set langsmith:workspaceId <workspace uuid>
"""

import pulumi

from pulumi_langsmith import (
    Deployment,
    DeploymentArgs,
    ListenerConfigArgs,
    ResourceSpecArgs,
    SecretReferenceArgs,
    SourceConfigArgs,
    SourceRevisionConfigArgs,
)

config = pulumi.Config()

agent = Deployment(
    "image-agent",
    DeploymentArgs(
        source="external_docker",
        display_name="Image agent (self-hosted)",
        source_config=SourceConfigArgs(
            # Which listener and namespace run it; changing either replaces the deployment.
            listener_id=config.require("listenerId"),
            listener_config=ListenerConfigArgs(k8s_namespace=config.require("namespace")),
            # Only the keys set here are managed (the server fills in the rest); a change rolls
            # out a new revision with the new sizing.
            resource_spec=ResourceSpecArgs(
                min_scale=1,
                max_scale=config.require_int("maxScale"),
                cpu=1,
                cpu_limit=2,
                memory_mb=2048,
                memory_limit_mb=4096,
                labels={"team": "agents"},
            ),
        ),
        # A new image tag is a new revision; `pulumi up` waits until it is DEPLOYED.
        source_revision_config=SourceRevisionConfigArgs(image_uri=config.require("image")),
        # On your own cluster, keep secret values out of Pulumi entirely: reference a Kubernetes
        # Secret in the namespace, and the pod reads it at start.
        secret_references=[
            SecretReferenceArgs(name="OPENAI_API_KEY", secret_name="agent-secrets", secret_key="openai-api-key"),
        ],
    ),
)

pulumi.export("name", agent.name)
pulumi.export("deployment_id", agent.deployment_id)
pulumi.export("active_revision_id", agent.active_revision_id)
pulumi.export("revision_status", agent.revision_status)
