from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clicktrail.kit.ids import prefixed_id
from clicktrail.models.base import Base, TimestampMixin


class Folder(TimestampMixin, Base):
    """A named group of a workspace's links (a link's `folderId`)."""

    __tablename__ = "folders"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[str] = mapped_column(
        String(40), primary_key=True, default=lambda: prefixed_id("fold")
    )
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(190))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    access_level: Mapped[str | None] = mapped_column(String(16), default="write")
