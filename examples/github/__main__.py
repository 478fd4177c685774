"""One LangSmith deployment built from a GitHub repository.

Credentials are stack config, never arguments (see README.md):
    pulumi config set --secret langsmith:apiKey <key>
    pulumi config set langsmith:workspaceId <workspace uuid>
"""

import pulumi

from pulumi_langsmith import (
    Deployment,
    DeploymentArgs,
    SourceConfigArgs,
    SourceRevisionConfigArgs,
    WaitArgs,
    get_github_integration,
)

config = pulumi.Config()
repo_url = config.require("repoUrl")
# No integration UUID to paste: the workspace's GitHub integration that can see the repository is
# looked up (a few GETs at preview and up); set `integrationId` to pin one.
integration_id = config.get("integrationId") or get_github_integration(repo_url).apply(lambda i: str(i["id"]))

# Optional: when set, the deployment's environment is managed from here. The value is a Pulumi
# secret, so state holds only ciphertext; leave it unset to leave the environment alone.
openai_api_key = config.get_secret("openaiApiKey")

agent = Deployment(
    "support-agent",
    DeploymentArgs(
        source="github",
        # Shown in the LangSmith UI; changing it is a PATCH, no rebuild.
        display_name="Support agent",
        source_config=SourceConfigArgs(
            integration_id=integration_id,
            repo_url=repo_url,
            # Changing the deployment type replaces the deployment: it cannot be changed in place.
            deployment_type=config.require("deploymentType"),
            # Pulumi decides what runs: pushes to the branch do not redeploy behind its back.
            build_on_push=False,
        ),
        source_revision_config=SourceRevisionConfigArgs(
            # A new ref rolls out a new revision; `pulumi up` waits until it is DEPLOYED.
            repo_ref=config.require("repoRef"),
            langgraph_config_path="langgraph.json",
        ),
        secrets={"OPENAI_API_KEY": openai_api_key} if openai_api_key is not None else None,
        # Plain settings: visible in state and in `pulumi preview --diff`; a change rolls out a revision.
        env={"LOG_LEVEL": config.get("logLevel") or "info"},
        # `custom_timeouts` never reach a dynamic provider: the deadline for DEPLOYED is set here.
        # While `up` waits, new build and deploy log lines are shown as they arrive (stream_logs).
        wait=WaitArgs(timeout_seconds=1800, stream_logs=True),
    ),
)

pulumi.export("name", agent.name)
pulumi.export("url", agent.url)
pulumi.export("deployment_id", agent.deployment_id)
pulumi.export("revision_status", agent.revision_status)
pulumi.export("dashboard_url", agent.dashboard_url)
