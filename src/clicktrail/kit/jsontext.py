"""JSON as RFC 8259 has it: no `NaN`, `Infinity` or `-Infinity`, read or written.

Python's `json` reads and writes those three tokens by default; strict receivers (and Dub's
parser) refuse them, and PostgreSQL's `jsonb` cannot hold them."""

from __future__ import annotations

import json
from typing import Any


class NonFiniteNumber(ValueError):
    """A JSON text holds `NaN`, `Infinity` or `-Infinity`."""


def dumps(value: Any) -> str:
    """Compact JSON; a non-finite float raises ValueError instead of leaving as `NaN`."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def has_non_finite(body: bytes) -> bool:
    """Whether `body` is JSON that only parses with a non-finite number in it. Text that is not
    JSON for another reason is not this check's to judge (its reader refuses it)."""
    # The only spellings Python's parser accepts for the three (`-Infinity` holds `Infinity`).
    if b"NaN" not in body and b"Infinity" not in body:
        return False  # the common case: two substring tests, no second parse
    try:
        json.loads(body, parse_constant=_refuse)
    except NonFiniteNumber:
        return True
    except ValueError:  # malformed JSON or text encoding
        return False
    return False


def _refuse(token: str) -> Any:
    raise NonFiniteNumber(token)


def for_columns(value: Any) -> str:
    """The databases' JSON serializer: the layout rows already stored have, and strict."""
    return json.dumps(value, allow_nan=False)
