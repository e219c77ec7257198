"""domains as Dub's API shows them (an id, expiredUrl, notFoundUrl, placeholder, archived);
folders

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clicktrail.models.base
from clicktrail.kit.ids import prefixed_id

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("id", sa.String(length=40), nullable=True, comment="dom_…, Dub's id")
        )
        batch_op.add_column(
            sa.Column(
                "updated_at", clicktrail.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("placeholder", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("expired_url", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "not_found_url",
                sa.Text(),
                nullable=True,
                comment="where the domain's unknown keys redirect",
            )
        )
        batch_op.add_column(
            sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
    domains = sa.table("domains", sa.column("domain", sa.String), sa.column("id", sa.String))
    connection = op.get_bind()
    for (domain,) in connection.execute(sa.select(domains.c.domain)).all():
        connection.execute(
            domains.update().where(domains.c.domain == domain).values(id=prefixed_id("dom"))
        )
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_domains_id"), ["id"])
    op.create_table(
        "folders",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=190), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("access_level", sa.String(length=16), nullable=True),
        sa.Column("created_at", clicktrail.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", clicktrail.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_folders_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_folders")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_folders_workspace_id_name")),
    )


def downgrade() -> None:
    op.drop_table("folders")
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_domains_id"), type_="unique")
        for column in (
            "archived",
            "not_found_url",
            "expired_url",
            "placeholder",
            "updated_at",
            "id",
        ):
            batch_op.drop_column(column)
