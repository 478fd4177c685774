"""The plugin's resources: each a type token, the shape of its properties and the dynamic provider
class that implements it. Everything else about a resource comes from its field table."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.base import ConfiguredProvider
from ..deployment import fields as deployment_fields
from ..deployment.model import DeploymentInputs
from ..deployment.provider import DeploymentProvider
from ..deployment.resource import SET_BY_PROVIDER
from ..listener import fields as listener_fields
from ..listener.model import ListenerInputs
from ..listener.provider import ListenerProvider
from .shapes import STRING, ListOf, Obj, Shape, of_model

PACKAGE = "langsmith"


@dataclass(frozen=True)
class Kind:
    token: str
    shape: Obj  # every property state holds: inputs, check-computed values and outputs
    inputs: tuple[str, ...]  # what a program declares (the schema's inputProperties)
    computed: tuple[str, ...]  # inputs check fills in from others: outputs to a program
    outputs: tuple[str, ...]  # server-owned
    output_docs: dict[str, str]
    always_secret: tuple[str, ...]
    provider: type[ConfiguredProvider]

    @property
    def name(self) -> str:
        return self.token.rsplit(":", 1)[-1]


def _outputs(names: tuple[str, ...], lists: tuple[str, ...] = ()) -> dict[str, Shape]:
    return {n: ListOf(STRING) if n in lists else STRING for n in names}


#: Inputs check fills in from `source_dir` (`resource.program_inputs`): outputs to a program.
_COMPUTED = tuple(k for k in SET_BY_PROVIDER if k not in deployment_fields.INTERNAL_INPUTS)

DEPLOYMENT = Kind(
    token=f"{PACKAGE}:index:Deployment",
    shape=of_model(DeploymentInputs, _outputs(deployment_fields.OUTPUTS), name="Deployment"),
    inputs=tuple(k for k in DeploymentInputs.model_fields if k not in (*deployment_fields.INTERNAL_INPUTS, *_COMPUTED)),
    computed=_COMPUTED,
    outputs=deployment_fields.OUTPUTS,
    output_docs=deployment_fields.OUTPUT_DOCS,
    always_secret=tuple(deployment_fields.SECRET_OUTPUTS),
    provider=DeploymentProvider,
)

LISTENER = Kind(
    token=f"{PACKAGE}:index:Listener",
    shape=of_model(ListenerInputs, _outputs(listener_fields.OUTPUTS, ("server_k8s_namespaces",)), name="Listener"),
    inputs=tuple(ListenerInputs.model_fields),
    computed=(),
    outputs=listener_fields.OUTPUTS,
    output_docs=listener_fields.OUTPUT_DOCS,
    always_secret=(),
    provider=ListenerProvider,
)

KINDS: dict[str, Kind] = {k.token: k for k in (DEPLOYMENT, LISTENER)}
