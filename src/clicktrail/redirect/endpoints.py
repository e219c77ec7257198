"""`POST /track/click`: a click recorded by a script on the destination site (spec §4.4)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import Field, field_validator

from clicktrail.api.deps import RuntimeDep
from clicktrail.api.responses import ERRORS
from clicktrail.errors import NotFound
from clicktrail.kit.hosts import fold_host
from clicktrail.kit.ids import click_id as new_click_id
from clicktrail.kit.schema import InputSchema, Schema, required
from clicktrail.kit.urls import is_http_url
from clicktrail.redirect.app import record_click
from clicktrail.redirect.visitor import read_visitor

router = APIRouter(tags=["Track"], responses=ERRORS)


class ClickCreate(InputSchema):
    domain: str | None = Field(default=None, validate_default=True, description="Short domain.")
    key: str | None = Field(default=None, validate_default=True, description="Short link key.")
    url: str | None = Field(default=None, description="The page the visitor landed on.")
    referrer: str | None = None

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str | None) -> str:
        return fold_host(required(value, "domain is required."))

    @field_validator("key")
    @classmethod
    def _key(cls, value: str | None) -> str:
        return required(value, "key is required.")


class ClickCreated(Schema):
    click_id: str = Field(alias="clickId", serialization_alias="clickId")


@router.post("/track/click", response_model=ClickCreated, response_model_by_alias=True)
async def track_click(body: ClickCreate, request: Request, runtime: RuntimeDep) -> ClickCreated:
    """Record a click from the browser (public, CORS) and return its click id."""
    domain, key = body.domain or "", body.key or ""
    link = await runtime.resolver.resolve(domain, key)
    if link is None:
        raise NotFound(f"Link not found for domain: {domain} and key: {key}.")
    headers = dict(request.headers)
    headers["referer"] = body.referrer or ""
    peer = request.client.host if request.client else None
    visitor = read_visitor(peer, headers, runtime.settings, runtime.geoip)
    if visitor.agent.is_bot:
        return ClickCreated(click_id=new_click_id())  # answered, never recorded (as Dub does)
    url = body.url if body.url and is_http_url(body.url) else link.url
    found = await record_click(runtime, link, visitor, "link", url=url)
    return ClickCreated(click_id=found)
