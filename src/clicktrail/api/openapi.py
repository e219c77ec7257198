"""The error responses each operation declares in the OpenAPI document.

Every error is Dub's envelope `{"error": {"code", "message", "doc_url"}}` with the one code its
status carries (spec §6.2): the SDKs generated from Dub's document accept only that code. Routers
declare the errors of their gate (`KEYED`, `PLAN_GATED`, `PUBLIC`) and each route adds its own, so
that the document lists the errors an operation can answer and no other (tests/fuzz checks that
every answer is declared).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, Field, create_model

from clicktrail.api import bodylimit
from clicktrail.errors import (
    AppError,
    BadRequest,
    Forbidden,
    InternalServerError,
    NotFound,
    RateLimitExceeded,
    ServiceUnavailable,
    Unauthorized,
    UnprocessableEntity,
)

Responses = dict[int | str, dict[str, Any]]

# Why an operation answers each status; an operation's own docstring says more where it can.
WHY: dict[int, str] = {
    400: "The body is not valid JSON, the Authorization header is not `Bearer <key>`, "
    "or a parameter the operation needs is missing.",
    401: "No API key, or an unknown or expired one.",
    403: "The workspace's plan does not include this, or the resource is another workspace's.",
    404: "Nothing with this id in the workspace; or a key that is not a workspace key "
    "(`dub_…`) without a `workspaceId`.",
    409: "A resource with this key or external id already exists.",
    413: "The body is larger than the server's limit (CLICKTRAIL_BODY_LIMIT).",
    422: "A parameter or body field does not validate; the message names the first one, "
    "as `{issue}: {path}: {message}`.",
    429: "The key's request budget for the plan is spent.",
    500: "A fault of the server.",
    503: "The database is away for now; retry after `Retry-After` seconds.",
}
_RETRY_AFTER = {"description": "Seconds to wait before retrying.", "schema": {"type": "string"}}
HEADERS: dict[int, dict[str, Any]] = {
    429: {
        "Retry-After": {
            "description": "When the budget refills: Unix time in milliseconds, as Dub sends.",
            "schema": {"type": "string"},
        },
        "X-RateLimit-Limit": {"description": "Requests per window.", "schema": {"type": "string"}},
        "X-RateLimit-Remaining": {"description": "Left.", "schema": {"type": "string"}},
        "X-RateLimit-Reset": {"description": "= Retry-After.", "schema": {"type": "string"}},
    },
    503: {"Retry-After": _RETRY_AFTER},
}


class ErrorDetail(BaseModel):
    code: str = Field(description="Dub's code of the status.")
    message: str = Field(description="What went wrong, and what to change.")
    doc_url: str = Field(description="Dub's documentation of the code.")


@cache  # one model per name: the document names each once
def envelope_model(name: str, code: str) -> type[BaseModel]:
    """The envelope whose `code` can only be `code`, named `name` in the document."""
    detail = create_model(
        f"{name}Detail",
        __base__=ErrorDetail,
        code=(
            str,
            Field(description="Dub's code of the status.", json_schema_extra={"enum": [code]}),
        ),
    )
    return create_model(name, error=(detail, ...))


def response(name: str, status: int, code: str) -> Responses:
    declared: dict[str, Any] = {"model": envelope_model(name, code), "description": WHY[status]}
    if status in HEADERS:
        declared["headers"] = HEADERS[status]
    return {status: declared}


def errors(*kinds: type[AppError]) -> Responses:
    """The responses of these errors, for a router's or a route's `responses=`."""
    found: Responses = {}
    for kind in kinds:
        found |= response(kind.__name__, kind.status_code, kind.code)
    return found


TOO_LARGE = response("PayloadTooLarge", 413, bodylimit.CODE)
# What any operation may answer: a fault, or a database that is away.
SERVER = errors(InternalServerError, ServiceUnavailable)
# An operation without a key (/track/click): a body it cannot read, or a field that is invalid.
PUBLIC = SERVER | errors(BadRequest, UnprocessableEntity)
# The key check (spec §5.1): a header without `Bearer ` (400), no key or an unknown one (401),
# a key that is not a workspace key and names no workspace (404), a spent budget (429).
KEYED = SERVER | errors(BadRequest, Unauthorized, NotFound, RateLimitExceeded)
# Conversion tracking, customers, events and analytics also need a plan that includes them.
PLAN_GATED = KEYED | errors(Forbidden)
# An operation that reads a JSON body: not JSON (400), too large (413), invalid (422).
BODY = errors(BadRequest, UnprocessableEntity) | TOO_LARGE
# An operation with query or path parameters that may not validate.
PARAMETERS = errors(UnprocessableEntity)
# The last page a list may ask for: its offset, (page - 1) x size, stays a 64-bit integer
# (SQLite's and PostgreSQL's OFFSET) for every size up to 1,000.
MAX_PAGE = 1_000_000_000
