"""Clicks, leads and sales as one relation, which every count over raw events reads.

Leads and sales take their dimensions from the click that brought them; an event whose click
is gone (deleted with its link) drops out, as Dub drops the events of deleted links."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select, union_all
from sqlalchemy.sql.expression import FromClause, Subquery

from clicktrail.analytics.rollups import COUNTS, PARTS, STORED
from clicktrail.models import Click, Lead, Sale
from clicktrail.storage import totals

KINDS = ("clicks", "leads", "sales")

Value = Callable[[FromClause], ColumnElement[Any]]
Where = Callable[[FromClause, FromClause, str], list[ColumnElement[bool]]]


def events(value: Value, kinds: Iterable[str], where: Where) -> Subquery:
    """(workspace_id, link_id, at, value, clicks, leads, sales, and the sale's amount in the
    parts of storage/totals.py) of each event of `kinds` that `where(own table, click, kind)`
    admits; `value(click)` is its dimension."""
    c = Click.__table__.alias("c")
    parts = []
    for kind in kinds:
        if kind == "clicks":
            own: FromClause = c
            source: Any = c
            counts = _counts(1, 0, 0, (0, 0))
        else:
            own = (Lead if kind == "leads" else Sale).__table__
            source = own.join(c, c.c.id == own.c.click_id)
            counts = (
                _counts(0, 1, 0, (0, 0))
                if kind == "leads"
                else _counts(0, 0, 1, totals.parts_of(own.c.amount))
            )
        parts.append(
            select(own.c.workspace_id, own.c.link_id, own.c.timestamp.label("at"),
                   value(c).label("value"), *counts)
            .select_from(source)
            .where(*where(own, c, kind))
        )  # fmt: skip
    return union_all(*parts).subquery("events")


def sums(rows: FromClause) -> list[ColumnElement[Any]]:
    """SQL for the totals of a group of events (or of rollup rows, which have the same
    columns), the amount in exact parts; `counted` reads them back."""
    parts = totals.summed(*(rows.c[name] for name in PARTS))
    return [*(func.sum(rows.c[name]) for name in COUNTS), *parts]


def counted(sums_read: Sequence[Any]) -> list[int]:
    """[clicks, leads, sales, sale amount] from the values of `sums`."""
    clicks, leads, sales, high, low = sums_read
    return [int(clicks or 0), int(leads or 0), int(sales or 0), totals.join(high, low)]


def _counts(clicks: int, leads: int, sales: int, amount: Sequence[Any]) -> list[ColumnElement[Any]]:
    values = (clicks, leads, sales, *amount)
    return [
        (v if isinstance(v, ColumnElement) else literal(v)).label(name)
        for v, name in zip(values, STORED, strict=True)
    ]
