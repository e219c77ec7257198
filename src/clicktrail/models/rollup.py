"""Counters kept at write time, so that analytics read thousands of rows instead of millions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from clicktrail.models.base import Base, SaleTotal

VALUE_LENGTH = 500


class Rollup(SaleTotal, Base):
    """Events of one hour (`grain` h) or one UTC day (d), counted per value of one dimension.

    Workspace rows (`link_id` "") hold every dimension; a link's own rows hold only its totals
    (`dim` ""). Values are cut to VALUE_LENGTH characters."""

    __tablename__ = "rollups"
    # Clustered by the key on SQLite: a range of buckets is one contiguous read.
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 - read once by SQLAlchemy

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    link_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    dim: Mapped[str] = mapped_column(String(16), primary_key=True)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    bucket: Mapped[datetime] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(String(VALUE_LENGTH), primary_key=True)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)
    leads: Mapped[int] = mapped_column(BigInteger, default=0)
    sales: Mapped[int] = mapped_column(BigInteger, default=0)
