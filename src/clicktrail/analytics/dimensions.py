"""What analytics can group by, and how each grouping reads a click (spec §7.3).

A lead or a sale is counted under the dimensions of the click that brought it, as Dub copies
the click's fields into its lead and sale events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import ColumnElement, literal
from sqlalchemy.sql.expression import FromClause

from clicktrail.models.rollup import VALUE_LENGTH

SEPARATOR = "\x1f"  # between the parts of a composite value: country, region, city
UTM_PARAMETERS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


class ClickFields(Protocol):
    """What every dimension is read from: a click row, stored or about to be written."""

    @property
    def link_id(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def continent(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def device(self) -> str: ...
    @property
    def browser(self) -> str: ...
    @property
    def os(self) -> str: ...
    @property
    def referer(self) -> str: ...
    @property
    def referer_url(self) -> str: ...
    @property
    def trigger(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Dimension:
    """`key` names the rollup rows; `read` takes a click's value of it in Python and `column`
    in SQL. A dimension derived from the URL (`derive`) is grouped by URL in SQL first."""

    key: str
    read: Callable[[ClickFields], str]
    column: Callable[[FromClause], ColumnElement[Any]]
    derive: Callable[[str], str] | None = None


def _attribute(name: str) -> Dimension:
    return Dimension(name, lambda click: getattr(click, name), lambda c: c.c[name])


def utm_value(url: str, parameter: str) -> str:
    """The first value of a UTM parameter in a URL, decoded; "" if it has none."""
    query = urlsplit(url).query
    return parse_qs(query).get(parameter, [""])[0] if parameter in query else ""


def _utm(parameter: str) -> Dimension:
    def derive(url: str) -> str:
        return utm_value(url, parameter)[:VALUE_LENGTH]

    return Dimension(parameter, lambda click: derive(click.url), lambda c: c.c.url, derive)


def _joined(*names: str) -> Dimension:
    def read(click: ClickFields) -> str:
        return SEPARATOR.join(getattr(click, name) for name in names)

    def column(c: FromClause) -> ColumnElement[Any]:
        expression: ColumnElement[Any] = c.c[names[0]]
        for name in names[1:]:
            expression = expression.concat(SEPARATOR).concat(c.c[name])
        return expression

    return Dimension(names[-1], read, column)


TOTAL = Dimension("", lambda _click: "", lambda _c: literal(""))
LINK = Dimension("link", lambda click: click.link_id, lambda c: c.c.link_id)

DIMENSIONS: tuple[Dimension, ...] = (
    TOTAL,
    LINK,
    *(
        _attribute(name)
        for name in ("continent", "country", "device", "browser", "os", "trigger", "url")
    ),
    _attribute("referer"),
    _attribute("referer_url"),
    _joined("country", "region"),
    _joined("country", "region", "city"),
    *(_utm(parameter) for parameter in UTM_PARAMETERS),
)
BY_KEY = {dimension.key: dimension for dimension in DIMENSIONS}


def values_of(click: ClickFields) -> list[tuple[str, str]]:
    """(dimension key, value) of every dimension for one click; UTM parameters it lacks are
    left out, as Dub's groupings skip empty UTM values."""
    pairs = [(d.key, d.read(click)[:VALUE_LENGTH]) for d in DIMENSIONS]
    return [(key, value) for key, value in pairs if value or BY_KEY[key].derive is None]
