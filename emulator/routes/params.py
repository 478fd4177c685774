"""Query parameters and tags shared by the public routers."""

import uuid
from enum import Enum
from typing import Annotated, Literal

from fastapi import Query

Limit = Annotated[int, Query(ge=1, le=100, description="Maximum number of resources to return.")]
Offset = Annotated[int, Query(ge=0, description="Pagination offset.")]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
#: Revisions are tagged with deployments, as in the official spec.
DEPLOYMENT_TAGS: list[str | Enum] = ["Deployments (v2)"]


def csv(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def id_list(value: str | None) -> list[str] | None:
    """`deployment_ids=a,b`: the spec's plain comma-separated string (no `format: uuid`, no `maxItems`).

    IDs compare as UUIDs (any case or spelling `uuid.UUID` reads); a part that is no UUID cannot
    name a deployment, so it matches nothing instead of failing the request. Duplicates count once.
    """
    parts = csv(value)
    if parts is None:
        return None
    ids: dict[str, None] = {}
    for part in parts:
        try:
            ids[str(uuid.UUID(part))] = None
        except ValueError:
            continue
    return list(ids)
