from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from clicktrail.kit.ids import prefixed_id
from clicktrail.models.base import Base, TimestampMixin


class Plan(StrEnum):
    free = "free"
    pro = "pro"
    business = "business"
    advanced = "advanced"
    enterprise = "enterprise"


class Workspace(TimestampMixin, Base):
    __tablename__ = "workspaces"
    __table_args__ = (
        CheckConstraint(
            "plan IN ('free', 'pro', 'business', 'advanced', 'enterprise')", name="plan"
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: prefixed_id("ws"))
    name: Mapped[str] = mapped_column(String(190))
    slug: Mapped[str] = mapped_column(String(190), unique=True)
    plan: Mapped[str] = mapped_column(String(20), default=Plan.free.value)
