"""Password hashing with argon2id (argon2-cffi): the memory-hard winner of the Password Hashing
Competition, OWASP's first choice, and a maintained binding with its own parameter upgrades."""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


@functools.cache
def _decoy() -> str:
    """Checked against when no user has the email, so that an unknown address costs the same
    time. Made on first use, not at import: each server worker would pay for it at start."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def verify(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _decoy(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def generate() -> str:
    """A password to print once: 20 URL-safe characters, about 120 bits."""
    return secrets.token_urlsafe(15)
