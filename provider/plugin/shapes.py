"""The shape of each resource's properties, derived from its pydantic model and field table.

Why: Pulumi programs name properties in camelCase (`sourceConfig.repoUrl`), the API and this package
in snake_case (`source_config.repo_url`). A map's keys are user data (`env.OPENAI_API_KEY`) and are
never renamed; the Kubernetes sub-objects of `resource_spec` are camelCase in the API already
(`mountPath`), and `camel` leaves such a name as it is, so nothing is converted twice. A key no model
declares keeps the name the program wrote, so the check failure that refuses it names it as written.
One walk of the model decides all of this, for the value conversion (`convert`), the check-failure
paths and the schema.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel


def camel(name: str) -> str:
    """`k8s_namespace` -> `k8sNamespace`, `memory_limit_mb` -> `memoryLimitMb`; a camelCase name
    (`mountPath`) stays as it is."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class Leaf:
    kind: str  # a schema primitive: string, boolean, integer, number; or "any"
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapOf:
    value: Shape


@dataclass(frozen=True)
class ListOf:
    item: Shape


@dataclass(frozen=True)
class Obj:
    """An object type: `fields` maps the snake_case key to its camelCase name and shape."""

    name: str  # the schema type's name (`SourceConfig`)
    fields: dict[str, tuple[str, Shape]]
    doc: str = ""
    required: tuple[str, ...] = ()  # the snake_case keys an object of this type must have
    camel_to_snake: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.camel_to_snake.update({c: s for s, (c, _) in self.fields.items()})

    def snake(self, key: str) -> tuple[str, Shape]:
        """The snake_case key and shape of camelCase `key`; an unknown key stays as it is."""
        snake = self.camel_to_snake.get(key)
        return (snake, self.fields[snake][1]) if snake is not None else (key, ANY)

    def camel(self, key: str) -> tuple[str, Shape]:
        entry = self.fields.get(key)
        return entry if entry is not None else (key, ANY)


Shape = Leaf | MapOf | ListOf | Obj
ANY = Leaf("any")
STRING = Leaf("string")
_PRIMITIVES: dict[Any, str] = {str: "string", bool: "boolean", int: "integer", float: "number"}


def of_type(tp: Any) -> Shape:
    """The shape of a type annotation (Optional and Annotated are looked through)."""
    origin = typing.get_origin(tp)
    if origin is Annotated:
        return of_type(typing.get_args(tp)[0])
    if origin in (Union, types.UnionType):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        return of_type(members[0]) if len(members) == 1 else ANY
    if origin is Literal:
        return Leaf("string", tuple(str(a) for a in typing.get_args(tp)))
    if origin is dict:
        return MapOf(of_type(typing.get_args(tp)[1]))
    if origin is list:
        return ListOf(of_type(typing.get_args(tp)[0]))
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return of_model(tp)
    return Leaf(_PRIMITIVES[tp]) if tp in _PRIMITIVES else ANY


def of_model(model: type[BaseModel], extra: dict[str, Shape] | None = None, name: str = "") -> Obj:
    """An object shape from a pydantic model's fields (plus `extra` ones, e.g. outputs)."""
    fields_ = {key: (camel(key), of_type(info.annotation)) for key, info in model.model_fields.items()}
    fields_.update({key: (camel(key), shape) for key, shape in (extra or {}).items()})
    return Obj(
        name or model.__name__,
        fields_,
        doc=" ".join((model.__doc__ or "").split()),
        required=tuple(key for key, info in model.model_fields.items() if info.is_required()),
    )


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def camel_path(shape: Shape, path: str) -> str:
    """A property path in the API's names (`secret_references[0].secret_key`, `env.MY_VAR`) as the
    program writes it (`secretReferences[0].secretKey`, `env.MY_VAR`)."""
    out, node = "", shape
    for m in _PART.finditer(path):
        key, index = m.group(1), m.group(2)
        if index is not None:
            out += f"[{index}]"
            node = node.item if isinstance(node, ListOf) else ANY
            continue
        if isinstance(node, Obj):
            name, node = node.camel(key)
        elif isinstance(node, MapOf):
            name, node = key, node.value
        elif isinstance(node, ListOf) and key.isdigit():
            out += f"[{key}]"
            node = node.item
            continue
        else:
            name, node = key, ANY
        out += f".{name}" if out else name
    return out
