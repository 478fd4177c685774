"""Self-hosted LangSmith: register your cluster as a listener, then run an agent image on it.

Self-hosted LangSmith serves the control plane under `/api-host` on your LangSmith host:
    pulumi config set langsmith:controlPlaneUrl https://langsmith.example.com/api-host
    pulumi config set --secret langsmith:apiKey <key>
    pulumi config set langsmith:workspaceId <workspace uuid>
"""

import pulumi

from pulumi_langsmith import (
    Deployment,
    Listener,
    ListenerConfigArgs,
    ResourceSpecArgs,
    SourceConfigArgs,
    SourceRevisionConfigArgs,
)

config = pulumi.Config()

# The listener is the agent on your cluster that runs deployments; the namespaces it may deploy
# into are managed here (a change is an in-place update, drift shows on `pulumi refresh`).
cluster = Listener("cluster", compute_id=config.require("computeId"), k8s_namespaces=["agents", "batch"])

agent = Deployment(
    "image-agent",
    source="external_docker",
    source_config=SourceConfigArgs(
        # Deploy onto the listener above; Pulumi orders the listener first.
        listener_id=cluster.id,
        listener_config=ListenerConfigArgs(k8s_namespace="agents"),
        resource_spec=ResourceSpecArgs(min_scale=1, max_scale=2, cpu=1, memory_mb=2048),
    ),
    # A digest-pinned image: a new digest is a new revision, awaited until DEPLOYED.
    source_revision_config=SourceRevisionConfigArgs(image_uri=config.require("image")),
)

pulumi.export("listener_id", cluster.id)
pulumi.export("deployment_id", agent.deployment_id)
pulumi.export("revision_status", agent.revision_status)
