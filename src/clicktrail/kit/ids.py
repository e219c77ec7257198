"""Identifiers in Dub's formats (spec §0.2)."""

from __future__ import annotations

import secrets
import time

_NANOID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def nanoid(size: int = 7) -> str:
    """Random string over `[0-9A-Za-z]`, like Dub's click ids (16) and link keys (7)."""
    return "".join(secrets.choice(_NANOID_ALPHABET) for _ in range(size))


def ulid_body(now_ms: int | None = None) -> str:
    """A 48-bit millisecond timestamp and 80 random bits, base-32 (Crockford) without padding."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms << 80) | secrets.randbits(80)
    digits: list[str] = []
    while value:
        value, rest = divmod(value, 32)
        digits.append(_CROCKFORD[rest])
    return "".join(reversed(digits)) or "0"


def prefixed_id(prefix: str) -> str:
    """`cus_…`, `link_…`, `ws_…`: a prefix and a ULID body, sortable by creation time."""
    body = ulid_body()
    if prefix == "ws" and body.startswith("c"):  # pragma: no cover - Crockford has no lowercase
        body = ulid_body()
    return f"{prefix}_{body}"


def click_id() -> str:
    return nanoid(16)
