"""Pydantic's errors worded as Dub's zod messages (spec §6.3)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, Field, ValidationError

from clicktrail.api.validation import path_of, to_app_error
from clicktrail.errors import BadRequest, UnprocessableEntity


class Item(BaseModel):
    name: str = Field(max_length=5)


class Body(BaseModel):
    mode: Any = None
    count: int = Field(default=1, gt=0, le=100)
    items: list[Item] = []


def message_for(data: object) -> str:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate(data)
    errors = [{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()]
    error = to_app_error(errors)
    assert isinstance(error, UnprocessableEntity)
    return error.message


def test_paths_join_with_dots_and_bracket_indices() -> None:
    assert path_of(["items", 0, "name"]) == "items[0].name"
    assert path_of([]) == ""


def test_numbers_out_of_range() -> None:
    assert message_for({"count": 0}) == "too_small: count: Too small: expected number to be >0"
    assert message_for({"count": 101}) == "too_big: count: Too big: expected number to be <=100"


def test_nested_string_too_long() -> None:
    assert message_for({"items": [{"name": "abcdefg"}]}) == (
        "too_big: items[0].name: Too big: expected string to have <=5 characters"
    )


def test_wrong_type_names_what_came() -> None:
    assert message_for({"count": "many"}) == (
        "invalid_type: count: Invalid input: expected number, received string"
    )


def test_only_the_first_issue_is_reported() -> None:
    assert message_for({"count": 0, "items": [{"name": "abcdefg"}]}).startswith("too_small")


def test_broken_json_is_a_bad_request() -> None:
    error = to_app_error([{"type": "json_invalid", "loc": ("body", 0), "msg": "x"}])
    assert isinstance(error, BadRequest)
