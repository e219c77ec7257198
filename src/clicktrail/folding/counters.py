"""A fold's sales, counted for their links and their customers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from clicktrail.folding.repository import FoldRepository, SaleRow
from clicktrail.storage import totals


async def fold_sales(repo: FoldRepository, ids: Sequence[str]) -> None:
    """A sale is its link's conversion when it is its customer's first sale, or when the
    customer now belongs to another link (the rule the request applied before issue 13)."""
    if not ids:
        return
    sales = await repo.sales(ids)  # in time order
    customers = await repo.customers(list({sale.customer_id for sale in sales}))
    links: dict[str, dict[str, Any]] = {}
    buyers: dict[str, dict[str, Any]] = {}
    for sale in sales:
        so_far, customer_link = customers.get(sale.customer_id, (0, None))
        first = sale.customer_id not in buyers and so_far == 0
        converted = first or customer_link != sale.link_id
        _add(
            links,
            sale.link_id,
            sale,
            conv=int(converted),
            last=sale.timestamp if converted else None,
        )
        _add(buyers, sale.customer_id, sale)
    await repo.count_link_sales([_amounts(row) for row in links.values()])
    await repo.count_customer_sales([_amounts(row) for row in buyers.values()])


def _add(
    rows: dict[str, dict[str, Any]], key: str, sale: SaleRow, *, conv: int = 0,
    last: datetime | None = None,
) -> None:  # fmt: skip
    row = rows.setdefault(
        key, {"k": key, "n": 0, "amount": 0, "conv": 0, "last": None, "first": sale.timestamp}
    )
    row["n"] += 1
    row["amount"] += sale.amount
    row["conv"] += conv
    if last is not None and (row["last"] is None or last > row["last"]):
        row["last"] = last


def _amounts(row: dict[str, Any]) -> dict[str, Any]:
    high, low = totals.split(row.pop("amount"))
    return row | {"high": high, "low": low}
