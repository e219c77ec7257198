"""Error responses every authenticated route may give, for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from clicktrail.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    InternalServerError,
    NotFound,
    RateLimitExceeded,
    Unauthorized,
    UnprocessableEntity,
    error_schema,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    cls.status_code: error_schema(cls)
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        UnprocessableEntity,
        RateLimitExceeded,
        InternalServerError,
    )
}
