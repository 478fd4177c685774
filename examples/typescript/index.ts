import * as pulumi from "@pulumi/pulumi";
import * as langsmith from "@langsmith-iac/langsmith";

const config = new pulumi.Config();
// The defaults of repoUrl, repoRef and logLevel are in Pulumi.yaml.
const repoUrl = config.require("repoUrl");
const repoRef = config.require("repoRef");
const logLevel = config.require("logLevel");
// Set it with `pulumi config set --secret openaiApiKey <key>`.
const openaiApiKey = config.requireSecret("openaiApiKey");

// A lookup is an invoke: the workspace's GitHub integration that can see the repository.
const integration = langsmith.getGithubIntegrationOutput({ repoUrl });

const githubAgent = new langsmith.Deployment(
    "github-agent",
    {
        source: "github",
        displayName: "Support agent",
        sourceConfig: {
            integrationId: integration.id,
            repoUrl,
            // Changing the deployment type replaces the deployment.
            deploymentType: "dev",
        },
        sourceRevisionConfig: {
            // A new ref rolls out a new revision; `pulumi up` waits until it is DEPLOYED.
            repoRef,
            langgraphConfigPath: "langgraph.json",
        },
        // Plain env: in state and in `pulumi preview --diff`. A change rolls out one revision.
        env: { LOG_LEVEL: logLevel },
        // Secret env: a Pulumi secret from the program to the API, ciphertext in state.
        secrets: { OPENAI_API_KEY: openaiApiKey },
    },
    // Bounds the wait for DEPLOYED (the provider's `wait.timeoutSeconds` otherwise).
    { customTimeouts: { create: "30m", update: "30m" } },
);

const localAgent = new langsmith.Deployment("local-agent", {
    // A local LangGraph project, uploaded like `langgraph deploy`; relative to this directory.
    sourceDir: "../local-agent/agent",
    sourceConfig: { deploymentType: "dev" },
});

export const githubName = githubAgent.name;
export const githubUrl = githubAgent.url;
export const githubDashboardUrl = githubAgent.dashboardUrl;
export const githubRevisionStatus = githubAgent.revisionStatus;
export const localName = localAgent.name;
export const localUrl = localAgent.url;
export const localSourceHash = localAgent.sourceHash;
export const localRevisionStatus = localAgent.revisionStatus;
