"""One error hierarchy, rendered as Dub's envelope `{"error": {"code", "message", "doc_url"}}`."""

from __future__ import annotations

from typing import Any, ClassVar

DOCS = "https://dub.co/docs/api-reference/errors#"
INVALID_JSON = (
    "Invalid JSON format in request body. Please ensure the request body is a valid JSON object."
)
INTERNAL = "An internal server error occurred. Please contact our support if the problem persists."


def doc_url(code: str) -> str:
    # Dub replaces only the first underscore: `#rate-limit_exceeded`.
    return DOCS + code.replace("_", "-", 1)


def envelope(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "doc_url": doc_url(code)}}


class AppError(Exception):
    """An expected failure: a status, the canonical Dub code for it, and a message to show."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_server_error"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return envelope(self.code, self.message)


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class UnprocessableEntity(AppError):
    status_code = 422
    code = "unprocessable_entity"


class RateLimitExceeded(AppError):
    status_code = 429
    code = "rate_limit_exceeded"


class InternalServerError(AppError):
    status_code = 500
    code = "internal_server_error"


class ServiceUnavailable(AppError):
    """The database or Redis is away for now. Dub has no such code; its SDKs read any 503 as a
    generic server error, and retry it when retries are configured."""

    status_code = 503
    code = "service_unavailable"
    retry_after: ClassVar[int] = 5  # seconds

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, headers={"Retry-After": str(self.retry_after), **(headers or {})})


STATUS_CODES: dict[int, str] = {
    cls.status_code: cls.code
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        UnprocessableEntity,
        RateLimitExceeded,
        InternalServerError,
        ServiceUnavailable,
    )
}
STATUS_CODES[405] = "not_found"  # Dub answers unknown methods like unknown routes


def code_for_status(status: int) -> str:
    return STATUS_CODES.get(status, "internal_server_error" if status >= 500 else "bad_request")


def error_schema(cls: type[AppError]) -> dict[str, Any]:
    """OpenAPI `responses` entry for an error class, for endpoint declarations."""
    return {
        "description": cls.__name__,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message", "doc_url"],
                            "properties": {
                                "code": {"type": "string", "enum": [cls.code]},
                                "message": {"type": "string"},
                                "doc_url": {"type": "string"},
                            },
                        }
                    },
                }
            }
        },
    }
