"""Signing in and out, and the landing page."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from starlette.responses import Response

from clicktrail.accounts import service as accounts
from clicktrail.dashboard import web
from clicktrail.errors import AppError, Forbidden

router = APIRouter()
SIGN_IN_TOKEN_AGE = 3600


@router.get("")
@router.get("/")
async def home(viewer: web.SignedIn, session: web.Session) -> Response:
    mine = await accounts.workspaces(session, viewer.user)
    if not mine:
        raise Forbidden("Your account belongs to no workspace yet.")
    return web.redirect(f"{web.PREFIX}/{mine[0][0].slug}/links")


@router.get("/sign-in")
async def sign_in_form(request: Request, runtime: web.RuntimeDep) -> Response:
    return _form(request, runtime)


def _form(request: Request, runtime: web.RuntimeDep, error: AppError | None = None,
          email: str = "") -> Response:  # fmt: skip
    token = secrets.token_urlsafe(32)
    status = error.status_code if error else 200
    response = web.render(
        request, "sign_in.html", status, csrf=token, email=email,
        error=error.message if error else None,
    )  # fmt: skip
    if error:
        response.headers.update(error.headers)
    web.set_cookie(response, request, runtime, web.SIGN_IN_COOKIE, token, SIGN_IN_TOKEN_AGE)
    return response


@router.post("/sign-in")
async def sign_in(request: Request, runtime: web.RuntimeDep, session: web.Session) -> Response:
    fields = await web.form(request)
    if not web.same_token(fields.get("csrf"), request.cookies.get(web.SIGN_IN_COOKIE)):
        raise Forbidden("The form has expired or did not come from this site. Reload the page.")
    email = fields.get("email", "")
    try:
        made = await accounts.sign_in(
            session, email=email, password=fields.get("password", ""),
            address=web.address(request, runtime),
        )  # fmt: skip
    except AppError as error:  # the failure is recorded: this unit of work still commits
        return _form(request, runtime, error, email)
    response = web.redirect(f"{web.PREFIX}/")
    age = int(accounts.SESSION_LIFETIME.total_seconds())
    web.set_cookie(response, request, runtime, web.SESSION_COOKIE, made.token, age)
    response.delete_cookie(web.SIGN_IN_COOKIE, path=web.PREFIX)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, viewer: web.SignedIn, session: web.Session) -> Response:
    fields = await web.form(request)
    if not web.same_token(fields.get("csrf"), viewer.session.csrf_token):
        raise Forbidden("The form has expired or did not come from this site. Reload the page.")
    await accounts.sign_out(session, request.cookies.get(web.SESSION_COOKIE, ""))
    response = web.redirect(f"{web.PREFIX}/sign-in")
    response.delete_cookie(web.SESSION_COOKIE, path=web.PREFIX)
    return response
