from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from clicktrail.kit.clock import utcnow
from clicktrail.models.base import Base


class Domain(Base):
    """A short-link domain belongs to the first workspace that puts a link on it, so no other
    workspace can publish links under it. The server's shared domain belongs to nobody."""

    __tablename__ = "domains"

    domain: Mapped[str] = mapped_column(String(190), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
