"""The groupings by what a link carries (`top_link_tags`, `top_folders`, `top_domains`) and by
base URL (`top_base_urls`), as Dub answers them: each answer is checked against the events
/events lists for the same filters, grouped here from each event's link and click, and the
rollup-backed answer (no filter) against the one read from the events (a filter)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.analytics.helpers import DE, IN, US, Json, all_events, analytics, visit
from tests.support import Tenant, folded, make_tenant
from tests.tracking.helpers import Tracker

MEASURES = ("clicks", "leads", "sales", "saleAmount")
KINDS = ("clicks", "leads", "sales")
EVENTS = (*KINDS, "composite")
GROUPINGS = ("top_link_tags", "top_folders", "top_domains", "top_base_urls")
DOMAIN = "go.acme-groupings.test"


@dataclass
class World:
    tags: dict[str, str]  # name -> id
    folders: dict[str, Json]  # name -> folder
    links: dict[str, Json]  # key -> link


async def created(client: httpx.AsyncClient, tenant: Tenant, path: str, body: Json) -> Json:
    response = await client.post(path, json=body, headers=tenant.auth)
    assert response.status_code in (200, 201), response.text
    answer: Json = response.json()
    return answer


@pytest.fixture
async def world(client: httpx.AsyncClient, track: Tracker) -> World:
    """Links `both` (tags spring and autumn, folder Q1), `spring` (tag spring, no folder, the
    same base URL as `both`), `plain` (no tag, folder Q2, its own domain) and `idle` (tagged,
    no events); clicks from three countries, leads and sales on `both` and `plain`."""
    tenant = track.tenant
    tags = {
        name: (await created(client, tenant, "/tags", {"name": name, "color": color}))["id"]
        for name, color in (("spring", "green"), ("autumn", "red"), ("idle", "blue"))
    }
    folders = {
        name: await created(client, tenant, "/folders", {"name": name}) for name in ("Q1", "Q2")
    }
    links = {
        "both": await track.link(
            key="both", url="https://example.com/sale?utm_source=news",
            tagIds=[tags["spring"], tags["autumn"]], folderId=folders["Q1"]["id"],
        ),
        "spring": await track.link(
            key="spring", url="https://example.com/sale?ref=x", tagIds=[tags["spring"]]
        ),
        "plain": await track.link(
            key="plain", url="https://example.com/other", domain=DOMAIN,
            folderId=folders["Q2"]["id"],
        ),
        "idle": await track.link(key="idle", tagIds=[tags["idle"]]),
    }  # fmt: skip
    clicks: dict[str, list[str]] = defaultdict(list)
    for key, place in [("both", US), ("both", DE), ("spring", US), ("spring", IN),
                       ("spring", DE), ("plain", DE), ("plain", DE), ("plain", US)]:  # fmt: skip
        host = DOMAIN if key == "plain" else None
        clicks[key].append(await visit(client, links[key], place=place, host=host))
    for key, customer, amount in [("both", "c1", 1500), ("plain", "c2", 4000)]:
        await track.lead(clickId=clicks[key][1], eventName="Sign up", customerExternalId=customer)
        await track.sale(customerExternalId=customer, amount=amount)
    await track.lead(clickId=clicks["spring"][0], eventName="Sign up", customerExternalId="c3")
    return World(tags, folders, links)


async def listed(client: httpx.AsyncClient, tenant: Tenant, **params: str) -> list[Json]:
    """Every event /events lists for `params`, each with its kind."""
    found = []
    for kind in KINDS:
        rows = await all_events(client, tenant, limit=100, event=kind, **params)
        found += [row | {"kind": kind} for row in rows]
    return found


def groups_of(world: World, group_by: str, event: Json) -> list[Json]:
    """The rows an event counts in: those naming its link's tags, folder, domain or base URL."""
    link = event["link"]
    if group_by == "top_link_tags":
        return [{"tagId": t["id"], "tag": t} for t in link["tags"]]
    if group_by == "top_folders":
        folder = next((f for f in world.folders.values() if f["id"] == link["folderId"]), None)
        if folder is None:
            return []
        named = {"id": folder["id"], "name": folder["name"], "accessLevel": folder["accessLevel"]}
        return [{"folderId": folder["id"], "folder": named}]
    if group_by == "top_domains":
        return [{"domain": link["domain"]}]
    return [{"url": event["click"]["url"].split("?")[0]}]


def expected(world: World, group_by: str, event_type: str, events: list[Json]) -> list[Json]:
    """What /analytics must answer, worked out from the events: ranked as Dub ranks it."""
    rows: dict[str, Json] = {}
    shown = KINDS if event_type == "composite" else (event_type,)
    for event in events:
        if event["kind"] not in shown:
            continue
        for named in groups_of(world, group_by, event):
            value = str(next(iter(named.values())))
            row = rows.setdefault(value, named | dict.fromkeys(MEASURES, 0))
            row[event["kind"]] += 1
            if event["kind"] == "sales":
                row["saleAmount"] += event["sale"]["amount"]
    rank = {"clicks": "clicks", "leads": "leads", "sales": "saleAmount"}.get(event_type)
    if rank is None:
        rank = "clicks" if group_by == "top_base_urls" else "saleAmount"
    ordered = sorted(rows.items(), key=lambda item: (-item[1][rank], item[0]))
    return [row for _, row in ordered]


async def answered(
    client: httpx.AsyncClient, tenant: Tenant, group_by: str, event: str, **params: str
) -> list[Json]:
    rows: list[Json] = await analytics(client, tenant, groupBy=group_by, event=event, **params)
    return rows


def whole_days() -> dict[str, str]:
    """A range of whole UTC days around today: read from the daily rollups alone."""
    today = datetime.now(UTC).date()
    return {"start": str(today - timedelta(days=1)), "end": str(today + timedelta(days=1))}


@pytest.mark.parametrize("group_by", GROUPINGS)
async def test_groupings_count_the_events_of_each_group(
    client: httpx.AsyncClient, track: Tracker, world: World, group_by: str
) -> None:
    tenant = track.tenant
    await folded(track.settings)
    events = await listed(client, tenant, interval="all")
    for event in EVENTS:
        want = expected(world, group_by, event, events)
        assert await answered(client, tenant, group_by, event, interval="all") == want, event
        assert await answered(client, tenant, group_by, event, **whole_days()) == want, event


@pytest.mark.parametrize("group_by", GROUPINGS)
@pytest.mark.parametrize(
    "filters",
    [
        {"country": "DE"},
        {"country": "-DE", "device": "Desktop"},
        {"domain": DOMAIN},
        {"key": "both"},
    ],
)
async def test_filters_combine_with_the_groupings(
    client: httpx.AsyncClient, track: Tracker, world: World, group_by: str, filters: dict[str, str]
) -> None:
    tenant = track.tenant
    events = await listed(client, tenant, interval="all", **filters)
    for event in EVENTS:
        want = expected(world, group_by, event, events)
        got = await answered(client, tenant, group_by, event, interval="all", **filters)
        assert got == want, (event, filters)


async def test_filters_by_tag_and_folder(
    client: httpx.AsyncClient, track: Tracker, world: World
) -> None:
    """A tag filter keeps the links with the tag, and such a link counts under all its tags,
    as on Dub; the rollup path and the events path agree on everything else."""
    tenant = track.tenant
    spring, autumn = world.tags["spring"], world.tags["autumn"]
    for params in (
        {"tagId": autumn},
        {"tagIds": f"-{spring}"},
        {"folderId": world.folders["Q1"]["id"]},
    ):
        events = await listed(client, tenant, interval="all", **params)
        for group_by in GROUPINGS:
            want = expected(world, group_by, "composite", events)
            got = await answered(client, tenant, group_by, "composite", interval="all", **params)
            assert got == want, (group_by, params)
    by_autumn = await answered(
        client, tenant, "top_link_tags", "clicks", tagId=autumn, interval="all"
    )
    # Tied rows come in the order of their ids.
    assert sorted((row["tag"]["name"], row["clicks"]) for row in by_autumn) == [
        ("autumn", 2), ("spring", 2),
    ]  # fmt: skip


async def test_the_rows_dub_shows(client: httpx.AsyncClient, track: Tracker, world: World) -> None:
    """A link with two tags counts under both; links without a tag, or without a folder, are
    in no row; a tag whose links had no events has no row."""
    tenant = track.tenant
    spring, autumn = world.tags["spring"], world.tags["autumn"]
    tags = await answered(client, tenant, "top_link_tags", "clicks", interval="all")
    assert tags == [
        {"tagId": spring, "tag": {"id": spring, "name": "spring", "color": "green"},
         "clicks": 5, "leads": 0, "sales": 0, "saleAmount": 0},
        {"tagId": autumn, "tag": {"id": autumn, "name": "autumn", "color": "red"},
         "clicks": 2, "leads": 0, "sales": 0, "saleAmount": 0},
    ]  # fmt: skip
    q1, q2 = world.folders["Q1"], world.folders["Q2"]
    folders = await answered(client, tenant, "top_folders", "composite", interval="all")
    assert [(row["folder"]["name"], row["clicks"], row["saleAmount"]) for row in folders] == [
        ("Q2", 3, 4000), ("Q1", 2, 1500),
    ]  # fmt: skip
    assert [row["folderId"] for row in folders] == [q2["id"], q1["id"]]
    assert folders[0]["folder"]["accessLevel"] == q2["accessLevel"]
    domains = await answered(client, tenant, "top_domains", "leads", interval="all")
    assert [(row["domain"], row["leads"]) for row in domains] == [
        (world.links["both"]["domain"], 2), (DOMAIN, 1),
    ]  # fmt: skip
    urls = await answered(client, tenant, "top_base_urls", "clicks", interval="all")
    assert [(row["url"], row["clicks"]) for row in urls] == [
        ("https://example.com/sale", 5), ("https://example.com/other", 3),
    ]  # fmt: skip


async def test_another_workspace_sees_none_of_the_groups(
    client: httpx.AsyncClient, track: Tracker, world: World, tenant: Tenant
) -> None:
    other = await make_tenant(track.settings, "other", plan="enterprise")
    for group_by in GROUPINGS:
        assert await answered(client, other, group_by, "composite", interval="all") == []
        theirs = {"tagId": world.tags["spring"]}
        assert await answered(client, other, group_by, "composite", interval="all", **theirs) == []


async def test_a_deleted_links_events_leave_its_groups(
    client: httpx.AsyncClient, track: Tracker, world: World
) -> None:
    tenant = track.tenant
    deleted = await client.delete(f"/links/{world.links['both']['id']}", headers=tenant.auth)
    assert deleted.status_code == 200, deleted.text
    await folded(track.settings)
    for window in ({"interval": "all"}, whole_days()):
        tags = await answered(client, tenant, "top_link_tags", "clicks", **window)
        assert [(row["tag"]["name"], row["clicks"]) for row in tags] == [("spring", 3)]
        folders = await answered(client, tenant, "top_folders", "composite", **window)
        assert [(row["folder"]["name"], row["saleAmount"]) for row in folders] == [("Q2", 4000)]
