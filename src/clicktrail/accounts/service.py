"""Users, memberships and sign-in sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.accounts import passwords
from clicktrail.accounts.repository import AccountRepository
from clicktrail.errors import (
    Conflict,
    Forbidden,
    RateLimitExceeded,
    Unauthorized,
    UnprocessableEntity,
)
from clicktrail.kit.clock import utcnow
from clicktrail.models import Membership, Role, SignInFailure, User, UserSession, Workspace

SESSION_LIFETIME = timedelta(days=7)
THROTTLE_WINDOW = timedelta(minutes=15)
MOST_FAILURES = {"email": 5, "address": 20}  # per window, per account and per address
WRONG = "Wrong email or password."  # one answer for an unknown email and a wrong password
THROTTLED = "Too many failed sign-ins. Wait 15 minutes and try again."


@dataclass(frozen=True, slots=True)
class NewUser:
    user: User
    password: str | None  # generated here: to be shown once; None when the caller chose it
    added_to_existing: bool = False


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str  # the cookie's value; only its hash is stored
    session: UserSession


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is signed in, and with which session."""

    user: User
    session: UserSession


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise UnprocessableEntity(f"email: {error}") from error


async def create_user(
    session: AsyncSession, *, email: str, workspace: Workspace, role: Role,
    password: str | None = None,
) -> NewUser:  # fmt: skip
    """A new user in `workspace`; an existing one is added to it with their password kept."""
    repo = AccountRepository(session)
    address = clean_email(email)
    existing = await repo.user_by_email(address)
    if existing is not None:
        if await repo.membership(existing.id, workspace.id) is not None:
            raise Conflict(f"{address} is already a member of {workspace.slug}.")
        await repo.add(Membership(user_id=existing.id, workspace_id=workspace.id, role=role))
        return NewUser(existing, None, added_to_existing=True)
    chosen = password if password is not None else passwords.generate()
    if len(chosen) < passwords.MIN_LENGTH:
        raise UnprocessableEntity(f"password: at least {passwords.MIN_LENGTH} characters")
    user = User(email=address, password_hash=passwords.hash_password(chosen))
    await repo.add(user)
    await repo.add(Membership(user_id=user.id, workspace_id=workspace.id, role=role))
    return NewUser(user, None if password is not None else chosen)


async def sign_in(session: AsyncSession, *, email: str, password: str, address: str) -> SignedIn:
    """A new session, unless the account or the address has failed too often lately."""
    repo = AccountRepository(session)
    folded = email.strip().lower()
    subjects = [f"email:{folded}"[:300], f"address:{address}"]
    now = utcnow()
    failures = await repo.failures_since(subjects, now - THROTTLE_WINDOW)
    for subject, most in zip(subjects, MOST_FAILURES.values(), strict=True):
        if failures.get(subject, 0) >= most:
            raise RateLimitExceeded(THROTTLED, headers={"Retry-After": "900"})
    user = await repo.user_by_email(folded)
    if not passwords.verify(user.password_hash if user else None, password) or user is None:
        await repo.forget_old(now - THROTTLE_WINDOW)
        await repo.add(*(SignInFailure(subject=s, at=now) for s in subjects))
        raise Unauthorized(WRONG)
    await repo.forget_failures(subjects[0])
    token = secrets.token_urlsafe(32)
    made = UserSession(
        id=token_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
        created_at=now, expires_at=now + SESSION_LIFETIME,
    )  # fmt: skip
    await repo.add(made)
    return SignedIn(token, made)


async def viewer(session: AsyncSession, token: str | None) -> Viewer | None:
    """The signed-in user of a cookie's token, if its session is live."""
    if not token:
        return None
    repo = AccountRepository(session)
    found = await repo.live_session(token_hash(token), utcnow())
    user = await repo.user(found.user_id) if found else None
    return Viewer(user, found) if user and found else None


async def sign_out(session: AsyncSession, token: str) -> None:
    await AccountRepository(session).end_session(token_hash(token))


async def workspaces(session: AsyncSession, user: User) -> list[tuple[Workspace, Role]]:
    return [(ws, Role(role)) for ws, role in await AccountRepository(session).memberships(user.id)]


async def role_in(session: AsyncSession, user: User, workspace: Workspace) -> Role:
    found = await AccountRepository(session).membership(user.id, workspace.id)
    if found is None:
        raise Forbidden("Not a member of this workspace.")
    return Role(found.role)
