"""Clicks, leads and sales as one relation, which every count over raw events reads.

Leads and sales take their dimensions from the click that brought them; an event whose click
is gone (deleted with its link) drops out, as Dub drops the events of deleted links."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, literal, select, union_all
from sqlalchemy.sql.expression import FromClause, Subquery

from clicktrail.models import Click, Lead, Sale

KINDS = ("clicks", "leads", "sales")
MEASURES = ("clicks", "leads", "sales", "sale_amount")

Value = Callable[[FromClause], ColumnElement[Any]]
Where = Callable[[FromClause, FromClause, str], list[ColumnElement[bool]]]


def events(value: Value, kinds: Iterable[str], where: Where) -> Subquery:
    """(workspace_id, link_id, at, value, clicks, leads, sales, sale_amount) of each event of
    `kinds` that `where(own table, click, kind)` admits; `value(click)` is its dimension."""
    c = Click.__table__.alias("c")
    parts = []
    for kind in kinds:
        if kind == "clicks":
            own: FromClause = c
            source: Any = c
            counts = _counts(1, 0, 0, 0)
        else:
            own = (Lead if kind == "leads" else Sale).__table__
            source = own.join(c, c.c.id == own.c.click_id)
            counts = _counts(0, 1, 0, 0) if kind == "leads" else _counts(0, 0, 1, own.c.amount)
        parts.append(
            select(own.c.workspace_id, own.c.link_id, own.c.timestamp.label("at"),
                   value(c).label("value"), *counts)
            .select_from(source)
            .where(*where(own, c, kind))
        )  # fmt: skip
    return union_all(*parts).subquery("events")


def _counts(clicks: int, leads: int, sales: int, amount: Any) -> list[ColumnElement[Any]]:
    values = (clicks, leads, sales, amount)
    return [
        (v if isinstance(v, ColumnElement) else literal(v)).label(name)
        for v, name in zip(values, MEASURES, strict=True)
    ]
