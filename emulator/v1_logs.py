"""The v1 log routes the vendor's CLI reads (`langgraph deploy logs`, build logs while building).

They are not in the official spec: their paths and body/answer shapes come from langgraph-cli
0.4.40 (`host_backend.py` `HostBackendClient.get_build_logs` / `get_deploy_logs`; `deploy.py`
`deploy_logs` and `_run_remote_build._stream_build_logs`). So they are served in `--api current`
only and answer 404 like any unknown path in `--api spec`. The answer reuses the v2 revision-logs
shape (`{"logs": [{id, timestamp, level, message}], "next_offset"}`), which is what the CLI reads.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import BadRequest
from .models import LogEntry, LogsResponse
from .runtime import Runtime
from .store import LogRecord

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
#: Every stored line of a revision is read and filtered here; a revision has a few dozen at most.
_ALL = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class LogsQuery(BaseModel):
    """The POST body the CLI sends: `{"order", "limit", "offset"?}` while streaming a build, plus
    `level`, `query`, `start_time`, `end_time` from `deploy logs` flags (deploy.py `deploy_logs`)."""

    model_config = ConfigDict(extra="ignore")

    order: Literal["asc", "desc"] = "asc"
    limit: int = Field(default=100, ge=1, le=1000)
    offset: str | None = Field(default=None, description="Cursor from a previous `next_offset`.")
    level: LogLevel | None = None
    query: str | None = Field(default=None, description="Case-insensitive substring of the message.")
    start_time: str | None = Field(default=None, description="ISO 8601; entries at or after it.")
    end_time: str | None = Field(default=None, description="ISO 8601; entries at or before it.")


def parse_time(value: str | None, field: str) -> int | None:
    """ISO 8601 (`Z` or an offset; naive means UTC) to epoch milliseconds, the unit of `timestamp`:
    the CLI passes the user's `--start-time` verbatim and, with `--follow`, `datetime.isoformat()` of
    the newest entry's timestamp. Integer arithmetic, so that entry itself is matched exactly."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(
            f"Invalid {field} '{value}': expected an ISO 8601 time such as 2026-03-08T00:00:00Z."
        ) from None
    aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return (aware - _EPOCH) // timedelta(milliseconds=1)


def _millis(record: LogRecord) -> int:
    return int(record.ts * 1000)


def select_logs(records: Iterable[LogRecord], q: LogsQuery) -> LogsResponse:
    """Filter, order and page log lines; `next_offset` is a cursor only while more lines remain."""
    if q.offset is not None and not q.offset.isdigit():
        raise BadRequest(f"Invalid offset '{q.offset}': pass a next_offset value from a previous page.")
    start = parse_time(q.start_time, "start_time")
    end = parse_time(q.end_time, "end_time")
    needle = q.query.lower() if q.query else None
    kept = [
        r
        for r in records
        if (q.level is None or r.level == q.level)
        and (needle is None or needle in r.message.lower())
        # Compared at the millisecond the answer shows (`timestamp`), both bounds inclusive.
        and (start is None or _millis(r) >= start)
        and (end is None or _millis(r) <= end)
    ]
    kept.sort(key=lambda r: (r.ts, r.id), reverse=q.order == "desc")
    offset = int(q.offset or 0)
    page = kept[offset : offset + q.limit]
    logs = [LogEntry(id=str(r.id), timestamp=_millis(r), level=r.level, message=r.message) for r in page]
    more = offset + len(page) < len(kept)
    return LogsResponse(logs=logs, next_offset=str(offset + len(page)) if more else None)


def revision_lines(
    runtime: Runtime, tenant_id: str, deployment_id: str, revision_id: str, log_type: str
) -> list[LogRecord]:
    runtime.deployments.get_revision(tenant_id, deployment_id, revision_id)  # 404s, and brings the lifecycle up to date
    with runtime.store.tx() as tx:
        return tx.list_logs(revision_id, log_type, None, False, _ALL, 0)


def deployment_lines(runtime: Runtime, tenant_id: str, deployment_id: str) -> Sequence[LogRecord]:
    runtime.deployments.get(tenant_id, deployment_id)
    with runtime.store.tx() as tx:
        revisions = tx.list_revisions(deployment_id, None, _ALL, 0)
        return [line for rev in revisions for line in tx.list_logs(rev.id, "deploy", None, False, _ALL, 0)]
