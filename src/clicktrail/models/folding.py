"""The folder's own rows: who folds (a lease) and which deleted links it still has to clear."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from clicktrail.kit.clock import utcnow
from clicktrail.models.base import Base


class Lease(Base):
    """One named job that only one process at a time may do; the holder renews it."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]


class LinkDeletion(Base):
    """A link deleted by a request: its row is gone; the folder takes its events out of the
    rollups (`subtracted`), then deletes them, then this row."""

    __tablename__ = "link_deletions"

    link_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(40), index=True)
    subtracted: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)
