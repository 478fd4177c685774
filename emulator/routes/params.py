"""Query parameters and tags shared by the public routers."""

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
