// LangSmith Deployment (LangGraph Platform) deployments and listeners, kept live by `pulumi up`.
package langsmith
