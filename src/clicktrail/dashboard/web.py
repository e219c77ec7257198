"""What every page shares: templates, security headers, forms, cookies and the signed-in user."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends, Request
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, RedirectResponse, Response

from clicktrail.accounts import service as accounts
from clicktrail.errors import Forbidden, NotFound, Unauthorized
from clicktrail.models import Role, User, Workspace
from clicktrail.redirect.visitor import client_ip
from clicktrail.runtime import Runtime
from clicktrail.storage.unit import run_after_commit
from clicktrail.workspaces.repository import WorkspaceRepository

PREFIX = "/dashboard"
SESSION_COOKIE = "ct_session"
SIGN_IN_COOKIE = "ct_signin"  # the sign-in form's CSRF token, before there is a session
STATIC = Path(__file__).parent / "static"
MOST_FORM_BYTES = 64 * 1024
# No inline script or style anywhere: a value that slipped past escaping still could not run.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

templates = Environment(
    loader=PackageLoader("clicktrail.dashboard", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def runtime_of(request: Request) -> Runtime:
    getter: Callable[[], Runtime] = request.app.state.runtime
    return getter()


RuntimeDep = Annotated[Runtime, Depends(runtime_of)]


async def unit_of_work(request: Request, runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed before the page is sent. A page of a workspace
    is read once its events committed before the request are folded, as the API's counted
    reads are (docs/reliability.md, "Events first")."""
    if request.method == "GET" and (slug := request.path_params.get("slug")):
        await _folded(runtime, slug)
    async with runtime.db.write_session() as session:
        async with session.begin():
            yield session
        await run_after_commit(session)


Session = Annotated[AsyncSession, Depends(unit_of_work, scope="function")]


async def _folded(runtime: Runtime, slug: str) -> None:
    async with runtime.db.read_session() as session:
        workspace = await WorkspaceRepository(session).get_by_slug(slug)
    if workspace is not None:
        await runtime.folder.caught_up(workspace.id, runtime.settings.database_timeout)


def render(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = templates.get_template(name).render(request=request, prefix=PREFIX, **values)
    return HTMLResponse(html, status_code=status)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def with_query(path: str, params: dict[str, str], **changes: str | None) -> str:
    """`path` with the current filters, some of them changed (None removes one)."""
    merged = {k: v for k, v in (params | changes).items() if v not in (None, "")}
    return f"{path}?{urlencode(merged)}" if merged else path


async def form(request: Request) -> dict[str, str]:
    """An urlencoded body (the only kind the pages send), last value of each field."""
    body = await request.body()
    if len(body) > MOST_FORM_BYTES:
        raise Forbidden("The form is too large.")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def is_https(request: Request, runtime: Runtime) -> bool:
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or (
        runtime.settings.is_trusted_proxy(peer) and forwarded.lower() == "https"
    )


def set_cookie(
    response: Response, request: Request, runtime: Runtime, name: str, value: str, max_age: int
) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path=PREFIX, httponly=True, samesite="lax",
        secure=is_https(request, runtime),
    )  # fmt: skip


def address(request: Request, runtime: Runtime) -> str:
    peer = request.client.host if request.client else None
    return client_ip(peer, dict(request.headers), runtime.settings)


def same_token(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(str(given), str(expected))


async def signed_in(request: Request, session: Session) -> accounts.Viewer:
    found = await accounts.viewer(session, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise Unauthorized("Sign in to continue.")
    return found


SignedIn = Annotated[accounts.Viewer, Depends(signed_in)]


@dataclass(frozen=True, slots=True)
class Place:
    """A signed-in user in one of their workspaces: what every workspace page gets."""

    user: User
    csrf: str
    workspace: Workspace
    role: Role
    workspaces: list[tuple[Workspace, Role]]

    @property
    def can_change(self) -> bool:
        return self.role is not Role.viewer

    @property
    def is_owner(self) -> bool:
        return self.role is Role.owner

    def base(self) -> str:
        return f"{PREFIX}/{self.workspace.slug}"


async def place(slug: str, viewer: SignedIn, session: Session) -> Place:
    """Another workspace's pages do not exist for this user: 404, not 403."""
    mine = await accounts.workspaces(session, viewer.user)
    for workspace, role in mine:
        if workspace.slug == slug:
            return Place(viewer.user, viewer.session.csrf_token, workspace, role, mine)
    raise NotFound("No such workspace.")


Here = Annotated[Place, Depends(place)]


async def _checked(request: Request, here: Place, role: Role) -> dict[str, str]:
    """The form of a change, once its CSRF token and the user's role allow it."""
    fields = await form(request)
    if not same_token(fields.get("csrf"), here.csrf):
        raise Forbidden("The form has expired or did not come from this site. Reload the page.")
    allowed = {Role.member: here.can_change, Role.owner: here.is_owner}[role]
    if not allowed:
        raise Forbidden(f"Your role ({here.role.value}) cannot change this.")
    return fields


async def member_change(request: Request, here: Here) -> dict[str, str]:
    return await _checked(request, here, Role.member)


async def owner_change(request: Request, here: Here) -> dict[str, str]:
    return await _checked(request, here, Role.owner)


Change = Annotated[dict[str, str], Depends(member_change)]
OwnerChange = Annotated[dict[str, str], Depends(owner_change)]
