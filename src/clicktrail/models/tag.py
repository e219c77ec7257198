from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clicktrail.kit.clock import utcnow
from clicktrail.kit.ids import prefixed_id
from clicktrail.models.base import Base, TimestampMixin


class Tag(TimestampMixin, Base):
    """A workspace's label for links (a link's `tagIds`, `tagNames`)."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[str] = mapped_column(
        String(40), primary_key=True, default=lambda: prefixed_id("tag")
    )
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(190))
    color: Mapped[str] = mapped_column(String(16))


class LinkTag(Base):
    """A tag on a link; the link shows its tags in the order they were put on it."""

    __tablename__ = "link_tags"
    __table_args__ = (Index("ix_link_tags_tag_id", "tag_id"),)

    link_id: Mapped[str] = mapped_column(
        ForeignKey("links.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[str] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
