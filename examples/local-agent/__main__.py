"""One LangSmith deployment built from the LangGraph project in ./agent (no GitHub, no Docker).

The program archives ./agent with the vendor CLI's ignore rules (.gitignore, .dockerignore, and
never .env files) and hashes it; `pulumi up` uploads it and rolls out a revision only when that
hash changes. Credentials are stack config, never arguments (see README.md):
    pulumi config set --secret langsmith:apiKey <key>
    pulumi config set langsmith:workspaceId <workspace uuid>
"""

import pulumi

from pulumi_langsmith import Deployment, SourceConfigArgs, SourceRevisionConfigArgs

config = pulumi.Config()
reply_prefix = config.get("replyPrefix") or ""

agent = Deployment(
    "local-agent",
    # Relative to where `pulumi up` runs the program: this project's directory.
    source_dir="./agent",
    source_revision_config=SourceRevisionConfigArgs(langgraph_config_path="langgraph.json"),
    # Changing the deployment type replaces the deployment: it cannot be changed in place.
    source_config=SourceConfigArgs(deployment_type=config.require("deploymentType")),
    secrets={"REPLY_PREFIX": reply_prefix} if reply_prefix else None,
)

pulumi.export("deployment_id", agent.deployment_id)
pulumi.export("name", agent.name)
pulumi.export("url", agent.url)
pulumi.export("revision_status", agent.revision_status)
pulumi.export("latest_revision_id", agent.latest_revision_id)
pulumi.export("active_revision_id", agent.active_revision_id)
pulumi.export("source_hash", agent.source_hash)
pulumi.export("source_file_count", agent.source_file_count)
pulumi.export("source_archive_bytes", agent.source_archive_bytes)
