from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from clicktrail.kit.clock import utcnow
from clicktrail.kit.ids import prefixed_id
from clicktrail.models.base import Base


class APIKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(
        String(40), primary_key=True, default=lambda: prefixed_id("key")
    )
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(190))
    hashed_key: Mapped[str] = mapped_column(
        String(64), unique=True, comment="HMAC-SHA256 of the key under the instance secret"
    )
    partial_key: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
