"""JSON as RFC 8259 has it: no `NaN`, `Infinity` or `-Infinity`, read or written.

Python's `json` reads and writes those three tokens by default; strict receivers (and Dub's
parser) refuse them, and PostgreSQL's `jsonb` cannot hold them."""

from __future__ import annotations

import json
import math
from decimal import Decimal
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


def js_length(value: Any) -> int:
    """`JSON.stringify(value).length` as JavaScript computes it: the length of the text in UTF-16
    code units, numbers written as JavaScript writes them, lone surrogates escaped (`\\udXXX`).
    Python's `json.dumps` counts each non-ASCII character as a six-character escape instead."""
    if isinstance(value, dict):
        items = sum(_string_length(str(k)) + 1 + js_length(v) for k, v in value.items())
        return 2 + items + max(len(value) - 1, 0)
    if isinstance(value, list | tuple):
        return 2 + sum(js_length(v) for v in value) + max(len(value) - 1, 0)
    if isinstance(value, str):
        return _string_length(value)
    if value is None or isinstance(value, bool):
        return len(json.dumps(value))
    if isinstance(value, int | float):
        number = _as_double(value)
        return len(js_number(number)) if math.isfinite(number) else len("null")
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _as_double(number: float) -> float:
    try:
        return float(number)
    except OverflowError:  # an integer JavaScript reads as Infinity, and writes as null
        return math.nan


def _string_length(text: str) -> int:
    quoted = json.dumps(text, ensure_ascii=False)  # JavaScript escapes the same characters
    astral = sum(1 for c in text if ord(c) > 0xFFFF)  # two UTF-16 units each
    lone = sum(1 for c in text if 0xD800 <= ord(c) <= 0xDFFF)  # written as six-unit escapes
    return len(quoted) + astral + 5 * lone


def js_number(number: float) -> str:
    """A finite number as JavaScript's `Number.prototype.toString()` writes it."""
    if number == 0:
        return "0"
    _, digits, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    shortest = "".join(map(str, digits))
    point = len(shortest) + int(exponent)  # the decimal point sits after this many digits
    text = _js_digits(shortest, point)
    return f"-{text}" if number < 0 else text


def _js_digits(digits: str, point: int) -> str:
    count = len(digits)
    if count <= point <= 21:
        return digits + "0" * (point - count)
    if 0 < point <= 21:
        return f"{digits[:point]}.{digits[point:]}"
    if -6 < point <= 0:
        return f"0.{'0' * -point}{digits}"
    power = point - 1
    mantissa = digits if count == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"
