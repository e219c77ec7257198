"""The project's pydantic base for request and response bodies."""

from __future__ import annotations

from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from clicktrail.kit.text import UNSTORABLE, unstorable

T = TypeVar("T")


# Field alias -> zod's name of the type expected there, read by clicktrail.api.validation to word
# "Invalid input: expected X, received undefined" as Dub does.
EXPECTED_TYPES: dict[str, str] = {}


def required(value: T | None, message: str) -> T:
    """For a field Dub declares required with its own message ("domain is required."): the field
    is optional in pydantic, validated by default, and this raises zod's issue when it is absent.
    """
    if value is None:
        raise PydanticCustomError("invalid_type", message)
    return value


class Schema(BaseModel):
    """Unknown request fields are ignored, as Dub's zod objects drop them."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", from_attributes=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for name, field in cls.model_fields.items():
            EXPECTED_TYPES.setdefault(field.alias or name, _zod_type(field.annotation))


def _zod_type(annotation: Any) -> str:
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is not None and args and get_origin(annotation) not in {list, dict}:
        annotation = args[0]
    origin = get_origin(annotation) or annotation
    if origin is bool:
        return "boolean"
    if origin in {int, float}:
        return "number"
    if origin is list:
        return "array"
    if origin is dict:
        return "record"
    if isinstance(origin, type) and issubclass(origin, BaseModel):
        return "object"
    return "string"


class InputSchema(Schema):
    """A request body. A string that no database can hold (NUL, an unpaired surrogate) in any
    field, keys and values of free-form objects included, is a 422 here rather than a database
    error later. (Only bodies: a response shows what is stored, whatever it is.)"""

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for name, field in cls.model_fields.items():
            key = field.alias if field.alias and field.alias in data else name
            at = unstorable(data[key], (key,)) if key in data else None
            if at is not None:
                error = PydanticCustomError("custom", UNSTORABLE)
                details = InitErrorDetails(type=error, loc=at, input=data[key])
                raise ValidationError.from_exception_data(cls.__name__, [details])
        return data
