"""The accounts' SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.models import Membership, SignInFailure, User, UserSession, Workspace


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def user_by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == email))

    async def user(self, user_id: str) -> User | None:
        return await self.session.get(User, user_id)

    async def add(self, *rows: object) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def memberships(self, user_id: str) -> list[tuple[Workspace, str]]:
        rows = await self.session.execute(
            select(Workspace, Membership.role)
            .join(Membership, Membership.workspace_id == Workspace.id)
            .where(Membership.user_id == user_id)
            .order_by(Workspace.slug)
        )
        return [(ws, role) for ws, role in rows]

    async def membership(self, user_id: str, workspace_id: str) -> Membership | None:
        return await self.session.get(Membership, (user_id, workspace_id))

    async def live_session(self, token_hash: str, now: datetime) -> UserSession | None:
        return await self.session.scalar(
            select(UserSession).where(UserSession.id == token_hash, UserSession.expires_at > now)
        )

    async def end_session(self, token_hash: str) -> None:
        await self.session.execute(delete(UserSession).where(UserSession.id == token_hash))

    async def failures_since(self, subjects: list[str], since: datetime) -> dict[str, int]:
        rows = await self.session.execute(
            select(SignInFailure.subject, func.count())
            .where(SignInFailure.subject.in_(subjects), SignInFailure.at >= since)
            .group_by(SignInFailure.subject)
        )
        return {str(subject): int(count) for subject, count in rows}

    async def forget_old(self, before: datetime) -> None:
        """Failures older than the throttle window, and sessions past their expiry."""
        await self.session.execute(delete(SignInFailure).where(SignInFailure.at < before))
        await self.session.execute(delete(UserSession).where(UserSession.expires_at < before))

    async def forget_failures(self, subject: str) -> None:
        await self.session.execute(delete(SignInFailure).where(SignInFailure.subject == subject))
