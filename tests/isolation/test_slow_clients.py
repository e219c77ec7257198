"""Clients that trickle a request are cut off: headers and body each have a deadline, after which
the client gets 408 in Dub's envelope and the connection is closed, while other clients are
served; past the connection limit a request gets 503 (issue 11, item 8). Real uvicorn on
127.0.0.1, started as `clicktrail serve` starts it, and raw sockets."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import httpx
import pytest

from clicktrail.config import Settings
from clicktrail.errors import doc_url
from clicktrail.serving import HEADER_LIMIT, OVERLOADED
from tests.conftest import settings_for
from tests.support import LiveServer

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 2.0
SLACK = 1.0  # seconds a cut may come after its deadline on a busy two-core machine
EVERY = 0.25  # seconds between the bytes of a trickle
SLOW = 20  # slow clients at once
HEAD = b"POST /links HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(
        database_url, header_timeout=HEADER_TIMEOUT, body_timeout=BODY_TIMEOUT,
        connection_limit=SLOW + 10,
    )  # fmt: skip


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer.running(settings) as live:
        yield live


@dataclass
class Trickler:
    """One raw connection that sends `data` a byte at a time until the server closes it."""

    sock: socket.socket
    data: bytes
    sent: int = 0
    received: bytes = b""
    closed_after: float | None = None
    started: float = field(default_factory=time.monotonic)

    def step(self) -> None:
        if self.closed_after is None and self.sent < len(self.data):
            try:
                self.sock.send(self.data[self.sent : self.sent + 1])
                self.sent += 1
            except OSError:
                self._closed()

    def read(self) -> None:
        try:
            chunk = self.sock.recv(65536)
        except OSError:
            chunk = b""
        if chunk:
            self.received += chunk
        else:
            self._closed()

    def _closed(self) -> None:
        if self.closed_after is None:
            self.closed_after = time.monotonic() - self.started

    def answer(self) -> tuple[int, dict[str, object]]:
        head, _, body = self.received.partition(b"\r\n\r\n")
        return int(head.split(b" ")[1]), json.loads(body)


@contextmanager
def tricklers(server: LiveServer, data: bytes, count: int = SLOW) -> Iterator[list[Trickler]]:
    with ExitStack() as stack:
        made = []
        for _ in range(count):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", server.port)))
            made.append(Trickler(sock, data))
        yield made


def run(slow: list[Trickler], seconds: float, server: LiveServer) -> list[float]:
    """Trickles for up to `seconds`, while a normal client asks for /health each round; returns
    how long the normal client's answers took."""
    served = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=server.url, timeout=5) as normal:
        while time.monotonic() < deadline and any(t.closed_after is None for t in slow):
            for trickler in slow:
                trickler.step()
            start = time.monotonic()
            assert normal.get("/health").status_code == 200
            served.append(time.monotonic() - start)
            open_ = [t for t in slow if t.closed_after is None]
            readable, _, _ = select.select([t.sock for t in open_], [], [], EVERY)
            for trickler in open_:
                if trickler.sock in readable:
                    trickler.read()
    return served


def assert_timed_out(trickler: Trickler, limit: float, rule: str) -> None:
    assert trickler.closed_after is not None, "the server kept a trickling client"
    assert trickler.closed_after <= limit + SLACK, trickler.closed_after
    status, body = trickler.answer()
    code = "request_timeout"
    message = f"Request timed out: {rule}."
    assert (status, body) == (408, {"error": {"code": code, "message": message,
                                              "doc_url": doc_url(code)}})  # fmt: skip


def test_trickled_headers_are_cut_off_while_others_are_served(server: LiveServer) -> None:
    endless = HEAD + b"X-Pad: " + b"a" * 10_000  # never ends its headers
    with tricklers(server, endless) as slow:
        served = run(slow, HEADER_TIMEOUT + 5, server)
    for trickler in slow:
        assert_timed_out(trickler, HEADER_TIMEOUT, "headers must arrive within 1 seconds")
    assert max(served) < 0.5


def test_a_trickled_body_is_cut_off_while_others_are_served(server: LiveServer) -> None:
    headers = HEAD + b"Content-Length: 5000\r\n\r\n"
    with tricklers(server, headers + b"{" + b" " * 4999) as slow:
        for trickler in slow:  # the headers at once: only the body is slow
            trickler.sock.sendall(headers)
            trickler.sent = len(headers)
        served = run(slow, BODY_TIMEOUT + 5, server)
    for trickler in slow:
        assert_timed_out(trickler, BODY_TIMEOUT, "its body must arrive within 2 seconds")
    assert max(served) < 0.5


def test_a_connection_that_sends_nothing_is_closed(server: LiveServer) -> None:
    with tricklers(server, b"", count=1) as (idle,):
        run([idle], HEADER_TIMEOUT + 5, server)
    assert idle.closed_after is not None
    assert idle.closed_after <= HEADER_TIMEOUT + SLACK


def test_each_request_on_a_keep_alive_connection_has_its_own_deadline(
    server: LiveServer,
) -> None:
    """The header clock starts again at a later request's first byte: a connection that was
    quick once may not trickle its next request for ever."""
    with tricklers(server, b"GET /health HTTP/1.1\r\nX-Pad: " + b"a" * 1000, count=1) as (t,):
        t.sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        time.sleep(HEADER_TIMEOUT + 0.5)  # idle, within the keep-alive timeout (5 s)
        first = t.sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 "), first
        t.started = time.monotonic()
        run([t], HEADER_TIMEOUT + 5, server)
    assert_timed_out(t, HEADER_TIMEOUT, "headers must arrive within 1 seconds")


def test_a_slow_client_within_the_deadlines_is_served(server: LiveServer) -> None:
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        for byte in request:  # over about 0.5 s: slow, within the 1 s
            sock.send(bytes([byte]))
            time.sleep(0.5 / len(request))
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 "), answer


def test_past_the_connection_limit_a_request_gets_503(database_url: str) -> None:
    settings = settings_for(database_url, connection_limit=3, header_timeout=30.0)
    with LiveServer.running(settings) as server, ExitStack() as stack:
        for _ in range(3):  # open, idle: each counts
            stack.enter_context(socket.create_connection(("127.0.0.1", server.port)))
        with httpx.Client(base_url=server.url, timeout=5) as client:
            refused = client.get("/health")
        assert refused.status_code == 503
        assert refused.json()["error"] == {
            "code": "service_unavailable", "message": OVERLOADED,
            "doc_url": doc_url("service_unavailable"),
        }  # fmt: skip
        assert refused.headers["retry-after"] == "5"
        stack.close()
        time.sleep(0.2)
        with httpx.Client(base_url=server.url, timeout=5) as client:
            assert client.get("/health").status_code == 200


def test_a_body_trickled_after_the_answer_is_cut_off(server: LiveServer) -> None:
    """A body over the limit is refused (413) before it is read; the client that goes on
    sending it anyway is disconnected at the body deadline."""
    headers = HEAD + b"Content-Length: 2000000\r\n\r\n"
    with tricklers(server, headers + b" " * 1000, count=1) as (t,):
        t.sock.sendall(headers)
        t.sent = len(headers)
        run([t], BODY_TIMEOUT + 5, server)
    assert t.closed_after is not None
    assert t.closed_after <= BODY_TIMEOUT + SLACK
    assert t.answer()[0] == 413


def test_headers_past_the_limit_get_431_however_fast(server: LiveServer) -> None:
    """uvicorn alone read 8 MB of headers into memory; within the header timeout, a fast client
    could send that much."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        answer = b""
        with contextlib.suppress(OSError):  # the server may close while we still send
            for _ in range(HEADER_LIMIT // 1000 + 10):
                sock.sendall(b"X-Pad: " + b"a" * 1000 + b"\r\n")
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 "), head
    message = f"Request headers too large: the limit is {HEADER_LIMIT} bytes."
    assert json.loads(body)["error"]["message"] == message


def test_large_headers_within_the_limit_and_a_large_body_are_served(
    server: LiveServer, settings: Settings
) -> None:
    tenant = server.tenant("big")
    body = b'{"url": "https://example.com/big", "key": "big"}' + b" " * 500_000
    with httpx.Client(base_url=server.url, timeout=10) as client:
        pad = {f"X-Pad-{i}": "a" * 1000 for i in range(50)}  # 50 kB of headers
        response = client.post("/links", content=body, headers={**tenant.auth, **pad})
    assert response.status_code == 200, response.text
