"""An unhandled exception answers 500 in Dub's envelope with an `X-Request-Id`, is logged with
that id and its traceback, and leaves the keep-alive connection usable (issue 11, item 7)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from clicktrail.api.faults import ContainFaults
from clicktrail.config import Settings
from clicktrail.errors import INTERNAL, envelope
from tests.isolation.faulty import FAULTY, PATH, create_app
from tests.isolation.rawhttp import Connection, connect
from tests.support import LiveServer

ID = re.compile(r"[0-9a-f]{32}")


def assert_internal_error(
    status: int, headers: httpx.Headers | dict[str, str], body: object
) -> str:
    assert (status, body) == (500, envelope("internal_server_error", INTERNAL))
    request_id = headers["x-request-id"]
    assert ID.fullmatch(request_id), request_id
    return request_id


def post_fault(conn: Connection, **headers: str) -> tuple[int, dict[str, str], object]:
    conn.send_head("POST", PATH, {"Host": "127.0.0.1", "Content-Length": "0", **headers})
    answer = conn.answer()
    return answer.status, answer.headers, answer.json()


def test_the_connection_serves_the_next_request_after_a_500(
    settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    ids = []
    with (
        log.open("w") as stderr,
        LiveServer.running(settings, FAULTY, stderr=stderr) as server,
        connect(server.url) as conn,
    ):
        for _ in range(4):  # the issue saw "Connection reset by peer" 4 times in 4
            ids.append(assert_internal_error(*post_fault(conn)))
            conn.send_head("GET", "/health", {"Host": "127.0.0.1"})
            assert conn.answer().status == 200
    written = log.read_text()
    assert len(set(ids)) == 4
    for request_id in ids:
        line = next(x for x in written.splitlines() if request_id in x)
        assert line.endswith(f"unhandled error on POST {PATH} (request id {request_id})")
    assert written.count("Traceback") == 4
    assert "InjectedFault: injected fault" in written
    assert "Exception in ASGI application" not in written  # nothing left to the server


async def test_the_500_is_logged_under_the_id_it_answers_with(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    root = create_app(settings)
    async with root.api.router.lifespan_context(root.api):
        transport = httpx.ASGITransport(app=root)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            response = await client.post(PATH)
            sent = await client.post(PATH, headers={"X-Request-Id": "lb-7f3a.42"})
            forged = await client.post(PATH, headers={"X-Request-Id": 'x y"<'})
    request_id = assert_internal_error(response.status_code, response.headers, response.json())
    (record,) = [r for r in caplog.records if request_id in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert sent.headers["x-request-id"] == "lb-7f3a.42"  # a proxy's id, kept for its logs
    assert ID.fullmatch(forged.headers["x-request-id"])  # anything else is replaced


async def _raise_before(_scope: Scope, _receive: Receive, _send: Send) -> None:
    raise InjectedFaultOutsideFastAPI


async def _raise_after(_scope: Scope, _receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})
    raise InjectedFaultOutsideFastAPI


async def _raise_midway(_scope: Scope, _receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"half", "more_body": True})
    raise InjectedFaultOutsideFastAPI


class InjectedFaultOutsideFastAPI(RuntimeError):
    pass


async def test_faults_outside_fastapi_are_contained_where_they_can_be() -> None:
    """Before an answer: 500 in the envelope. After a complete one: the answer stands. In the
    middle of one: raised on, as only closing the connection can end half an answer."""

    def client(app: object) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=ContainFaults(app))  # type: ignore[arg-type]
        return httpx.AsyncClient(transport=transport, base_url="http://localhost")

    async with client(_raise_before) as c:
        before = await c.get("/")
    assert_internal_error(before.status_code, before.headers, before.json())
    async with client(_raise_after) as c:
        assert (await c.get("/")).status_code == 204
    async with client(_raise_midway) as c:
        with pytest.raises(InjectedFaultOutsideFastAPI):
            await c.get("/")
