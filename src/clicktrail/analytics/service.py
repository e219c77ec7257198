"""GET /analytics: counts of clicks, leads and sales, in total, over time, or per value of a
dimension (spec §7.3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.analytics import counting, link_groups
from clicktrail.analytics.counting import Counted, Raw, Rolled, Source
from clicktrail.analytics.dimensions import BY_KEY, LINK, SEPARATOR, TOTAL, Dimension
from clicktrail.analytics.filters import Condition, Filters
from clicktrail.analytics.request import EventType, Selection
from clicktrail.analytics.rollups import ALL_LINKS
from clicktrail.config import Settings
from clicktrail.errors import NotFound
from clicktrail.kit.clock import iso
from clicktrail.links.present import short_link
from clicktrail.models import Link
from clicktrail.storage.limits import time_limited

MOST_ROWS = 5000
CONTINENTS = frozenset({"AF", "AN", "AS", "EU", "NA", "OC", "SA"})
TRIGGERS = frozenset({"qr", "link", "pageview", "deeplink"})


class GroupBy(StrEnum):
    total = "count"  # (`count` would hide str.count)
    timeseries = "timeseries"
    continents = "continents"
    regions = "regions"
    countries = "countries"
    cities = "cities"
    devices = "devices"
    browsers = "browsers"
    os = "os"
    triggers = "triggers"
    trigger = "trigger"  # deprecated name of triggers
    referers = "referers"
    referer_urls = "referer_urls"
    # In Dub's order (VALID_ANALYTICS_ENDPOINTS), which a 422 lists
    top_folders = "top_folders"
    top_link_tags = "top_link_tags"
    top_domains = "top_domains"
    top_links = "top_links"
    top_urls = "top_urls"
    top_base_urls = "top_base_urls"
    utm_sources = "utm_sources"
    utm_mediums = "utm_mediums"
    utm_campaigns = "utm_campaigns"
    utm_terms = "utm_terms"
    utm_contents = "utm_contents"


def _field(name: str) -> Callable[[str], dict[str, Any]]:
    return lambda value: {name: value}


def _place(value: str) -> dict[str, Any]:
    country, region, *city = value.split(SEPARATOR)
    return {"country": country, "region": f"{country}-{region}", "city": city[0] if city else "*"}


# groupBy -> (dimension, the fields that name a row's value)
GROUPINGS: dict[GroupBy, tuple[Dimension, Callable[[str], dict[str, Any]]]] = {
    GroupBy.continents: (BY_KEY["continent"], _field("continent")),
    GroupBy.countries: (
        BY_KEY["country"],
        lambda value: {"country": value, "region": "*", "city": "*"},
    ),
    GroupBy.regions: (BY_KEY["region"], _place),
    GroupBy.cities: (BY_KEY["city"], _place),
    GroupBy.devices: (BY_KEY["device"], _field("device")),
    GroupBy.browsers: (BY_KEY["browser"], _field("browser")),
    GroupBy.os: (BY_KEY["os"], _field("os")),
    GroupBy.triggers: (BY_KEY["trigger"], _field("trigger")),
    GroupBy.trigger: (BY_KEY["trigger"], _field("trigger")),
    GroupBy.referers: (BY_KEY["referer"], _field("referer")),
    GroupBy.referer_urls: (BY_KEY["referer_url"], _field("refererUrl")),
    GroupBy.top_urls: (BY_KEY["url"], _field("url")),
    GroupBy.top_links: (LINK, _field("link")),
    GroupBy.top_base_urls: (BY_KEY["url"], _field("url")),
    GroupBy.top_link_tags: (LINK, _field("tagId")),
    GroupBy.top_folders: (LINK, _field("folderId")),
    GroupBy.top_domains: (LINK, _field("domain")),
    **{
        GroupBy(f"{name}s"): (BY_KEY[name], _field(name))
        for name in ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
    },
}
# Values the SDKs accept for enumerated fields; others (an unknown continent) are left out.
_ALLOWED = {GroupBy.continents: CONTINENTS, GroupBy.triggers: TRIGGERS, GroupBy.trigger: TRIGGERS}
# Groupings by what a link carries, read from the per-link totals.
BY_LINK = {
    GroupBy.top_link_tags: link_groups.TAGS,
    GroupBy.top_folders: link_groups.FOLDERS,
    GroupBy.top_domains: link_groups.DOMAINS,
}


async def analytics(
    session: AsyncSession, *, chosen: Selection, group_by: GroupBy, settings: Settings,
    seconds: float,
) -> Any:  # fmt: skip
    dimension = GROUPINGS[group_by][0] if group_by in GROUPINGS else TOTAL
    async with time_limited(session, seconds):
        source = await _source(session, chosen, dimension)
        if group_by is GroupBy.timeseries:
            buckets = chosen.window.buckets()
            series = await counting.count(
                session, source, [(lo, hi) for _, lo, hi in buckets], per_bucket=True
            )
            return [
                {"start": _local_iso(label), **_measures(chosen.event, c.get("", [0, 0, 0, 0]))}
                for (label, _, _), c in zip(buckets, series, strict=True)
            ]
        whole = [(chosen.window.start, chosen.window.end)]
        (counted,) = await counting.count(session, source, whole, per_bucket=False)
        if group_by is GroupBy.total:
            return _measures(chosen.event, counted.get("", [0, 0, 0, 0]))
        if group_by in BY_LINK or group_by is GroupBy.top_base_urls:
            return await _regrouped(session, chosen, group_by, counted)
        rows = _ranked(chosen.event, counted, _ALLOWED.get(group_by))
        if group_by is GroupBy.top_links:
            return await _top_links(session, rows, chosen, settings)
        name = GROUPINGS[group_by][1]
        return [name(value) | _measures(chosen.event, counts) for value, counts in rows]


async def _source(session: AsyncSession, chosen: Selection, dimension: Dimension) -> Source:
    """The rollups when they hold the answer: no filter but a single link, whose own rows
    have only totals. The events themselves otherwise."""
    filters = await one_link_as_id(session, chosen.filters)
    raw = Raw(dimension, chosen.event.kinds, filters)
    link_id = filters.single_link()
    if link_id is not None and dimension is TOTAL:
        return Rolled(filters.workspace_id, link_id, TOTAL, raw)
    if not filters.given:
        return Rolled(filters.workspace_id, ALL_LINKS, dimension, raw)
    return raw


async def one_link_as_id(session: AsyncSession, filters: Filters) -> Filters:
    """A single link, asked for by id, by domain and key or by external id, as its id; a link
    that is not the workspace's is a 404, as on Dub."""
    given = filters.given
    await _check_links(session, filters)
    one = {name: c.values[0] for name, c in given.items() if len(c.values) == 1 and not c.negated}
    if len(one) != len(given) or set(one) not in ({"linkId"}, {"domain", "key"}, {"externalId"}):
        return filters
    where = [Link.workspace_id == filters.workspace_id]
    if "linkId" in one:
        where.append(Link.id == one["linkId"])
    elif "key" in one:
        where += [Link.domain == one["domain"].lower(), Link.key_folded == one["key"].lower()]
    else:
        where.append(Link.external_id == one["externalId"].removeprefix("ext_"))
    link_id = await session.scalar(select(Link.id).where(*where))
    if link_id is None:
        raise NotFound("Link not found.")
    return Filters(filters.workspace_id, {"linkId": Condition((link_id,))})


async def _check_links(session: AsyncSession, filters: Filters) -> None:
    """Links asked for by id must include one of the workspace's, whatever else is asked."""
    wanted = filters.given.get("linkId")
    if wanted is None or wanted.negated:
        return
    found = await session.scalars(
        select(Link.id).where(Link.workspace_id == filters.workspace_id, Link.id.in_(wanted.values))
    )
    if not set(found):
        raise NotFound("Link not found.")


def _measures(event: EventType, counts: list[int]) -> dict[str, int]:
    clicks, leads, sales, amount = counts
    shown = set(event.kinds)
    return {
        "clicks": clicks if "clicks" in shown else 0,
        "leads": leads if "leads" in shown else 0,
        "sales": sales if "sales" in shown else 0,
        "saleAmount": amount if "sales" in shown else 0,
    }


async def _regrouped(
    session: AsyncSession, chosen: Selection, group_by: GroupBy, counted: Counted
) -> list[dict[str, Any]]:
    """Per-link (or per-URL) totals added up by tag, folder, domain or base URL. Dub ranks
    composite answers by tag, folder or domain by sale amount, by base URL by clicks."""
    if group_by is GroupBy.top_base_urls:
        grouped, named = link_groups.by_base_url(counted)
        rows = _ranked(chosen.event, grouped, None)
    else:
        workspace_id = chosen.filters.workspace_id
        grouped, named = await link_groups.by_link(
            session, workspace_id, counted, BY_LINK[group_by]
        )
        rows = _ranked(chosen.event, grouped, None, composite_by=3)
    return [named[value] | _measures(chosen.event, counts) for value, counts in rows]


def _ranked(
    event: EventType, counted: Counted, allowed: frozenset[str] | None, composite_by: int = 0
) -> list[tuple[str, list[int]]]:
    """Values with events of the requested kind, most first (sales by amount; composite by
    clicks unless told otherwise)."""
    index = {"clicks": 0, "leads": 1, "sales": 3, "composite": composite_by}[event.value]
    shown = [i for i, kind in enumerate(("clicks", "leads", "sales")) if kind in event.kinds]
    rows = [
        (value, counts)
        for value, counts in counted.items()
        if any(counts[i] for i in shown) and (allowed is None or value in allowed)
    ]
    rows.sort(key=lambda row: (-row[1][index], row[0]))
    return rows[:MOST_ROWS]


async def _top_links(
    session: AsyncSession, rows: list[tuple[str, list[int]]], chosen: Selection,
    settings: Settings,
) -> list[dict[str, Any]]:  # fmt: skip
    ids = [link_id for link_id, _ in rows]
    # The columns shown, not Link objects: loading 1,000 of them took 20-80 ms at 10M clicks.
    query = select(*TOP_LINK_COLUMNS).where(
        Link.workspace_id == chosen.filters.workspace_id, Link.id.in_(ids)
    )
    links = {link.id: link for link in await session.execute(query)}
    return [
        _top_link(links[link_id], settings) | _measures(chosen.event, counts)
        for link_id, counts in rows
        if link_id in links
    ]


TOP_LINK_COLUMNS = (
    Link.id, Link.domain, Link.key, Link.url, Link.title, Link.comments, Link.folder_id,
    Link.partner_id, Link.created_at,
)  # fmt: skip


def _top_link(link: Row[*tuple[Any, ...]], settings: Settings) -> dict[str, Any]:
    return {
        "link": link.id, "id": link.id, "domain": link.domain, "key": link.key,
        "shortLink": short_link(settings, link.domain, link.key), "url": link.url,
        "title": link.title, "comments": link.comments, "folderId": link.folder_id,
        "partnerId": link.partner_id, "createdAt": iso(link.created_at),
    }  # fmt: skip


def _local_iso(moment: datetime) -> str:
    """`2025-01-01T00:00:00.000+0000`: the bucket's start in the requested zone."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000%z")
