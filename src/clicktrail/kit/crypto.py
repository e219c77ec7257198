"""Keyed hashes for secrets that must never be stored in the clear."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def keyed_hash(secret: bytes, value: str) -> str:
    """HMAC-SHA256 hex digest: API keys, visitor IPs and identities are stored only like this."""
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def partial_key(key: str) -> str:
    """What a listing may show of a key: its first 3 and last 4 characters."""
    return f"{key[:3]}...{key[-4:]}"


class Secret(str):
    """A secret kept in the clear because it is needed (a webhook's signing key), whose repr
    does not show it: database drivers and SQLAlchemy log parameters and fetched rows by repr
    at DEBUG, and so do tracebacks that print locals."""

    __slots__ = ()

    def __repr__(self) -> str:
        prefix, underscore, _ = self.partition("_")
        return f"'{prefix}{underscore}…'"
