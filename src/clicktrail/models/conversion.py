"""Leads and sales, and the rows that make each of them happen once.

Events keep their customer and link ids without foreign keys: deleting a link or a customer
must not delete the revenue history that was attributed to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from clicktrail.kit.clock import utcnow
from clicktrail.models.base import Base, folded_column, pending_index


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_customer_timestamp", "customer_id", "timestamp"),
        Index("ix_leads_link_timestamp", "link_id", "timestamp"),
        Index("ix_leads_workspace_timestamp", "workspace_id", "timestamp"),
        pending_index("leads"),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True, comment="the event id")
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[str] = mapped_column(String(40))
    click_id: Mapped[str] = mapped_column(String(16))
    link_id: Mapped[str] = mapped_column(String(40))
    event_name: Mapped[str] = mapped_column(String(255))
    metadata_json: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON, default=None)
    timestamp: Mapped[datetime] = mapped_column(default=utcnow)
    folded: Mapped[bool] = folded_column()


class LeadMark(Base):
    """One lead per (workspace, customer, normalised event name), forever; written in the same
    transaction as the lead, so a failed request leaves no mark behind."""

    __tablename__ = "lead_marks"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    customer_external_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    event_name: Mapped[str] = mapped_column(String(255), primary_key=True, comment="normalised")


class Sale(Base):
    __tablename__ = "sales"
    __table_args__ = (
        Index("ix_sales_customer_timestamp", "customer_id", "timestamp"),
        Index("ix_sales_link_timestamp", "link_id", "timestamp"),
        Index("ix_sales_workspace_timestamp", "workspace_id", "timestamp"),
        pending_index("sales"),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True, comment="the event id")
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[str] = mapped_column(String(40))
    lead_id: Mapped[str] = mapped_column(String(16), comment="the lead this sale is attributed to")
    click_id: Mapped[str] = mapped_column(String(16))
    link_id: Mapped[str] = mapped_column(String(40))
    event_name: Mapped[str] = mapped_column(String(255))
    amount: Mapped[int] = mapped_column(BigInteger, comment="USD cents")
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    original_amount: Mapped[int] = mapped_column(BigInteger, comment="minor units of currency")
    original_currency: Mapped[str] = mapped_column(String(3))
    fx_rate: Mapped[str] = mapped_column(
        String(32), comment="exact decimal: units of original_currency per USD, as used"
    )
    payment_processor: Mapped[str] = mapped_column(String(20))
    invoice_id: Mapped[str | None] = mapped_column(String(255), default=None)
    metadata_json: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON, default=None)
    timestamp: Mapped[datetime] = mapped_column(default=utcnow)
    folded: Mapped[bool] = folded_column()


class SaleInvoice(Base):
    """An invoice id is recorded once, ever, per workspace; a repeat gets `response` back."""

    __tablename__ = "sale_invoices"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    invoice_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
