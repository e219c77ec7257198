"""People who sign in to the dashboard, the workspaces they belong to, and their sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from clicktrail.kit.clock import utcnow
from clicktrail.kit.ids import prefixed_id
from clicktrail.models.base import Base


class Role(StrEnum):
    owner = "owner"  # everything, including API keys and webhooks
    member = "member"  # links and the workspace's data
    viewer = "viewer"  # reads only


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(
        String(40), primary_key=True, default=lambda: prefixed_id("usr")
    )
    email: Mapped[str] = mapped_column(String(254), unique=True, comment="lower-cased")
    password_hash: Mapped[str] = mapped_column(String(255), comment="argon2id, PHC string")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint("role IN ('owner', 'member', 'viewer')", name="role"),)

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserSession(Base):
    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(
        String(64), primary_key=True, comment="SHA-256 of the cookie's token, hex"
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SignInFailure(Base):
    """A failed sign-in, counted per account and per address to slow down guessing."""

    __tablename__ = "sign_in_failures"

    id: Mapped[str] = mapped_column(
        String(40), primary_key=True, default=lambda: prefixed_id("sif")
    )
    subject: Mapped[str] = mapped_column(String(300), comment="`email:…` or `address:…`")
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
