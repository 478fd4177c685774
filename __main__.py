"""The stack `make up` deploys: one GitHub-source LangSmith deployment with a secret read from config.

Copy this into your own program. Credentials are not arguments: set them once per stack with
    pulumi config set --secret langsmith:apiKey <key>
    pulumi config set langsmith:workspaceId <workspace uuid>
    pulumi config set langsmith:controlPlaneUrl eu      # us (default), eu, or https://<host>/api-host
"""

import pulumi

from pulumi_langsmith import Deployment, SourceConfigArgs, SourceRevisionConfigArgs

config = pulumi.Config()

agent = Deployment(
    "agent",
    display_name="Demo agent",
    source="github",
    source_config=SourceConfigArgs(
        integration_id=config.require("integrationId"),
        repo_url=config.require("repoUrl"),
        deployment_type="dev",
        build_on_push=False,
    ),
    source_revision_config=SourceRevisionConfigArgs(
        repo_ref=config.require("repoRef"),
        langgraph_config_path="langgraph.json",
    ),
    # Stored encrypted in state; only a hash of the values is kept for drift detection.
    secrets={"OPENAI_API_KEY": config.require_secret("openaiApiKey")},
)

pulumi.export("deployment_id", agent.id)
pulumi.export("name", agent.name)
pulumi.export("url", agent.url)
pulumi.export("revision_status", agent.revision_status)
pulumi.export("active_revision_id", agent.active_revision_id)
