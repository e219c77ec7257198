"""clean or neutralise stored destinations and domains that today's checks refuse

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:40:00.000000

Before 0007, `ios`, `android` and `geo` were stored unchecked, `expiredUrl` and `url` could keep
control characters, and domains were barely checked (issue 11). Data only: no schema change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from clicktrail.kit.clock import utcnow
from clicktrail.links.repair import TARGETS, repairs
from clicktrail.models.base import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGE = 1000
links = sa.table(
    "links",
    sa.column("id", sa.String),
    sa.column("domain", sa.String),
    sa.column("url", sa.Text),
    *(sa.column(name, sa.Text) for name in TARGETS),
    sa.column("geo", sa.JSON),
    sa.column("disabled_at", UTCDateTime(timezone=True)),
)


def upgrade() -> None:
    conn = op.get_bind()
    now, last = utcnow(), ""
    while True:  # pages by id: no cursor held open across the updates, on either database
        query = sa.select(links).where(links.c.id > last).order_by(links.c.id).limit(PAGE)
        rows = conn.execute(query).mappings().all()
        for row in rows:
            changes = repairs(dict(row), now)
            if changes:
                conn.execute(sa.update(links).where(links.c.id == row["id"]).values(changes))
        if len(rows) < PAGE:
            return
        last = rows[-1]["id"]


def downgrade() -> None:
    """Nothing to undo: the cleaned values are valid under every earlier revision too."""
