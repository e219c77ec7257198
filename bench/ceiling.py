"""The ceiling of the throughput benchmark: a bare ASGI app that answers every request with a
302, served the same way as clicktrail."""

from __future__ import annotations

from typing import Any

HEADERS = [(b"location", b"https://example.com/pricing"), (b"content-length", b"0")]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:  # noqa: ARG001
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 302, "headers": HEADERS})
    await send({"type": "http.response.body", "body": b""})
