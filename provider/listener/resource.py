"""The `Listener` resource: register a self-hosted data plane (a Kubernetes cluster) with LangSmith.

Deployments with `source="external_docker"` run on a listener: pass `listener.id` as
`source_config.listener_id` and one of its `k8s_namespaces` as `listener_config.k8s_namespace`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from .model import LISTENER_OUTPUTS
from .provider import ListenerProvider


class Listener(Resource, module="langsmith", name="Listener"):
    """A listener kept in sync by `pulumi up`. Changing `compute_id` replaces it."""

    listener_id: pulumi.Output[str]
    compute_id: pulumi.Output[str]
    compute_type: pulumi.Output[str]
    k8s_namespaces: pulumi.Output[list[str] | None]
    version: pulumi.Output[str | None]
    created_at: pulumi.Output[str]
    updated_at: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        compute_id: pulumi.Input[str],
        k8s_namespaces: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        version: pulumi.Input[str] | None = None,
        adopt: bool | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`compute_id` names the compute (e.g. the cluster) and is unique per workspace.

        `k8s_namespaces` lists the namespaces deployments may use (omit it to leave them unmanaged);
        `adopt=True` takes over a listener with the same `compute_id` that this stack did not create.
        """
        props: dict[str, Any] = {key: None for key in LISTENER_OUTPUTS}
        props.update(compute_id=compute_id, k8s_namespaces=k8s_namespaces, version=version, adopt=adopt)
        super().__init__(ListenerProvider(), resource_name, props, opts)
