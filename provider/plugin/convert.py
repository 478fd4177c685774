"""`PropertyValue` maps (camelCase, secrets marked per value) <-> the plain snake_case dicts the
providers take, and back.

Secrets: the plugin accepts secrets (`Configure`), so the engine no longer re-marks them itself; every
value that came in secret must go out secret, or it would land in state as plain text. `to_plain`
records the path of each secret value (and registers its strings with `core/redact.py`, so that no
message shows them), `to_property_values` marks the same paths (and the resource's
always-secret ones) again. Unknowns (preview) arrive as the engine's sentinel string, which every
provider method already understands, and go back out as that same string, which the engine reads
as unknown again. Numbers arrive as floats (the providers' models accept 2.0 as 2); ints go out as
floats, the only number a `PropertyValue` holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue

from ..core import redact
from ..core.errors import ProviderError
from ..core.values import UNKNOWN
from .shapes import ANY, ListOf, MapOf, Obj, Shape

Path = tuple[str | int, ...]


class UnsupportedValue(ProviderError):
    """An asset, archive or resource reference where this provider takes plain values."""


def to_plain(values: Mapping[str, PropertyValue], shape: Obj, secrets: set[Path] | None = None) -> dict[str, Any]:
    """A `PropertyValue` map as the providers' dict; the paths of secret values go into `secrets`."""
    found = secrets if secrets is not None else set()
    return {key: _plain(value, child, (key,), found) for key, child, value in _entries(shape, values, to_snake=True)}


def _entries(shape: Shape, values: Mapping[str, Any], to_snake: bool) -> Iterable[tuple[str, Shape, Any]]:
    for key, value in values.items():
        if isinstance(shape, Obj):
            name, child = shape.snake(key) if to_snake else shape.camel(key)
        elif isinstance(shape, MapOf):
            name, child = key, shape.value
        else:
            name, child = key, ANY
        yield name, child, value


def _plain(pv: PropertyValue, shape: Shape, path: Path, secrets: set[Path]) -> Any:
    plain = _plain_value(pv, shape, path, secrets)
    if pv.is_secret:
        secrets.add(path)
        redact.add(plain)  # a secret's strings are hidden from every message of this process
    return plain


def _plain_value(pv: PropertyValue, shape: Shape, path: Path, secrets: set[Path]) -> Any:
    value = pv.value
    if isinstance(value, Computed):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {k: _plain(v, child, (*path, k), secrets) for k, child, v in _entries(shape, value, to_snake=True)}
    if isinstance(value, tuple | list):
        item = shape.item if isinstance(shape, ListOf) else ANY
        return [_plain(v, item, (*path, i), secrets) for i, v in enumerate(value)]
    if value is None or isinstance(value, str | bool | int | float):
        return value
    where = ".".join(str(p) for p in path)
    raise UnsupportedValue(f"{where}: takes plain values, not {type(value).__name__}")


def to_property_values(
    values: Mapping[str, Any], shape: Obj, secrets: Iterable[Path] = (), always_secret: Iterable[str] = ()
) -> dict[str, PropertyValue]:
    """The providers' dict as a `PropertyValue` map in camelCase: the `secrets` paths and the
    `always_secret` top-level keys are marked secret; None values are left out."""
    marked = {tuple(p) for p in secrets} | {(k,) for k in always_secret}
    out: dict[str, PropertyValue] = {}
    for key, child, value in _entries(shape, values, to_snake=False):
        if value is not None:
            out[key] = _pv(value, child, (_snake_key(shape, key),), marked)
    return out


def _snake_key(shape: Shape, camel_key: str) -> str:
    return shape.snake(camel_key)[0] if isinstance(shape, Obj) else camel_key


def _pv(value: Any, shape: Shape, path: Path, secrets: set[Path]) -> PropertyValue:
    secret = path in secrets
    if isinstance(value, Mapping):
        inner = {
            key: _pv(v, child, (*path, _snake_key(shape, key)), secrets)
            for key, child, v in _entries(shape, value, to_snake=False)
            if v is not None
        }
        return PropertyValue(inner, is_secret=secret)
    if isinstance(value, list | tuple):
        item = shape.item if isinstance(shape, ListOf) else ANY
        return PropertyValue([_pv(v, item, (*path, i), secrets) for i, v in enumerate(value)], is_secret=secret)
    if isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return PropertyValue(value, is_secret=secret)


def any_value(value: Any) -> PropertyValue:
    """A JSON value of the API (keys as the API names them), for an invoke's free-form results."""
    if isinstance(value, Mapping):
        return PropertyValue({str(k): any_value(v) for k, v in value.items() if v is not None})
    if isinstance(value, list | tuple):
        return PropertyValue([any_value(v) for v in value])
    if isinstance(value, int) and not isinstance(value, bool):
        return PropertyValue(float(value))
    return PropertyValue(value)
