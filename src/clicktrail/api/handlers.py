"""Every error leaves as Dub's envelope, whoever raised it."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from clicktrail.api.validation import to_app_error
from clicktrail.errors import INTERNAL, AppError, code_for_status, envelope

log = logging.getLogger("clicktrail")


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
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


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(envelope("internal_server_error", INTERNAL), status_code=500)
