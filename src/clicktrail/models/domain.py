from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from clicktrail.kit.clock import utcnow
from clicktrail.kit.ids import prefixed_id
from clicktrail.models.base import Base


class Domain(Base):
    """A short-link domain belongs to the first workspace that puts a link on it (or adds it
    with `POST /domains`), so no other workspace can publish links under it. The server's
    shared domain belongs to nobody."""

    __tablename__ = "domains"

    domain: Mapped[str] = mapped_column(String(190), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    id: Mapped[str | None] = mapped_column(
        String(40), default=lambda: prefixed_id("dom"), unique=True, comment="dom_…, Dub's id"
    )
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)
    placeholder: Mapped[str | None] = mapped_column(String(100), default=None)
    expired_url: Mapped[str | None] = mapped_column(Text, default=None)
    not_found_url: Mapped[str | None] = mapped_column(
        Text, default=None, comment="where the domain's unknown keys redirect"
    )
    archived: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
