from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from clicktrail.kit.clock import utcnow
from clicktrail.models.base import Base


class FxSnapshot(Base):
    """Exchange rates loaded by an operator; the newest row wins over the bundled snapshot."""

    __tablename__ = "fx_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    as_of: Mapped[date]
    source: Mapped[str] = mapped_column(String(255))
    rates: Mapped[dict[str, str]] = mapped_column(JSON, comment="units per USD, exact decimals")
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
