"""Typed client for the LangSmith Deployment control plane API.

One error type (`APIError`) with predicates, retries delegated to urllib3's `Retry`, and an injectable
transport adapter for tests. The API key is sent on every call and never appears in a repr, log or
error message.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from . import budget as request_budget
from . import engine_watch
from .budget import BudgetRetry
from .config import CONFIG_URL, ENV_URL, Settings, explain_forbidden
from .errors import ProviderError
from .finder import NameSearch
from .redact import redact
from .values import JSON

USER_AGENT = "langsmith-pulumi-provider/0.1"
DEFAULT_TIMEOUT = (10.0, 30.0)  # (connect, read) seconds
PAGE_SIZE = 100

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A refused or unresolvable connection is retried only twice (0 s, then 0.5 s): a control plane that is
# down or a wrong URL should fail in a second and say so, not after half a minute of backoff.
CONNECT_RETRIES = 2

CURRENT = "current"
SPEC = "spec"


def api_shape(deployment: Mapping[str, Any]) -> str:
    """Which API a server speaks, from one Deployment body: the official spec's Deployment has no
    `display_name`, servers with the newer API (display names, revision logs) always return it."""
    return CURRENT if "display_name" in deployment else SPEC


def idempotent_retry(total: int = 8) -> Retry:
    """Retries for calls that are safe to repeat: GET, a PATCH of plain fields, DELETE."""
    return BudgetRetry(
        total=total,
        connect=CONNECT_RETRIES,
        read=total,
        status=total,
        other=0,
        backoff_factor=0.25,
        backoff_max=8.0,
        status_forcelist=_RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD", "OPTIONS", "PATCH", "DELETE", "PUT"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )


def once_retry(total: int = 8) -> Retry:
    """For requests that create something (POST, a PATCH that rolls out a revision): only retried
    when the server cannot have acted on them, a refused connection or a 429. A lost answer is
    reconciled by the caller (`once.at_most_once`)."""
    return BudgetRetry(
        total=total,
        connect=CONNECT_RETRIES,
        read=0,
        status=total,
        other=0,
        backoff_factor=0.25,
        backoff_max=8.0,
        status_forcelist=frozenset({429}),
        allowed_methods=frozenset({"POST", "PATCH"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )


class APIError(ProviderError):
    """Any failed call. ``status`` is None when no HTTP response arrived (transport failure); then
    ``base_url`` names the control plane that could not be reached."""

    def __init__(self, method: str, path: str, status: int | None, detail: str, *, base_url: str = "") -> None:
        self.method = method
        self.path = path
        self.status = status
        self.detail = detail
        if status is not None:
            message = f"{method} {path} failed (HTTP {status}): {detail}"
        else:
            message = (
                f"cannot reach the LangSmith control plane at {base_url}: {detail} ({method} {path}). "
                f"Check its URL in the stack config {CONFIG_URL} or the environment variable {ENV_URL}."
            )
        super().__init__(message)


class PagingError(ProviderError):
    """A listing that cannot be read past a page: the server answered a later page with resources it
    had already returned (it ignores `offset`). Raised instead of paging forever."""

    def __init__(self, path: str, offset: int) -> None:
        self.path = path
        self.offset = offset
        super().__init__(
            f"GET {path} returned the same resources again at offset {offset}: this control plane ignores "
            "'offset', so the list cannot be read past its first page (stopped instead of asking again)"
        )


def transport_reason(exc: BaseException) -> str:
    """A short reason for a request that got no answer; urllib3 buries it in nested exceptions, and
    the exception text itself is not shown because it repeats the URL and pool internals."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    names: list[str] = []
    while stack:
        err = stack.pop()
        if err is None or id(err) in seen:
            continue
        seen.add(id(err))
        names.append(type(err).__name__)
        linked = [err.__cause__, err.__context__, getattr(err, "reason", None), *err.args]
        stack.extend(e for e in linked if isinstance(e, BaseException))
    text = " ".join(names)
    if "ConnectionRefusedError" in text:
        return "connection refused"
    if "NameResolutionError" in text or "gaierror" in text:
        return "host name not found"
    if "ConnectTimeout" in text:
        return "connection timed out"
    if "ReadTimeout" in text:
        return "no answer within the read timeout"
    if "SSLError" in text:
        return "TLS handshake failed"
    return f"no response ({type(exc).__name__})"


def is_preview(deployment: Mapping[str, Any]) -> bool:
    """A preview deployment: made by the service's preview builds for a pull request, with its parent's
    name and, at creation, its parent's secrets and env (control-plane-api.md, S6 preview-builds; the
    docs' current Deployment, `is_preview`). Never a name match, never one of ours, never adopted or
    imported: the vendor's newer CLI skips them the same way when it looks a deployment up."""
    return deployment.get("is_preview") is True


def not_found(err: Exception) -> bool:
    return isinstance(err, APIError) and err.status == 404


def conflict(err: Exception) -> bool:
    return isinstance(err, APIError) and err.status == 409


def outcome_unknown(err: Exception) -> bool:
    """The server may or may not have acted: no response, or a 5xx after retries ran out."""
    return isinstance(err, APIError) and (err.status is None or err.status >= 500)


def _text(response: requests.Response) -> str:
    """The body as text: UTF-8 when it is (requests reads a text body without a charset as Latin-1,
    which would show a non-ASCII value mangled, and past the redaction)."""
    try:
        return response.content.decode()
    except UnicodeDecodeError:
        return response.text


def _detail(response: requests.Response) -> str:
    """The server's error text, without request values: FastAPI 422 bodies echo the input, which may
    hold secret values, so only locations and messages are kept; a text that may quote one is
    redacted before it is shortened (a cut could leave half a value that no longer matches)."""
    try:
        body = response.json()
    except ValueError:
        return redact(_text(response) or response.reason or "")[:300]
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return redact(detail)[:500]
    if isinstance(detail, list):
        parts = []
        for item in detail[:10]:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                parts.append(f"{loc}: {item.get('msg', '')}")
        return redact("; ".join(parts))
    return str(response.reason or "")


class ControlPlaneClient:
    """Thin wrapper over the v2 deployments API; one `requests.Session` pair per thread because the
    provider host runs many calls at once and `Session` is not documented as thread-safe."""

    def __init__(
        self,
        settings: Settings,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        adapters: tuple[HTTPAdapter, HTTPAdapter] | None = None,
        budget: request_budget.Budget | None = None,
    ) -> None:
        self._settings = settings
        self._budget = budget or request_budget.shared(settings.max_requests_per_second)
        self._timeout = timeout
        self._adapters = adapters
        self._local = threading.local()
        self._shape: str | None = None
        self._notes: set[str] = set()
        self._notes_lock = threading.Lock()
        self._names = NameSearch(lambda text: list(self._list_pages(text)))

    def note_once(self, key: str) -> bool:
        """True the first time `key` is seen by this client: for warnings said once per run."""
        with self._notes_lock:
            first = key not in self._notes
            self._notes.add(key)
            return first

    def __repr__(self) -> str:
        return f"ControlPlaneClient(base_url={self._settings.base_url!r})"

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    def _sessions(self) -> tuple[requests.Session, requests.Session]:
        pair: tuple[requests.Session, requests.Session] | None = getattr(self._local, "pair", None)
        if pair is None:
            safe, post = self._adapters or (
                HTTPAdapter(max_retries=idempotent_retry()),
                HTTPAdapter(max_retries=once_retry()),
            )
            pair = (requests.Session(), requests.Session())
            headers = {"X-Api-Key": self._settings.api_key, "User-Agent": USER_AGENT}
            if self._settings.workspace_id:
                headers["X-Tenant-Id"] = self._settings.workspace_id
            for session, adapter in zip(pair, (safe, post), strict=True):
                session.headers.update(headers)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
            self._local.pair = pair
        return pair

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: JSON | None = None,
        expect: tuple[int, ...] = (200,),
        once: bool = False,
    ) -> Any:
        """`once`: the request creates something, so the transport must not repeat it blindly
        (always true for POST). Refused with `EngineGone` once the engine that started the provider
        host is gone (`engine_watch`): checked again after the budget's wait, as the slot is taken."""
        engine_watch.check()
        safe, post = self._sessions()
        session = post if once or method == "POST" else safe
        self._budget.acquire()
        try:
            with engine_watch.request_slot():
                response = session.request(
                    method, self._settings.base_url + path, params=params, json=body, timeout=self._timeout
                )
        except requests.RequestException as exc:
            # The exception text names the URL and reason only; headers are never included.
            raise APIError(method, path, None, transport_reason(exc), base_url=self._settings.base_url) from None
        if response.status_code not in expect:
            detail = _detail(response)
            if response.status_code == 403 and (hint := explain_forbidden(detail)):
                detail = f"{detail}. {hint}"
            raise APIError(method, path, response.status_code, detail)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise APIError(method, path, response.status_code, "response is not JSON") from None

    # Deployments -------------------------------------------------------------------------------

    def _seen(self, deployment: Any) -> Any:
        """Learn the server's API shape from the first Deployment body it returns."""
        if self._shape is None and isinstance(deployment, Mapping) and "id" in deployment:
            self._shape = api_shape(deployment)
        return deployment

    def shape(self, deployment_id: str) -> str:
        """`current` or `spec` (see `api_shape`), read from a documented GET if not seen yet."""
        if self._shape is None:
            self.get_deployment(deployment_id)
        return self._shape or SPEC

    def get_deployment(self, deployment_id: str) -> JSON:
        result: JSON = self._seen(self.request("GET", f"/v2/deployments/{deployment_id}"))
        return result

    def create_deployment(self, body: JSON) -> JSON:
        result: JSON = self._seen(self.request("POST", "/v2/deployments", body=body, expect=(200, 201)))
        return result

    def patch_deployment(self, deployment_id: str, body: JSON, *, rolls_out: bool = False) -> JSON:
        """`rolls_out`: the body holds revision fields, so the PATCH creates a revision and is sent
        at most once by the transport."""
        result: JSON = self._seen(self.request("PATCH", f"/v2/deployments/{deployment_id}", body=body, once=rolls_out))
        return result

    def delete_deployment(self, deployment_id: str, *, delete_tracing_project: bool = False) -> None:
        params = {"delete_tracing_project": "true"} if delete_tracing_project else None
        self.request("DELETE", f"/v2/deployments/{deployment_id}", params=params, expect=(200, 202, 204))

    def iter_deployments(self, *, name_contains: str | None = None) -> Iterator[JSON]:
        """All pages: the API has no exact-name filter and the first page can miss a match.
        Concurrent name searches share one listing (`finder`). A name search never yields a preview
        deployment (`is_preview`): it carries its parent's name and env, ownership tag included."""
        if name_contains:
            found = self._names.search(name_contains)
            yield from (self._seen(item) for item in found if not is_preview(item))
            return
        yield from self._list_pages(None)

    def _list_pages(self, name_contains: str | None) -> Iterator[JSON]:
        filters = {"name_contains": name_contains} if name_contains else {}
        yield from (self._seen(item) for item in self._every_page("/v2/deployments", filters))

    def _every_page(self, path: str, filters: Mapping[str, Any], *, limit: int | None = None) -> Iterator[JSON]:
        """Every resource of a `{resources, offset}` listing, each id once, until a short page (or
        `limit` resources).

        The next request's offset is this one's plus the resources received; the answer's `offset` is
        not used. The spec says to pass it on ("Pass this value to subsequent requests"), but a server
        that echoes the request's offset would then be asked for the same page forever. A full page
        whose ids were all seen already means the server ignores `offset`: that is an error, not a
        loop. This is the vendor CLI's rule: langgraph-cli 0.4.40 `langgraph_cli/host_backend.py`
        `HostBackendClient._every_page` sends `"offset": len(resources)` and raises "GET {path}
        returned the same resources again: this control plane ignores 'offset', ..." when a page's
        ids are a subset of those already read. An id seen on an earlier page (the list shifted by a
        create between two pages) is skipped, so a caller never gets a resource twice.
        """
        offset = 0
        seen: set[object] = set()
        got = 0
        while limit is None or got < limit:
            size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - got)
            page = self.request("GET", path, params={**filters, "limit": size, "offset": offset})
            resources: list[JSON] = (page.get("resources") if isinstance(page, dict) else None) or []
            ids = {item.get("id") for item in resources}
            if resources and ids <= seen:
                raise PagingError(path, offset)
            for item in resources:
                key = item.get("id")
                if key is not None and key in seen:
                    continue
                seen.add(key)
                got += 1
                yield item
            if len(resources) < size:
                return
            offset += len(resources)

    def find_deployment(self, name: str) -> JSON | None:
        for item in self.iter_deployments(name_contains=name):
            if item.get("name") == name:
                return item
        return None

    # Revisions ---------------------------------------------------------------------------------

    def get_revision(self, deployment_id: str, revision_id: str) -> JSON:
        result: JSON = self.request("GET", f"/v2/deployments/{deployment_id}/revisions/{revision_id}")
        return result

    def revision_logs(self, deployment_id: str, revision_id: str, kind: str, *, limit: int = 50) -> list[str]:
        """Newest log lines of one revision (`kind` is build or deploy), oldest first. The route is
        not in the official spec: only call it when `shape()` is `current`."""
        page = self.request(
            "GET",
            f"/v2/deployments/{deployment_id}/revisions/{revision_id}/logs",
            params={"type": kind, "limit": limit, "order": "desc"},
        )
        entries = [e for e in (page.get("logs") or [] if isinstance(page, dict) else []) if isinstance(e, dict)]
        return [str(e.get("message", "")) for e in oldest_first(entries)]

    def list_revisions(self, deployment_id: str, *, status: str | None = None, limit: int = 100) -> list[JSON]:
        """Newest first, paging until `limit` revisions or a short page."""
        filters = {"status": status} if status else {}
        return list(self._every_page(f"/v2/deployments/{deployment_id}/revisions", filters, limit=limit))

    # GitHub integrations (v1) ------------------------------------------------------------------

    def list_github_integrations(self) -> list[JSON]:
        result: list[JSON] = self.request("GET", "/v1/integrations/github/install")
        return result

    def list_github_repos(self, integration_id: str) -> list[JSON]:
        result: list[JSON] = self.request("GET", f"/v1/integrations/github/{integration_id}/repos")
        return result

    # Listeners ---------------------------------------------------------------------------------

    def iter_listeners(self) -> Iterator[JSON]:
        yield from self._every_page("/v2/listeners", {})

    def find_listener(self, compute_id: str) -> JSON | None:
        """`compute_id` is unique per workspace (spec: ListenerCreateRequest), so it identifies a listener."""
        return next((item for item in self.iter_listeners() if item.get("compute_id") == compute_id), None)

    def get_listener(self, listener_id: str) -> JSON:
        result: JSON = self.request("GET", f"/v2/listeners/{listener_id}")
        return result

    def create_listener(self, body: JSON) -> JSON:
        result: JSON = self.request("POST", "/v2/listeners", body=body, expect=(200, 201))
        return result

    def patch_listener(self, listener_id: str, body: JSON) -> JSON:
        result: JSON = self.request("PATCH", f"/v2/listeners/{listener_id}", body=body)
        return result

    def delete_listener(self, listener_id: str) -> None:
        self.request("DELETE", f"/v2/listeners/{listener_id}", expect=(200, 202, 204))


def oldest_first(newest_first: list[JSON]) -> list[JSON]:
    """Lines logged in the same millisecond share a timestamp: reverse the newest-first page before
    the (stable) sort, so such lines keep the order they were written in."""
    return sorted(reversed(newest_first), key=lambda e: str(e.get("timestamp", "")).zfill(20))
