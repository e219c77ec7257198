"""What `GET /analytics` answers, for the OpenAPI document: the counts in total, one row per
time bucket, or one row per value of the dimension asked for. The route builds its dicts
itself (analytics.service); tests/fuzz checks that they match these models."""

from __future__ import annotations

from pydantic import Field

from clicktrail.analytics.filters import NAMES, REFUSED, SALE_TYPES
from clicktrail.kit.schema import Schema


class Counts(Schema):
    """`groupBy=count`, and the measures of every row."""

    clicks: int
    leads: int
    sales: int
    sale_amount: int = Field(alias="saleAmount", description="USD cents.")


class Bucket(Counts):
    """`groupBy=timeseries`."""

    start: str = Field(description="The bucket's start in the requested time zone.")


class GroupTag(Schema):
    id: str
    name: str
    color: str


class GroupFolder(Schema):
    id: str
    name: str
    access_level: str | None = Field(default=None, alias="accessLevel")


class Group(Counts):
    """Any other `groupBy`: the fields that name the row's value, then its measures."""

    continent: str | None = None
    country: str | None = None
    region: str | None = Field(default=None, description="`{country}-{region}`, or `*`.")
    city: str | None = Field(default=None, description="The city, or `*`.")
    device: str | None = None
    browser: str | None = None
    os: str | None = None
    trigger: str | None = None
    referer: str | None = None
    referer_url: str | None = Field(default=None, alias="refererUrl")
    url: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    link: str | None = Field(default=None, description="top_links: the link's id.")
    id: str | None = Field(default=None, description="top_links: the link's id.")
    domain: str | None = None
    key: str | None = None
    short_link: str | None = Field(default=None, alias="shortLink")
    title: str | None = None
    comments: str | None = None
    folder_id: str | None = Field(default=None, alias="folderId")
    partner_id: str | None = Field(default=None, alias="partnerId")
    created_at: str | None = Field(default=None, alias="createdAt")
    tag_id: str | None = Field(default=None, alias="tagId", description="top_link_tags.")
    tag: GroupTag | None = Field(default=None, description="top_link_tags.")
    folder: GroupFolder | None = Field(default=None, description="top_folders.")


Answer = Counts | list[Bucket] | list[Group]


LISTS = "Comma-separated values; a leading `-` excludes them instead."
DESCRIPTIONS = {
    "saleType": "`new` (a customer's first sale through the link) or `recurring`; sales only.",
    "query": "Conditions on lead and sale metadata joined by AND: `metadata['plan']:'pro'`.",
}


def filter_parameters() -> list[dict[str, object]]:
    """The filters /analytics and /events read from the query string themselves
    (analytics.filters), as OpenAPI parameters: for a route's `openapi_extra`. Those refused
    are listed too, so that a reader learns they answer 422."""
    return [_parameter(name, DESCRIPTIONS.get(name, LISTS)) for name in NAMES] + [
        _parameter(name, f"Refused with 422: {reason}") for name, reason in REFUSED.items()
    ]


def _parameter(name: str, description: str) -> dict[str, object]:
    schema: dict[str, object] = {"type": "string"}
    if name == "saleType":
        schema["enum"] = list(SALE_TYPES)
    return {
        "name": name, "in": "query", "required": False, "schema": schema,
        "description": description,
    }  # fmt: skip
