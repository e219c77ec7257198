from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clicktrail.kit.ids import prefixed_id
from clicktrail.models.base import Base, SaleTotal, TimestampMixin


class Customer(SaleTotal, TimestampMixin, Base):
    """A person a workspace's backend reported, bound to the click that brought them."""

    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        Index("ix_customers_workspace_created", "workspace_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(
        String(40), primary_key=True, default=lambda: prefixed_id("cus")
    )
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(255), default=None)
    name: Mapped[str | None] = mapped_column(String(255), default=None)
    email: Mapped[str | None] = mapped_column(String(255), default=None)
    avatar: Mapped[str | None] = mapped_column(Text, default=None)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), default=None)
    country: Mapped[str | None] = mapped_column(String(64), default=None)
    click_id: Mapped[str | None] = mapped_column(String(16), default=None)
    link_id: Mapped[str | None] = mapped_column(
        ForeignKey("links.id", ondelete="SET NULL"), default=None
    )
    clicked_at: Mapped[datetime | None] = mapped_column(default=None)
    sales: Mapped[int] = mapped_column(default=0)
    first_sale_at: Mapped[datetime | None] = mapped_column(default=None)
