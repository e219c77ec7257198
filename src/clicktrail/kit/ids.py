"""Identifiers in Dub's formats (spec §0.2)."""

from __future__ import annotations

import secrets
import time

_NANOID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


_UNBIASED = 256 - 256 % len(_NANOID_ALPHABET)  # bytes at or above this would favour some


def nanoid(size: int = 7) -> str:
    """Random string over `[0-9A-Za-z]`, like Dub's click ids (16) and link keys (7). One read
    of the system's randomness, not one per character: it is on every click's path."""
    found: list[str] = []
    while len(found) < size:
        found += [_NANOID_ALPHABET[b % 62] for b in secrets.token_bytes(size + 8) if b < _UNBIASED]
    return "".join(found[:size])


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


def machine_user_id(workspace_id: str) -> str:
    """The id of the user that owns a workspace's API keys, and so every link made with them:
    Dub shows such a "machine user" as a link's `userId`. clicktrail keeps no users, so the id
    is derived from the workspace's (`ws_X` -> `user_X`): stable, and never null."""
    return "user_" + workspace_id.removeprefix("ws_")
