"""store the fallback name of customers created without one

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:45:00.000000

Before 0010, `POST /customers` without a name stored none, and every read made up a new random
name for such a customer (issue 15). As Dub does at creation, each gets its email, or else a
made-up name, stored once. Data only: no schema change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from clicktrail.kit.names import random_name

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGE = 1000
customers = sa.table(
    "customers",
    sa.column("id", sa.String),
    sa.column("name", sa.String),
    sa.column("email", sa.String),
)
NAMELESS = sa.or_(customers.c.name.is_(None), customers.c.name == "")


def upgrade() -> None:
    conn = op.get_bind()
    while True:  # each page is named before the next is read, so the same rows never return
        query = sa.select(customers.c.id, customers.c.email).where(NAMELESS).limit(PAGE)
        rows = conn.execute(query).all()
        for row in rows:
            named = sa.update(customers).where(customers.c.id == row.id)
            conn.execute(named.values(name=row.email or random_name()))
        if len(rows) < PAGE:
            return


def downgrade() -> None:
    """Nothing to undo: a stored name is valid under every earlier revision too."""
