"""Runs what the local control plane deploys: real builds, real Agent Servers, zero-downtime switches."""
