"""The Deployment resource: its model, change set, dynamic provider and typed Args."""
