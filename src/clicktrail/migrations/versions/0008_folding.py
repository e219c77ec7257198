"""events first: fold marks on the events, the folder's lease, deletions by folding (issue 13)

Every event gets `folded` (false while its counts wait for the folder) and a partial index of
the pending ones. Existing events are marked folded: their counts are already in the link
counters, the customer totals and the rollups. Clicks lose their foreign key to links, so
that deleting a link no longer deletes its clicks in the request (the folder does it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clicktrail.models.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS = ("clicks", "leads", "sales")
PENDING = sa.text("NOT folded")  # fixed here, whatever models/base.py says later
CLICK_LINK_FK = "fk_clicks_link_id_links"


def upgrade() -> None:
    for table in EVENTS:
        _add_folded(table)
        op.create_index(
            f"ix_{table}_pending", table, ["workspace_id"],
            sqlite_where=PENDING, postgresql_where=PENDING,
        )  # fmt: skip
    with op.batch_alter_table("clicks") as batch:
        batch.drop_constraint(CLICK_LINK_FK, type_="foreignkey")
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=40), primary_key=True),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", clicktrail.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.create_table(
        "link_deletions",
        sa.Column("link_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("subtracted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", clicktrail.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("link_id", name=op.f("pk_link_deletions")),
    )
    op.create_index(op.f("ix_link_deletions_workspace_id"), "link_deletions", ["workspace_id"])


def _add_folded(table: str) -> None:
    """Existing rows folded, new ones not: on PostgreSQL without rewriting the table."""
    if op.get_bind().dialect.name == "postgresql":
        op.add_column(table, sa.Column("folded", sa.Boolean(), server_default=sa.true(),
                                       nullable=False))  # fmt: skip
        op.alter_column(table, "folded", server_default=sa.false())
        return
    op.add_column(
        table, sa.Column("folded", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.execute(sa.table(table, sa.column("folded", sa.Boolean())).update().values(folded=True))


def downgrade() -> None:
    """Deletions not cleared yet are finished in SQL (their rollups are left to a rebuild);
    events not folded yet stay unfolded: `clicktrail analytics rebuild` and a recount settle
    them once the earlier code runs."""
    op.execute(sa.text("DELETE FROM clicks WHERE link_id NOT IN (SELECT id FROM links)"))
    op.drop_index(op.f("ix_link_deletions_workspace_id"), table_name="link_deletions")
    op.drop_table("link_deletions")
    op.drop_table("leases")
    with op.batch_alter_table("clicks") as batch:
        batch.create_foreign_key(CLICK_LINK_FK, "links", ["link_id"], ["id"], ondelete="CASCADE")
    for table in EVENTS:
        op.drop_index(f"ix_{table}_pending", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("folded")
