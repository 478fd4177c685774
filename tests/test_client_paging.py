"""Listing pages (`ControlPlaneClient._every_page`) against a real small HTTP server: the next offset
is what was received, never the answer's `offset`, and a server that ignores `offset` is an error
instead of an endless loop (the vendor CLI's rule, langgraph-cli `host_backend.py` `_every_page`)."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from pulumi_langsmith.core.budget import Budget
from pulumi_langsmith.core.client import PAGE_SIZE, ControlPlaneClient, PagingError
from pulumi_langsmith.core.config import Settings

# At most this many items are read from a listing under test, so a client that pages forever fails
# the test instead of hanging it.
READ_AT_MOST = 5 * PAGE_SIZE

# (requested offset, requested limit, the page's items) -> the answer's `offset`
OffsetRule = Callable[[int, int, list[dict[str, Any]]], int]


@dataclass
class Listing:
    """One `{resources, offset}` route's behaviour: `items` newest first; `honour_offset` False
    answers every request with the first page; `answer_offset` says what the answer's `offset` is."""

    items: list[dict[str, Any]]
    honour_offset: bool = True
    answer_offset: OffsetRule = lambda offset, _limit, page: offset + len(page)
    before_page: Callable[[int], None] | None = None  # called with the request's offset
    asked: list[dict[str, list[str]]] = field(default_factory=list)


def _handler(routes: dict[str, Listing]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            listing = routes.get(url.path)
            if listing is None:
                self.send_error(404)
                return
            query = parse_qs(url.query)
            listing.asked.append(query)
            offset, limit = int(query["offset"][0]), int(query["limit"][0])
            if listing.before_page:
                listing.before_page(offset)
            start = offset if listing.honour_offset else 0
            page = listing.items[start : start + limit]
            body = json.dumps({"resources": page, "offset": listing.answer_offset(offset, limit, page)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler


@pytest.fixture
def serve() -> Iterator[Callable[[dict[str, Listing]], ControlPlaneClient]]:
    servers: list[ThreadingHTTPServer] = []

    def start(routes: dict[str, Listing]) -> ControlPlaneClient:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(routes))
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        settings = Settings(base_url=f"http://127.0.0.1:{server.server_address[1]}", workspace_id=None, api_key="k")
        return ControlPlaneClient(settings, budget=Budget(0))

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def items(n: int, prefix: str = "d") -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{i:04d}", "name": f"agent-{i}"} for i in range(n)]


def offsets(listing: Listing) -> list[int]:
    return [int(q["offset"][0]) for q in listing.asked]


def read(it: Iterator[dict[str, Any]]) -> list[str]:
    return [str(item["id"]) for item in itertools.islice(it, READ_AT_MOST)]


def test_a_normal_listing_returns_every_item_once(serve: Callable[[dict[str, Listing]], ControlPlaneClient]) -> None:
    deployments = Listing(items(2 * PAGE_SIZE + 50))
    client = serve({"/v2/deployments": deployments})
    assert read(client.iter_deployments()) == [d["id"] for d in deployments.items]
    assert offsets(deployments) == [0, PAGE_SIZE, 2 * PAGE_SIZE]


def test_an_exact_multiple_of_the_page_size_ends_on_the_empty_page(
    serve: Callable[[dict[str, Listing]], ControlPlaneClient],
) -> None:
    deployments = Listing(items(2 * PAGE_SIZE))
    client = serve({"/v2/deployments": deployments})
    assert read(client.iter_deployments()) == [d["id"] for d in deployments.items]
    assert offsets(deployments) == [0, PAGE_SIZE, 2 * PAGE_SIZE]


@pytest.mark.parametrize(
    "answer_offset",
    [
        pytest.param(lambda offset, _limit, _page: offset, id="echoes-the-request-offset"),
        pytest.param(lambda _offset, _limit, _page: 0, id="always-zero"),
        pytest.param(lambda offset, _limit, _page: max(0, offset - 1), id="goes-backwards"),
        pytest.param(lambda offset, _limit, _page: offset + 7 * PAGE_SIZE, id="jumps-ahead"),
    ],
)
def test_the_answers_offset_is_not_trusted(
    serve: Callable[[dict[str, Listing]], ControlPlaneClient], answer_offset: OffsetRule
) -> None:
    """The old client passed an echoed offset on (`page["offset"] or ...`): asked for page 2 forever."""
    deployments = Listing(items(2 * PAGE_SIZE + 50), answer_offset=answer_offset)
    client = serve({"/v2/deployments": deployments})
    assert read(client.iter_deployments()) == [d["id"] for d in deployments.items]
    assert offsets(deployments) == [0, PAGE_SIZE, 2 * PAGE_SIZE]


@pytest.mark.parametrize("echo", [False, True], ids=["next-offset", "echoed-offset"])
def test_a_server_that_ignores_offset_is_one_clear_error(
    serve: Callable[[dict[str, Listing]], ControlPlaneClient], echo: bool
) -> None:
    rule: OffsetRule = (lambda offset, _l, _p: offset) if echo else (lambda offset, _l, page: offset + len(page))
    deployments = Listing(items(3 * PAGE_SIZE), honour_offset=False, answer_offset=rule)
    client = serve({"/v2/deployments": deployments})
    got: list[str] = []
    with pytest.raises(PagingError) as info:
        for item in client.iter_deployments():
            got.append(item["id"])
            assert len(got) <= READ_AT_MOST, "the client pages forever"
    assert got == [d["id"] for d in deployments.items[:PAGE_SIZE]]
    assert offsets(deployments) == [0, PAGE_SIZE]
    assert str(info.value) == (
        f"GET /v2/deployments returned the same resources again at offset {PAGE_SIZE}: this control plane "
        "ignores 'offset', so the list cannot be read past its first page (stopped instead of asking again)"
    )


def test_a_name_search_pages_with_its_filter(serve: Callable[[dict[str, Listing]], ControlPlaneClient]) -> None:
    deployments = Listing(items(PAGE_SIZE + 1), honour_offset=False)
    client = serve({"/v2/deployments": deployments})
    with pytest.raises(PagingError):
        client.find_deployment("agent-100")
    assert [q["name_contains"] for q in deployments.asked] == [["agent-100"], ["agent-100"]]


def test_a_create_between_two_pages_does_not_return_an_item_twice(
    serve: Callable[[dict[str, Listing]], ControlPlaneClient],
) -> None:
    """Newest first: a deployment created after page 1 shifts the list by one, so page 2 starts with
    page 1's last item. That is not a repeated page, and the item is returned once."""
    deployments = Listing(items(PAGE_SIZE + 50))

    def create_once(offset: int) -> None:
        if offset == PAGE_SIZE:
            deployments.items.insert(0, {"id": "new", "name": "agent-new"})

    deployments.before_page = create_once
    client = serve({"/v2/deployments": deployments})
    got = read(client.iter_deployments())
    assert len(got) == len(set(got)) == PAGE_SIZE + 50
    assert "new" not in got  # created behind the reader: the next listing sees it


def test_revisions_stop_at_their_limit_and_listeners_page_the_same_way(
    serve: Callable[[dict[str, Listing]], ControlPlaneClient],
) -> None:
    revisions = Listing(items(3 * PAGE_SIZE, "r"), answer_offset=lambda offset, _l, _p: offset)
    listeners = Listing(items(PAGE_SIZE + 3, "l"), honour_offset=True, answer_offset=lambda *_: 0)
    client = serve({"/v2/deployments/d1/revisions": revisions, "/v2/listeners": listeners})
    got = client.list_revisions("d1", status="DEPLOYED", limit=150)
    assert [r["id"] for r in got] == [r["id"] for r in revisions.items[:150]]
    assert [(q["offset"], q["limit"], q["status"]) for q in revisions.asked] == [
        (["0"], ["100"], ["DEPLOYED"]),
        (["100"], ["50"], ["DEPLOYED"]),
    ]
    assert read(client.iter_listeners()) == [item["id"] for item in listeners.items]

    stuck = Listing(items(PAGE_SIZE, "l"), honour_offset=False)
    client = serve({"/v2/listeners": stuck})
    with pytest.raises(PagingError, match="GET /v2/listeners returned the same resources again"):
        read(client.iter_listeners())
