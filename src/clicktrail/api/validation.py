"""Pydantic validation errors rewritten as Dub's messages: `"{zod code}: {path}: {message}"`.

Dub validates with zod and reports only the first issue (spec §6.3). Our schemas are pydantic, so
each pydantic error type is mapped to the zod issue code and zod's default English message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi import Depends, Request

from clicktrail.errors import INVALID_JSON, AppError, BadRequest, UnprocessableEntity
from clicktrail.kit.schema import EXPECTED_TYPES
from clicktrail.kit.text import UNSTORABLE, storable

_TYPE_ERRORS = {
    "string_type": "string",
    "int_type": "number",
    "int_parsing": "number",
    "int_from_float": "int",
    "float_type": "number",
    "float_parsing": "number",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
    "dict_type": "object",
    "model_type": "object",
    "model_attributes_type": "object",
    "list_type": "array",
}
_ZOD_CODES = frozenset({"invalid_type", "too_small", "too_big", "invalid_format", "custom"})
_QUOTED = re.compile(r"'([^']*)'")


def received(value: Any) -> str:
    match value:
        case None:
            return "null"
        case bool():
            return "boolean"
        case int() | float():
            return "number"
        case str():
            return "string"
        case list():
            return "array"
        case _:
            return "object"


def path_of(loc: Sequence[str | int]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def field_path(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """Drop FastAPI's location prefix (`body`, `query`, `path`) and pydantic's union tags."""
    parts = tuple(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return tuple(p for p in parts if not (isinstance(p, str) and "[" in p and "]" in p))


def issue(error: dict[str, Any]) -> tuple[str, str]:
    """The zod issue code and message for one pydantic error."""
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    loc = field_path(error.get("loc", ()))
    name = str(loc[-1]) if loc and isinstance(loc[-1], str) else ""
    if kind == "missing" or kind in _TYPE_ERRORS:
        expected = _TYPE_ERRORS.get(kind) or EXPECTED_TYPES.get(name, "string")
        got = "undefined" if kind == "missing" else received(error.get("input"))
        default = f"Invalid input: expected {expected}, received {got}"
        return "invalid_type", default
    if kind in _ZOD_CODES:  # raised by our own validators with Dub's wording
        return kind, str(error.get("msg", ""))
    return _bounded(kind, ctx) or _other(kind, ctx, error)


def _bounded(kind: str, ctx: dict[str, Any]) -> tuple[str, str] | None:
    match kind:
        case "string_too_long":
            return "too_big", f"Too big: expected string to have <={ctx['max_length']} characters"
        case "string_too_short":
            return "too_small", (
                f"Too small: expected string to have >={ctx['min_length']} characters"
            )
        case "greater_than":
            return "too_small", f"Too small: expected number to be >{ctx['gt']}"
        case "greater_than_equal":
            return "too_small", f"Too small: expected number to be >={ctx['ge']}"
        case "less_than":
            return "too_big", f"Too big: expected number to be <{ctx['lt']}"
        case "less_than_equal":
            return "too_big", f"Too big: expected number to be <={ctx['le']}"
    return None


def _other(kind: str, ctx: dict[str, Any], error: dict[str, Any]) -> tuple[str, str]:
    if kind in {"literal_error", "enum"}:
        options = "|".join(f'"{o}"' for o in _QUOTED.findall(str(ctx.get("expected", ""))))
        return "invalid_value", f"Invalid option: expected one of {options}"
    if kind in {"url_parsing", "url_type", "url_scheme"}:
        return "invalid_format", "Invalid URL"
    if kind.startswith(("datetime", "date_")):
        return "invalid_format", "Invalid ISO datetime"
    if kind == "value_error":
        message = str(ctx.get("error") or error.get("msg", ""))
        if "email address" in message:
            return "invalid_format", "Invalid email address"
        return "custom", message.removeprefix("Value error, ")
    return "custom", str(error.get("msg", "Invalid input"))


def to_app_error(errors: Sequence[Any]) -> AppError:
    """The one error Dub would answer for this list of pydantic errors (first issue only)."""
    first: dict[str, Any] = dict(errors[0]) if errors else {"type": "json_invalid", "loc": ()}
    loc = tuple(first.get("loc", ()))
    if first["type"] == "json_invalid" or (first["type"] == "missing" and loc == ("body",)):
        return BadRequest(INVALID_JSON)
    code, message = issue(first)
    return UnprocessableEntity(f"{code}: {path_of(field_path(loc))}: {message}")


async def storable_parameters(request: Request) -> None:
    """A path or query parameter that no database can hold (NUL: PostgreSQL refuses it) is a
    422, as such a body field is (`clicktrail.kit.schema.InputSchema`)."""
    for name, value in (*request.path_params.items(), *request.query_params.multi_items()):
        if isinstance(value, str) and not storable(value):
            raise UnprocessableEntity(f"custom: {name}: {UNSTORABLE}")


# For a router's `dependencies=`.
STORABLE_PARAMETERS = Depends(storable_parameters)
