"""sale totals in two parts that cannot overflow (issue 11)

Each `sale_amount` of links, customers and rollups becomes `sale_amount_high` (the cents
>> 28) and `sale_amount_low` (their last 28 bits), as storage/totals.py keeps them. Integer
values are split exactly, in SQL. A SQLite total that had already overflowed into a float
is recounted from the sales (links, customers) or rebuilt from the events (a workspace's
rollups), as are the rollups of a database that came from before 0004, which no longer
builds them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:40:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from clicktrail.analytics.rebuild import Scope, rebuild

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Fixed here, whatever storage/totals.py says later: this revision means these parts.
SHIFT = 28
LOW = (1 << SHIFT) - 1
# inlined, since PostgreSQL has no `bigint >> bigint` for a parameter typed like the column
RIGHT: sa.ColumnElement[int] = sa.literal_column(str(SHIFT))
MASK: sa.ColumnElement[int] = sa.literal_column(str(LOW))
PARTS = ("sale_amount_high", "sale_amount_low")
COMMENTS = ("USD cents >> 28", "the last 28 bits of the USD cents")
TOTALS = ("links", "customers", "rollups")
RECOUNTED = {"links": "link_id", "customers": "customer_id"}  # table -> its key in sales


def upgrade() -> None:
    bind = op.get_bind()
    broken = _broken_rollups(bind)
    for name in TOTALS:
        _add_parts(name)
        table = _table(name)
        amount = table.c.sale_amount
        split = {
            "sale_amount_high": amount.op(">>")(RIGHT),
            "sale_amount_low": amount.op("&")(MASK),
        }
        op.execute(table.update().where(*_exact(bind, table)).values(split))
    for name, key in RECOUNTED.items():
        _recount(bind, _table(name), key)
    for name in TOTALS:
        op.drop_column(name, "sale_amount")
    for workspace_id in sorted(broken | _unbuilt_rollups(bind)):
        rebuild(bind, Scope(workspace_id=workspace_id, folded_only=False))  # no marks yet


def _table(name: str) -> sa.TableClause:
    return sa.table(
        name,
        *(sa.column(c) for c in ("id", "workspace_id", "link_id", "customer_id")),
        *(sa.column(c, sa.BigInteger) for c in ("amount", "sale_amount", *PARTS)),
    )


def _add_parts(table: str) -> None:
    for name, comment in zip(PARTS, COMMENTS, strict=True):
        column = sa.Column(name, sa.BigInteger(), server_default=sa.text("0"), nullable=False)
        column.comment = comment
        op.add_column(table, column)


def _exact(bind: sa.Connection, table: sa.TableClause, *, exact: bool = True) -> list[Any]:
    """Rows whose total is (or is not) still an integer: on SQLite a `+` that overflowed
    stored a float; PostgreSQL refused it instead."""
    if bind.dialect.name != "sqlite":
        return [] if exact else [sa.false()]
    kind = sa.func.typeof(table.c.sale_amount)
    return [kind == "integer" if exact else kind != "integer"]


def _recount(bind: sa.Connection, table: sa.TableClause, key: str) -> None:
    """Totals that overflowed, from their sales, in parts; then every row normalised."""
    sales = _table("sales")

    def summed(part: Any) -> Any:
        total = sa.func.coalesce(sa.func.sum(part), 0)
        return sa.select(total).where(sales.c[key] == table.c.id).scalar_subquery()

    amount = sales.c.amount
    recounted = {
        "sale_amount_high": summed(amount.op(">>")(RIGHT)),
        "sale_amount_low": summed(amount.op("&")(MASK)),
    }
    op.execute(table.update().where(*_exact(bind, table, exact=False)).values(recounted))
    high, low = table.c.sale_amount_high, table.c.sale_amount_low
    normalised = {
        "sale_amount_high": high + low.op(">>")(RIGHT),
        "sale_amount_low": low.op("&")(MASK),
    }
    op.execute(table.update().values(normalised))


def _broken_rollups(bind: sa.Connection) -> set[str]:
    rollups = _table("rollups")
    query = sa.select(rollups.c.workspace_id).distinct().where(*_exact(bind, rollups, exact=False))
    return {str(row[0]) for row in bind.execute(query)}


def _unbuilt_rollups(bind: sa.Connection) -> set[str]:
    """Workspaces with clicks but no rollups: every click counts in its link's own rows."""
    clicks, rollups = _table("clicks"), _table("rollups")
    built = sa.select(rollups.c.workspace_id).where(rollups.c.workspace_id == clicks.c.workspace_id)
    query = sa.select(clicks.c.workspace_id).distinct().where(~built.exists())
    return {str(row[0]) for row in bind.execute(query)}


def downgrade() -> None:
    """Totals past 2**63 - 1 cannot go back into one BIGINT: PostgreSQL refuses them."""
    for name in TOTALS:
        column = sa.Column(
            "sale_amount", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        )
        column.comment = "USD cents"
        op.add_column(name, column)
        table = _table(name)
        joined = table.c.sale_amount_high * (1 << SHIFT) + table.c.sale_amount_low
        op.execute(table.update().values(sale_amount=joined))
        for part in PARTS:
            op.drop_column(name, part)
