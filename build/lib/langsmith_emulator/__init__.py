"""Local emulator of the LangSmith Deployment control plane API (see emulator/README.md)."""
