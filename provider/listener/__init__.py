"""The Listener resource: its model, dynamic provider and typed Args."""
