"""A key of one workspace reaches nothing of another's. Every route that names a record (by a
path parameter, or by a query parameter that is an id, a domain, a key, an email or a cursor)
answers the stranger's key exactly as it answers for a record that does not exist; lists show
none of the owner's rows; and every row of the owner's stays as it was.

The routes come from the app itself, hidden ones included, so a new route that names a record
fails `test_every_route_that_names_a_record_is_probed` until a probe here covers it."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from clicktrail.analytics.filters import NAMES as ANALYTICS_FILTERS
from clicktrail.app import Root, create_api
from clicktrail.config import Settings
from clicktrail.models.base import Base
from tests.isolation.world import (
    GLOBAL_TABLES,
    OWN_DOMAIN,
    Json,
    World,
    rows_of,
    workspace_filters,
)

Probe = Callable[[World], Awaitable[None]]
PROBES: dict[str, Probe] = {}
COVERS: dict[str, set[str]] = {}  # "METHOD /path" -> the probes that cover it

# Query parameters that name a record: ids, and these.
ID_LIKE = re.compile(r"[a-z](Id|Ids)$")
NAMING = frozenset({"domain", "key", "email", "search", "startingAfter", "endingBefore"})
# Endpoints that take the Request and read query parameters from it by hand, by path prefix.
READ_BY_HAND = {"/events": ANALYTICS_FILTERS, "/analytics": ANALYTICS_FILTERS}
# Endpoints that take the Request for its headers only.
HEADERS_ONLY = frozenset({"POST /track/click"})
EXEMPT = {
    "POST /track/click": "public by design: a short link's domain and key are on the internet",
}


def probe(*routes: str) -> Callable[[Probe], Probe]:
    def register(function: Probe) -> Probe:
        PROBES[function.__name__] = function
        for route in routes:
            COVERS.setdefault(route, set()).add(function.__name__)
        return function

    return register


# --- the routes, as the app has them -------------------------------------------------------


def api_routes(api: FastAPI) -> Iterator[tuple[str, RouteContext]]:
    for context in iter_route_contexts(api.routes):
        if isinstance(context.original_route, APIRoute):
            for method in sorted(context.methods or ()):
                yield f"{method} {context.path_format}", context


def parameters(name: str, context: RouteContext) -> set[tuple[str, str]]:
    """(where, name) of every parameter the route reads: declared, or read by hand."""
    found = set(_declared(context.dependant))
    if context.dependant.request_param_name is not None and name not in HEADERS_ONLY:
        prefix = "/" + str(context.path_format).strip("/").split("/")[0]
        assert prefix in READ_BY_HAND, f"{name} reads the request by hand: list what it reads"
        found |= {("query", param) for param in READ_BY_HAND[prefix]}
    return found


def _declared(dependant: Any) -> Iterator[tuple[str, str]]:
    yield from (("path", field.alias) for field in dependant.path_params)
    yield from (("query", field.alias) for field in dependant.query_params)
    for sub in dependant.dependencies:
        yield from _declared(sub)


def names_a_record(params: set[tuple[str, str]]) -> bool:
    return any(where == "path" or ID_LIKE.search(name) or name in NAMING for where, name in params)


def test_every_route_that_names_a_record_is_probed(settings: Settings) -> None:
    routes = dict(api_routes(create_api(settings)))
    naming = {name for name, context in routes.items() if names_a_record(parameters(name, context))}
    assert {"GET /analytics/{legacy}", "GET /events", "GET /customers"} <= naming  # hidden too
    assert sorted(naming - COVERS.keys() - EXEMPT.keys()) == []
    assert sorted((COVERS.keys() | EXEMPT.keys()) - routes.keys()) == []  # none gone


def test_every_table_is_in_the_snapshot() -> None:
    assert set(workspace_filters()) | GLOBAL_TABLES == set(Base.metadata.tables)


# --- how an answer is compared -------------------------------------------------------------


def fill(template: Any, values: dict[str, str]) -> Any:
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, values) for value in template]
    return template


def twin(value: str) -> str:
    """A value of the same shape that nobody has."""
    return value[:-3] + "zzz"


def masked(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace(value, f"<{name}>")
    return text


def leaked(world: World, text: str) -> set[str]:
    return {marker for marker in world.markers() if marker in text}


async def absent(
    world: World, method: str, path: str, values: dict[str, str], *,
    params: dict[str, str] | None = None, json: Json | None = None, not_found: bool = False,
) -> None:  # fmt: skip
    """The stranger's answer for the owner's `values` is its answer for values nobody has,
    once each value is masked where the answer repeats it."""
    used = {k: v for k, v in values.items() if "{" + k + "}" in repr((path, params, json))}
    twins = {k: twin(v) for k, v in used.items()}
    real = await world.stranger.ask(
        method, fill(path, used), params=fill(params, used), json=fill(json, used)
    )
    fake = await world.stranger.ask(
        method, fill(path, twins), params=fill(params, twins), json=fill(json, twins)
    )
    seen = masked(real.text, used)
    assert (real.status_code, seen) == (fake.status_code, masked(fake.text, twins)), (
        method, path, params, used,
    )  # fmt: skip
    assert leaked(world, seen) == set()
    if not_found:
        assert real.status_code == 404, real.text
        assert real.json()["error"]["code"] == "not_found"


def link_values(link: Json) -> dict[str, str]:
    return {
        "id": link["id"], "ext": link["externalId"], "domain": link["domain"],
        "key": link["key"], "tenant": link["tenantId"],
    }  # fmt: skip


def filter_values(world: World) -> dict[str, str]:
    """The owner's records as /events and /analytics filters name them."""
    return {
        "link": world.link["id"], "ext": world.link["externalId"],
        "tenant": world.link["tenantId"], "customer": world.lead_customer["id"],
        "domain": OWN_DOMAIN, "key": world.own_domain_link["key"], "tag": world.tag["id"],
        "folder": world.folder["id"],
    }  # fmt: skip


FILTERS: list[dict[str, str]] = [
    {"linkId": "{link}"}, {"linkId": "{link},{link}"}, {"externalId": "{ext}"},
    {"externalId": "ext_{ext}"}, {"tenantId": "{tenant}"}, {"customerId": "{customer}"},
    {"tagId": "{tag}"}, {"tagIds": "{tag}"}, {"folderId": "{folder}"},
    {"domain": "{domain}"}, {"domain": "{domain}", "key": "{key}"}, {"key": "{key}"},
]  # fmt: skip


# --- links ---------------------------------------------------------------------------------

LINK_LOOKUPS: list[dict[str, str]] = [
    {"linkId": "{id}"}, {"linkId": "ext_{ext}"}, {"externalId": "{ext}"},
    {"externalId": "ext_{ext}"}, {"domain": "{domain}", "key": "{key}"},
]  # fmt: skip


@probe("GET /links/info")
async def link_info(world: World) -> None:
    for link in world.links:
        for params in LINK_LOOKUPS:
            values = link_values(link)
            await absent(world, "GET", "/links/info", values, params=params, not_found=True)


@probe("GET /links", "GET /links/count")
async def link_lists(world: World) -> None:
    listed = await world.stranger.ok("GET", "/links", params={"showArchived": "true"})
    assert [link["id"] for link in listed] == [world.stranger_link["id"]]
    assert leaked(world, str(listed)) == set()
    for path in ("/links", "/links/count"):
        for params in ({"tenantId": "{tenant}"}, {"domain": "{domain}"}, {"search": "{key}"}):
            await absent(world, "GET", path, link_values(world.own_domain_link), params=params)
        for params in ({"tagIds": "{id}"}, {"tagId": "{id}"}, {"tagNames": "{name}"}):
            await absent(world, "GET", path, tag_values(world), params=params)
    await absent(
        world, "GET", "/links/count", tag_values(world), params={"groupBy": "tagId"}
    )  # the stranger's own links, none tagged


@probe("PATCH /links/{link_id}", "DELETE /links/{link_id}")
async def link_changes(world: World) -> None:
    change = {"url": "https://evil.example/", "key": "stolen", "trackConversion": False}
    for link in world.links:
        for ref in ("/links/{id}", "/links/ext_{ext}"):
            values = link_values(link)
            await absent(world, "PATCH", ref, values, json=change, not_found=True)
            await absent(world, "DELETE", ref, values, not_found=True)


@probe("POST /links", "PATCH /links/{link_id}")
async def link_names_are_not_taken_over(world: World) -> None:
    """Short links and custom domains are one namespace on the internet: the stranger is told
    they are taken (403, 409), and takes nothing. External ids are per workspace."""
    taken = await world.stranger.ask(
        "POST", "/links", json={"url": "https://a.example/", "domain": OWN_DOMAIN, "key": "x"}
    )
    assert (taken.status_code, taken.json()["error"]["code"]) == (403, "forbidden")
    moved = await world.stranger.ask(
        "PATCH", f"/links/{world.stranger_link['id']}", json={"domain": OWN_DOMAIN}
    )
    assert moved.status_code == 403, moved.text
    same_key = await world.stranger.ask(
        "POST", "/links", json={"url": "https://a.example/", "key": world.link["key"]}
    )
    assert same_key.status_code == 409, same_key.text
    mine = await world.stranger.ok(
        "POST", "/links", json={"url": "https://a.example/", "externalId": world.link["externalId"]}
    )
    assert mine["id"] != world.link["id"]


@probe("DELETE /links/bulk")
async def link_bulk_deletion(world: World) -> None:
    for link in world.links:
        values = link_values(link)
        await absent(world, "DELETE", "/links/bulk", values, params={"linkIds": "{id}"})


# --- domains and folders -------------------------------------------------------------------


@probe("GET /domains", "PATCH /domains/{slug}", "DELETE /domains/{slug}")
async def domains(world: World) -> None:
    listed = await world.stranger.ok("GET", "/domains", params={"archived": "true"})
    assert leaked(world, str(listed)) == set()
    values = {"slug": OWN_DOMAIN}
    await absent(world, "GET", "/domains", values, params={"search": "{slug}"})
    await absent(world, "PATCH", "/domains/{slug}", values, json={"archived": True})
    await absent(world, "DELETE", "/domains/{slug}", values)


@probe("GET /folders", "PATCH /folders/{folder_id}", "DELETE /folders/{folder_id}")
async def folders(world: World) -> None:
    assert await world.stranger.ok("GET", "/folders") == []
    values = {"id": world.folder["id"], "name": world.folder["name"]}
    await absent(world, "GET", "/folders", values, params={"search": "{name}"})
    await absent(world, "PATCH", "/folders/{id}", values, json={"name": "taken"}, not_found=True)
    await absent(world, "DELETE", "/folders/{id}", values, not_found=True)


def tag_values(world: World) -> dict[str, str]:
    return {"id": world.tag["id"], "name": world.tag["name"]}


@probe("GET /tags", "PATCH /tags/{tag_id}", "DELETE /tags/{tag_id}")
async def tags(world: World) -> None:
    assert await world.stranger.ok("GET", "/tags") == []
    values = tag_values(world)
    await absent(world, "GET", "/tags", values, params={"search": "{name}"})
    await absent(world, "GET", "/tags", values, params={"ids": "{id}"})
    await absent(world, "PATCH", "/tags/{id}", values, json={"name": "taken"}, not_found=True)
    await absent(world, "DELETE", "/tags/{id}", values, not_found=True)


@probe("POST /links", "PATCH /links/{link_id}")
async def link_tags_are_the_workspaces(world: World) -> None:
    """The owner's tag, by id or by name, is to the stranger's links a tag nobody has."""
    values = tag_values(world)
    mine = "/links/" + world.stranger_link["id"]
    for body in ({"tagIds": ["{id}"]}, {"tagId": "{id}"}, {"tagNames": ["{name}"]}):
        await absent(world, "POST", "/links", values, json={"url": "https://a.example/", **body})
        await absent(world, "PATCH", mine, values, json=body)


# --- customers -----------------------------------------------------------------------------

CUSTOMER_FILTERS: list[dict[str, str]] = [
    {"externalId": "{ext}"}, {"email": "{email}"}, {"search": "{email}"}, {"linkId": "{link}"},
    {"startingAfter": "{id}"}, {"endingBefore": "{id}"},
]  # fmt: skip


def customer_values(world: World, customer: Json) -> dict[str, str]:
    return {
        "id": customer["id"], "ext": customer["externalId"], "email": customer["email"],
        "link": world.link["id"],
    }  # fmt: skip


@probe("GET /customers")
async def customer_list(world: World) -> None:
    listed = await world.stranger.ok("GET", "/customers", params={"includeExpandedFields": "true"})
    assert [c["externalId"] for c in listed] == ["acme-user"]
    assert leaked(world, str(listed)) == set()
    for customer in (world.lead_customer, world.customer):
        for params in CUSTOMER_FILTERS:
            values = customer_values(world, customer)
            await absent(world, "GET", "/customers", values, params=params)


@probe("GET /customers/{customer_id}", "PATCH /customers/{customer_id}",
       "DELETE /customers/{customer_id}")  # fmt: skip
async def customer_records(world: World) -> None:
    change = {"name": "Mallory", "email": "mallory@evil.example", "externalId": "stolen"}
    for customer in (world.lead_customer, world.customer):
        values = customer_values(world, customer)
        for ref in ("/customers/{id}", "/customers/ext_{ext}"):
            await absent(world, "GET", ref, values, not_found=True)
            await absent(world, "PATCH", ref, values, json=change, not_found=True)
            await absent(world, "DELETE", ref, values, not_found=True)


@probe("POST /customers", "POST /track/customer")
async def customer_external_ids_are_per_workspace(world: World) -> None:
    external = world.customer["externalId"]
    mine = await world.stranger.ok(
        "POST", "/customers", json={"externalId": external, "country": "US"}
    )
    upserted = await world.stranger.ok(
        "POST", "/track/customer",
        json={"customerId": world.lead_customer["externalId"], "customerName": "Mallory"},
    )  # fmt: skip
    assert mine["id"] != world.customer["id"]
    assert leaked(world, str([mine, upserted])) == {external, world.lead_customer["externalId"]}


# --- conversions ---------------------------------------------------------------------------


@probe("POST /track/lead", "POST /track/sale")
async def conversions_on_anothers_clicks_and_customers(world: World) -> None:
    click, customer = world.click_ids[0], world.lead_customer["externalId"]
    lead = {"clickId": "{click}", "eventName": "Sign up", "customerExternalId": "acme-new"}
    await absent(world, "POST", "/track/lead", {"click": click}, json=lead, not_found=True)
    known = {"eventName": "Buy", "customerExternalId": "{c}"}
    await absent(world, "POST", "/track/lead", {"c": customer}, json=known)
    sale: Json = {"customerExternalId": "{c}", "amount": 100}
    await absent(world, "POST", "/track/sale", {"c": customer}, json=sale)
    theirs = {"c": "acme-nobody", "invoice": "gx-inv-1"}  # an invoice id the owner used
    await absent(world, "POST", "/track/sale", theirs, json={**sale, "invoiceId": "{invoice}"})
    direct = {"clickId": "{click}", "customerExternalId": "acme-buyer", "amount": 100}
    await absent(world, "POST", "/track/sale", {"click": click}, json=direct)


# --- events and analytics ------------------------------------------------------------------


@probe("GET /events")
async def events(world: World) -> None:
    own = await world.stranger.ok("GET", "/events", params={"event": "clicks"})
    assert [e["link"]["id"] for e in own] == [world.stranger_link["id"]]
    for kind in ("clicks", "leads", "sales"):
        listed = await world.stranger.ok("GET", "/events", params={"event": kind})
        assert leaked(world, str(listed)) == set()
        for params in FILTERS:
            asked = {"event": kind, **params}
            await absent(world, "GET", "/events", filter_values(world), params=asked)


# Groupings by what a link carries, or by its URL: each reads the links of the workspace asked.
BY_LINK = ("top_link_tags", "top_folders", "top_domains", "top_base_urls")


@probe("GET /analytics")
async def analytics(world: World) -> None:
    total = await world.stranger.ok("GET", "/analytics", params={"event": "composite"})
    assert total == {"clicks": 1, "leads": 0, "sales": 0, "saleAmount": 0}
    for group in ("count", "top_links", "top_urls", "timeseries", *BY_LINK):
        asked = {"event": "composite", "groupBy": group}
        answer = await world.stranger.ok("GET", "/analytics", params=asked)
        assert leaked(world, str(answer)) == set()
        for params in FILTERS if group in {"count", "top_links", *BY_LINK} else []:
            both = {**asked, **params}
            await absent(world, "GET", "/analytics", filter_values(world), params=both)


@probe("GET /analytics/{legacy}", "GET /analytics/{legacy_event}/{legacy_endpoint}")
async def legacy_analytics(world: World) -> None:
    for path in ("/analytics/count", "/analytics/sales", "/analytics/clicks/count",
                 "/analytics/sales/top_links"):  # fmt: skip
        assert leaked(world, str(await world.stranger.ok("GET", path))) == set()
        for params in FILTERS[:3] + FILTERS[-2:]:
            await absent(world, "GET", path, filter_values(world), params=params)


# --- webhooks ------------------------------------------------------------------------------


@probe("GET /webhooks")
async def webhook_list(world: World) -> None:
    listed = await world.stranger.ok("GET", "/webhooks")
    assert [w["id"] for w in listed] == [world.stranger_webhook["id"]]
    assert leaked(world, str(listed)) == set()


@probe("GET /webhooks/{webhook_id}", "PATCH /webhooks/{webhook_id}",
       "DELETE /webhooks/{webhook_id}", "GET /webhooks/{webhook_id}/deliveries")  # fmt: skip
async def webhook_records(world: World) -> None:
    change = {"url": "https://evil.example/hook", "triggers": ["sale.created"], "disabled": True}
    theirs = {"wh": world.webhook["id"]}
    await absent(world, "GET", "/webhooks/{wh}", theirs, not_found=True)
    await absent(world, "PATCH", "/webhooks/{wh}", theirs, json=change, not_found=True)
    await absent(world, "GET", "/webhooks/{wh}/deliveries", theirs, not_found=True)
    await absent(world, "DELETE", "/webhooks/{wh}", theirs, not_found=True)


@probe("POST /webhooks/{webhook_id}/deliveries/{delivery_id}/retry")
async def webhook_redelivery(world: World) -> None:
    theirs = "/webhooks/{wh}/deliveries/{delivery}/retry"
    mine = f"/webhooks/{world.stranger_webhook['id']}/deliveries/{{delivery}}/retry"
    for path in (theirs, mine):
        values = {"wh": world.webhook["id"], "delivery": world.delivery_id}
        await absent(world, "POST", path, values, not_found=True)


# --- the test, over every probe above ----------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROBES))
async def test_another_workspaces_records_do_not_exist_for_a_key(
    app: Root, world: World, name: str
) -> None:
    settings = app.api.state.runtime.settings
    before = await rows_of(settings, world.owner.tenant.workspace_id)
    await PROBES[name](world)
    assert await rows_of(settings, world.owner.tenant.workspace_id) == before
