"""Several agents, each deployed to staging and production, sharing secrets from stack config.

pulumi config set --secret openaiApiKey sk-...      # shared by every deployment
pulumi config set --secret tavilyApiKey tvly-...    # only the agents that search the web
"""

from dataclasses import dataclass

import pulumi

from pulumi_langsmith import Deployment, DeploymentArgs, SourceConfigArgs, SourceRevisionConfigArgs


@dataclass(frozen=True)
class Agent:
    name: str
    repo_url: str
    config_path: str = "langgraph.json"
    searches_web: bool = False


@dataclass(frozen=True)
class Environment:
    name: str
    deployment_type: str
    repo_ref: str


config = pulumi.Config()
# Read once and passed to every deployment: rotating a key is one `pulumi config set` and one `up`,
# which rolls a new revision into each deployment that uses it. Secret in config, secret in state.
openai_api_key = config.require_secret("openaiApiKey")
tavily_api_key = config.get_secret("tavilyApiKey")

AGENTS = [
    Agent("triage", "https://github.com/langchain-ai/langgraph-example"),
    Agent("research", "https://github.com/langchain-ai/new-langgraph-project", searches_web=True),
]
ENVIRONMENTS = [
    Environment("staging", deployment_type="dev", repo_ref="main"),
    Environment("prod", deployment_type="prod", repo_ref=config.require("releaseRef")),
]

urls: dict[str, pulumi.Output[str | None]] = {}
for env in ENVIRONMENTS:
    for agent in AGENTS:
        secrets = {"OPENAI_API_KEY": openai_api_key}
        if agent.searches_web and tavily_api_key is not None:
            secrets["TAVILY_API_KEY"] = tavily_api_key
        deployment = Deployment(
            # The resource name also seeds the deployment name (`triage-staging-<7 hex>`), so each
            # agent/environment pair is its own deployment.
            f"{agent.name}-{env.name}",
            DeploymentArgs(
                source="github",
                display_name=f"{agent.name} ({env.name})",
                source_config=SourceConfigArgs(
                    integration_id=config.require("integrationId"),
                    repo_url=agent.repo_url,
                    deployment_type=env.deployment_type,
                    build_on_push=False,
                ),
                source_revision_config=SourceRevisionConfigArgs(
                    repo_ref=env.repo_ref, langgraph_config_path=agent.config_path
                ),
                secrets=secrets,
            ),
        )
        urls[f"{agent.name}-{env.name}"] = deployment.url

pulumi.export("urls", urls)
