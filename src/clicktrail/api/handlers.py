"""Every error leaves as Dub's envelope, whoever raised it."""

from __future__ import annotations

import logging
import sqlite3

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from clicktrail.api.faults import internal_error, log_fault
from clicktrail.api.validation import to_app_error
from clicktrail.errors import AppError, ServiceUnavailable, code_for_status, envelope
from clicktrail.storage.db import is_unavailable

log = logging.getLogger("clicktrail")

DATABASE_AWAY = "The database is temporarily unavailable. Please retry in a few seconds."
# What the database's drivers raise: an outage among them is a 503, anything else a 500.
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    SQLAlchemyError,
    OSError,
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    for error_type in DATABASE_ERRORS:
        app.add_exception_handler(error_type, _database_error)
    app.add_exception_handler(Exception, _unexpected)


def render(error: AppError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status_code, headers=error.headers)


async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
    return render(exc)


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    return render(to_app_error(exc.errors()))


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    message = exc.detail if isinstance(exc.detail, str) else "Error"
    if exc.status_code in {404, 405}:
        message = f"The requested endpoint was not found: {request.method} {request.url.path}"
    return JSONResponse(
        envelope(code_for_status(exc.status_code), message),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """503 with Retry-After while the database is away or its write lock is held too long;
    any other database error is a fault of ours, a 500."""
    if not is_unavailable(exc):
        log_fault(request.scope, exc)  # answered here, so never raised on to the edge's log
        return internal_error(request.scope)
    # One line, no traceback: during an outage every request fails the same way.
    log.warning(
        "database unavailable on %s %s: %s: %s",
        request.method, request.url.path, type(exc).__name__, str(exc).split("\n", 1)[0],
    )  # fmt: skip
    return render(ServiceUnavailable(DATABASE_AWAY))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Starlette raises the exception on after this answer: `api.faults` logs it and keeps the
    connection."""
    if is_unavailable(exc):
        return render(ServiceUnavailable(DATABASE_AWAY))
    return internal_error(request.scope)
