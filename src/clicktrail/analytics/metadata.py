"""The `query` filter of /analytics and /events: conditions on a lead's or sale's metadata,
such as `metadata['plan']:'pro' AND metadata['seats']>5` (Dub's metadata-query-parser).

Conditions are joined by AND. Dub also splits on OR but then requires every condition, so an
OR is refused here rather than read as AND. A condition this cannot read is refused too, where
Dub drops it and answers unfiltered."""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, String, and_, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from clicktrail.errors import UnprocessableEntity

_SPLIT = re.compile(r"\s+(AND|and|OR|or)\s+")
_CONDITION = re.compile(
    r"""^metadata((?:\[['"][^'"]*['"]\])+)\s*(:|==|=|!=|>=|<=|>|<)\s*(.+)$""", re.DOTALL
)
_KEY = re.compile(r"""\[['"]([^'"]*)['"]\]""")
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_]+$")
LONGEST = 10_000  # Dub's limit on `query`
_TEXT_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    ":": operator.eq, "=": operator.eq, "==": operator.eq, "!=": operator.ne,
}  # fmt: skip
_NUMBER_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    ">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class MetadataCondition:
    """`path` (the keys, outermost first) compared with `value` by `op`."""

    path: tuple[str, ...]
    op: str
    value: str

    def on(self, metadata: Any) -> ColumnElement[bool]:
        """The condition on a JSON column; `None` stands for events without metadata
        (clicks), whose every key reads as missing."""
        if self.op in _TEXT_OPERATORS:
            text: Any = literal("") if metadata is None else JsonText(metadata, self.path)
            return _TEXT_OPERATORS[self.op](text, self.value)  # type: ignore[no-any-return]
        number = float(self.value)
        if metadata is None:
            return literal(False)  # a missing number compares as nothing, as Dub's NULL does
        compare = _NUMBER_OPERATORS[self.op]
        return compare(JsonNumber(metadata, self.path), number)  # type: ignore[no-any-return]


def parse_query(raw: str) -> tuple[MetadataCondition, ...]:
    if len(raw) > LONGEST:
        raise UnprocessableEntity(
            f"too_big: query: Too big: expected string to have <={LONGEST} characters"
        )
    parts = _SPLIT.split(raw.strip())
    if any(part.lower() == "or" for part in parts[1::2]):
        raise _refused("OR is not supported; conditions can only be joined by AND.")
    conditions = tuple(_condition(part.strip()) for part in parts[::2] if part.strip())
    if not conditions:
        raise _refused("give conditions such as metadata['key']:'value'.")
    return conditions


def where_all(conditions: tuple[MetadataCondition, ...], metadata: Any) -> ColumnElement[bool]:
    return and_(*(condition.on(metadata) for condition in conditions))


def _condition(text: str) -> MetadataCondition:
    match = _CONDITION.match(text)
    if match is None:
        raise _refused(f"cannot read {text!r}; write metadata['key']:'value'.")
    keys, op, value = match.groups()
    path = tuple(segment for key in _KEY.findall(keys) for segment in key.split("."))
    if not path or not all(_SAFE_KEY.match(key) for key in path):
        raise _refused(f"metadata keys may hold only letters, digits and _ in {text!r}.")
    value = re.sub(r"""^['"`]|['"`]$""", "", value.strip())
    if not value:
        raise _refused(f"no value to compare with in {text!r}.")
    if op in _NUMBER_OPERATORS and not _is_number(value):
        raise _refused(f"{op} compares numbers, and {value!r} is not one.")
    return MetadataCondition(path, op, value)


def _is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _refused(message: str) -> UnprocessableEntity:
    return UnprocessableEntity(f"custom: query: {message}")


class JsonText(FunctionElement[str]):
    """A metadata value as text ("" when missing or null): a string as itself, a number or a
    boolean as its JSON text."""

    type = String()
    inherit_cache = True

    def __init__(self, column: Any, path: tuple[str, ...]) -> None:
        super().__init__(column, literal(".".join(path)))


class JsonNumber(FunctionElement[float]):
    """A metadata value that is a JSON number, as a number; NULL otherwise."""

    type = Float()
    inherit_cache = True

    def __init__(self, column: Any, path: tuple[str, ...]) -> None:
        super().__init__(column, literal(".".join(path)))


def _arguments(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


# The path travels as one parameter, its keys joined by dots (keys hold no dots or quotes),
# and each database builds its own path from it.
def _sqlite(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    column, keys = _arguments(element, compiler, **kw)
    return column, f"""('$."' || replace({keys}, '.', '"."') || '"')"""


def _postgresql(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    column, keys = _arguments(element, compiler, **kw)
    return f"(CAST({column} AS JSON) #> string_to_array(CAST({keys} AS TEXT), '.'))"


@compiles(JsonText, "sqlite")
def _text_sqlite(element: JsonText, compiler: SQLCompiler, **kw: Any) -> str:
    column, path = _sqlite(element, compiler, **kw)
    return (
        f"(CASE json_type({column}, {path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
        f"ELSE coalesce(CAST(json_extract({column}, {path}) AS TEXT), '') END)"
    )


@compiles(JsonText, "postgresql")
def _text_postgresql(element: JsonText, compiler: SQLCompiler, **kw: Any) -> str:
    return f"coalesce({_postgresql(element, compiler, **kw)} #>> '{{}}', '')"


@compiles(JsonNumber, "sqlite")
def _number_sqlite(element: JsonNumber, compiler: SQLCompiler, **kw: Any) -> str:
    column, path = _sqlite(element, compiler, **kw)
    return (
        f"(CASE WHEN json_type({column}, {path}) IN ('integer', 'real') "
        f"THEN json_extract({column}, {path}) END)"
    )


@compiles(JsonNumber, "postgresql")
def _number_postgresql(element: JsonNumber, compiler: SQLCompiler, **kw: Any) -> str:
    value = _postgresql(element, compiler, **kw)
    return (
        f"(CASE WHEN json_typeof({value}) = 'number' "
        f"THEN CAST({value} #>> '{{}}' AS DOUBLE PRECISION) END)"
    )
