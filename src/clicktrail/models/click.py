from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clicktrail.models.base import Base, folded_column, pending_index


class Click(Base):
    """One recorded visit of a short link (spec §4.2). The id is the `dub_id` a lead refers to."""

    __tablename__ = "clicks"
    __table_args__ = (
        Index("ix_clicks_link_timestamp", "link_id", "timestamp"),
        Index("ix_clicks_workspace_timestamp", "workspace_id", "timestamp"),
        pending_index("clicks"),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # No foreign key: a deleted link's clicks are removed by the folder, not by the request.
    link_id: Mapped[str] = mapped_column(String(40))
    timestamp: Mapped[datetime]
    domain: Mapped[str] = mapped_column(String(190))
    key: Mapped[str] = mapped_column(String(190))
    url: Mapped[str] = mapped_column(Text)
    identity_hash: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(
        String(64), comment="keyed hash of the visitor IP, or the raw IP when STORE_RAW_IPS is on"
    )
    continent: Mapped[str] = mapped_column(String(8))
    country: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(64))
    city: Mapped[str] = mapped_column(String(128))
    device: Mapped[str] = mapped_column(String(32))
    device_vendor: Mapped[str] = mapped_column(String(64))
    device_model: Mapped[str] = mapped_column(String(64))
    browser: Mapped[str] = mapped_column(String(64))
    browser_version: Mapped[str] = mapped_column(String(32))
    os: Mapped[str] = mapped_column(String(64))
    os_version: Mapped[str] = mapped_column(String(32))
    ua: Mapped[str] = mapped_column(Text)
    referer: Mapped[str] = mapped_column(String(255))
    referer_url: Mapped[str] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(String(16))
    qr: Mapped[bool] = mapped_column(default=False)
    folded: Mapped[bool] = folded_column()


class ClickVisitor(Base):
    """At most one click per visitor per link per hour, enforced by this table's primary key."""

    __tablename__ = "click_visitors"

    link_id: Mapped[str] = mapped_column(
        ForeignKey("links.id", ondelete="CASCADE"), primary_key=True
    )
    identity_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    click_id: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime]
