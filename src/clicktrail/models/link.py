from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clicktrail.kit.ids import prefixed_id
from clicktrail.models.base import Base, SaleTotal, TimestampMixin

if TYPE_CHECKING:
    from clicktrail.models.tag import Tag


class Link(SaleTotal, TimestampMixin, Base):
    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("domain", "key_folded"),
        UniqueConstraint("workspace_id", "external_id"),
        Index("ix_links_workspace_created", "workspace_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(
        String(40), primary_key=True, default=lambda: prefixed_id("link")
    )
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(190))
    key: Mapped[str] = mapped_column(String(190))
    key_folded: Mapped[str] = mapped_column(
        String(190), comment="lower-cased key: short links resolve case-insensitively, as Dub's do"
    )
    url: Mapped[str] = mapped_column(Text)
    track_conversion: Mapped[bool] = mapped_column(default=False)
    external_id: Mapped[str | None] = mapped_column(String(255), default=None)
    tenant_id: Mapped[str | None] = mapped_column(String(255), default=None)
    program_id: Mapped[str | None] = mapped_column(String(64), default=None)
    partner_id: Mapped[str | None] = mapped_column(String(64), default=None)
    archived: Mapped[bool] = mapped_column(default=False)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    expired_url: Mapped[str | None] = mapped_column(Text, default=None)
    password: Mapped[str | None] = mapped_column(String(255), default=None)
    proxy: Mapped[bool] = mapped_column(default=False)
    rewrite: Mapped[bool] = mapped_column(default=False)
    do_index: Mapped[bool] = mapped_column(default=False)
    public_stats: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str | None] = mapped_column(Text, default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    image: Mapped[str | None] = mapped_column(Text, default=None)
    video: Mapped[str | None] = mapped_column(Text, default=None)
    ios: Mapped[str | None] = mapped_column(Text, default=None)
    android: Mapped[str | None] = mapped_column(Text, default=None)
    geo: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    comments: Mapped[str | None] = mapped_column(Text, default=None)
    folder_id: Mapped[str | None] = mapped_column(String(64), default=None)
    utm_source: Mapped[str | None] = mapped_column(String(255), default=None)
    utm_medium: Mapped[str | None] = mapped_column(String(255), default=None)
    utm_campaign: Mapped[str | None] = mapped_column(String(255), default=None)
    utm_term: Mapped[str | None] = mapped_column(String(255), default=None)
    utm_content: Mapped[str | None] = mapped_column(String(255), default=None)
    clicks: Mapped[int] = mapped_column(default=0)
    leads: Mapped[int] = mapped_column(default=0)
    conversions: Mapped[int] = mapped_column(default=0)
    sales: Mapped[int] = mapped_column(default=0)
    last_clicked: Mapped[datetime | None] = mapped_column(default=None)
    last_lead_at: Mapped[datetime | None] = mapped_column(default=None)
    last_conversion_at: Mapped[datetime | None] = mapped_column(default=None)
    # Loaded with every link read through a session (one query per batch of links), so that
    # every link object shown carries its tags; written by LinkRepository.set_tags.
    tags: Mapped[list[Tag]] = relationship(
        secondary="link_tags", lazy="selectin", order_by="LinkTag.created_at", viewonly=True
    )
