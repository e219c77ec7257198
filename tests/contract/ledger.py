"""What GET /events and GET /analytics must answer for the contract tests' traffic, worked out
from the database beside the server, and the calls both SDKs make. Answers are checked as the
JSON an SDK gives back after its own validation, so one check serves the Python and npm SDKs."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.contract.traffic import Traffic
from tests.support import fetch_sync

INTERVAL = "24h"  # hourly buckets: the timeseries shows the hour each event fell in
PACE = 0.1  # seconds between calls: 10 a second, under the enterprise analytics limit of 16
MEASURES = ("clicks", "leads", "sales", "saleAmount")
EVENT_KINDS = ("clicks", "leads", "sales")
SHOWN = {kind: {kind} for kind in EVENT_KINDS} | {"composite": set(EVENT_KINDS)}
RANKED_BY = {"clicks": "clicks", "leads": "leads", "sales": "saleAmount", "composite": "clicks"}
CONTINENTS = frozenset({"AF", "AN", "AS", "EU", "NA", "OC", "SA"})
TRIGGERS = frozenset({"qr", "link", "pageview", "deeplink"})
UTM_PARAMETERS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
HOUR = "%Y-%m-%dT%H:00:00.000+0000"
Row = dict[str, Any]


@dataclass(frozen=True)
class Grouping:
    """The fields that name a row of a groupBy, and their values for a click (None: the
    click is in no row, as Dub leaves out unknown continents and empty UTM values)."""

    fields: tuple[str, ...]
    of: Callable[[Row], tuple[str, ...] | None]
    composite_by: str = "clicks"  # what ranks a composite answer


def _column(column: str, name: str | None = None) -> Grouping:
    return Grouping((name or column,), lambda click: (click[column],))


def _among(column: str, allowed: frozenset[str]) -> Grouping:
    return Grouping((column,), lambda click: (click[column],) if click[column] in allowed else None)


def _utm(parameter: str) -> Grouping:
    def of(click: Row) -> tuple[str, ...] | None:
        value = parse_qs(urlsplit(click["url"]).query).get(parameter, [""])[0]
        return (value,) if value else None

    return Grouping((parameter,), of)


def _region(click: Row) -> str:
    return f"{click['country']}-{click['region']}"


PLACE = ("country", "region", "city")
LINK = ("link", "id", "domain", "key", "shortLink", "url")
GROUPINGS: dict[str, Grouping] = {
    "continents": _among("continent", CONTINENTS),
    "regions": Grouping(PLACE, lambda c: (c["country"], _region(c), "*")),
    "countries": Grouping(PLACE, lambda c: (c["country"], "*", "*")),
    "cities": Grouping(PLACE, lambda c: (c["country"], _region(c), c["city"])),
    "devices": _column("device"),
    "browsers": _column("browser"),
    "os": _column("os"),
    "triggers": _among("trigger", TRIGGERS),
    "referers": _column("referer"),
    "referer_urls": _column("referer_url", "refererUrl"),
    "top_links": Grouping(LINK, lambda c: tuple(c[f"link_{name}"] for name in LINK)),
    "top_urls": _column("url"),
    "top_base_urls": Grouping(("url",), lambda c: (c["url"].split("?")[0],)),
    # Dub ranks groupings by what a link carries by sale amount (v4_group_by_link_metadata).
    "top_domains": Grouping(("domain",), lambda c: (c["link_domain"],), "saleAmount"),
    **{f"{parameter}s": _utm(parameter) for parameter in UTM_PARAMETERS},
}
GROUP_BYS = ("count", "timeseries", *GROUPINGS)
# Dub answers these `[{utm_source, …}]` (W/lib/zod/schemas/analytics-response.ts), but its
# OpenAPI document leaves their schemas out of GET /analytics' response, so neither SDK's answer
# type has a member for them: both reject every non-empty answer, Dub's own included. So it is
# with `top_domains` (and `top_link_tags`, `top_folders`, which this traffic has no rows of);
# `top_base_urls` rows parse as top_urls rows.
UNMODELLED = frozenset({*(f"{parameter}s" for parameter in UTM_PARAMETERS), "top_domains"})


@dataclass(frozen=True)
class Call:
    """One SDK call: `events.list` (no group_by) or `analytics.retrieve`."""

    event: str
    group_by: str | None = None

    @property
    def name(self) -> str:
        return f"events-{self.event}" if self.group_by is None else f"{self.event}-{self.group_by}"

    @property
    def unmodelled(self) -> bool:
        """The SDKs cannot parse the answer: they raise ResponseValidationError."""
        return self.group_by in UNMODELLED

    def node(self) -> dict[str, Any]:
        """The call as analytics.test.mjs makes it."""
        request = {"event": self.event, "interval": INTERVAL}
        if self.group_by is not None:
            request["groupBy"] = self.group_by
        operation = "events.list" if self.group_by is None else "analytics.retrieve"
        return {"name": self.name, "operation": operation, "request": request,
                "rejected": self.unmodelled}  # fmt: skip


CALLS = [Call(kind) for kind in EVENT_KINDS] + [
    Call(event, group_by) for event in SHOWN for group_by in GROUP_BYS
]


@dataclass(frozen=True)
class Event:
    kind: str  # clicks, leads or sales
    at: datetime
    click: Row  # the click it came from, with its link's fields as link_*
    shown: Row  # what /events must show of it (see `_shown`)
    amount: int = 0


class Ledger:
    """Every click, lead and sale the database holds, and what the read APIs must make of them."""

    def __init__(self, events: list[Event]) -> None:
        self.events = events

    @classmethod
    def read(cls, traffic: Traffic) -> Ledger:
        def rows(sql: str) -> list[Row]:
            return fetch_sync(traffic.server.settings, sql)

        short_links = {link["id"]: link["shortLink"] for link in traffic.links}
        clicks = {click["id"]: click for click in rows(CLICKS)}
        for click in clicks.values():
            click["link_shortLink"] = short_links[click["link_id"]]
        events = [_click_event(click) for click in clicks.values()]
        events += [_conversion("leads", row, clicks[row["click_id"]]) for row in rows(LEADS)]
        events += [_conversion("sales", row, clicks[row["click_id"]]) for row in rows(SALES)]
        return cls(events)

    def check(self, call: Call, answer: Any) -> None:
        """`answer`, the JSON of what the SDK returned, is what the database says."""
        if call.group_by is None:
            self._check_events(call.event, answer)
        elif call.group_by == "count":
            assert _measures_of(answer) == self.measures(call.event, self.events)
        elif call.group_by == "timeseries":
            self._check_timeseries(call.event, answer)
        else:
            self.check_grouped(call.event, GROUPINGS[call.group_by], answer)

    def measures(self, event: str, events: Iterable[Event]) -> dict[str, int]:
        """The counts of `events` that `event` shows; the others are 0."""
        shown = [e for e in events if e.kind in SHOWN[event]]
        counts = {kind: sum(e.kind == kind for e in shown) for kind in EVENT_KINDS}
        return counts | {"saleAmount": sum(e.amount for e in shown)}

    def _check_events(self, kind: str, answer: list[Row]) -> None:
        timestamps = [body["timestamp"] for body in answer]
        assert timestamps == sorted(timestamps, reverse=True), "newest first"
        expected = [e.shown for e in self.events if e.kind == kind]
        assert sorted((_shown(kind, body) for body in answer), key=_by_id) == sorted(
            expected, key=_by_id
        )

    def _check_timeseries(self, event: str, answer: list[Row]) -> None:
        starts = [datetime.strptime(row["start"], "%Y-%m-%dT%H:%M:%S.%f%z") for row in answer]
        assert len(starts) in {24, 25}, "every hour of the last 24, empty ones included"
        assert all(later - earlier == timedelta(hours=1) for earlier, later in pairwise(starts))
        by_hour: dict[str, list[Event]] = defaultdict(list)
        for e in self.events:
            by_hour[e.at.strftime(HOUR)].append(e)
        expected = {hour: self.measures(event, events) for hour, events in by_hour.items()}
        shown = {row["start"]: _measures_of(row) for row in answer}
        assert _nonzero(shown) == _nonzero(expected)

    def check_grouped(self, event: str, grouping: Grouping, answer: list[Row]) -> None:
        rows = [{name: row[name] for name in grouping.fields} | _measures_of(row) for row in answer]
        ranked_by = grouping.composite_by if event == "composite" else RANKED_BY[event]
        ranks = [row[ranked_by] for row in rows]
        assert ranks == sorted(ranks, reverse=True), f"ranked by {ranked_by}"
        groups: dict[tuple[str, ...], list[Event]] = defaultdict(list)
        for e in self.events:
            values = grouping.of(e.click)
            if values is not None and e.kind in SHOWN[event]:
                groups[values].append(e)
        expected = [
            dict(zip(grouping.fields, values, strict=True)) | self.measures(event, events)
            for values, events in sorted(groups.items())
        ]

        def key(row: Row) -> tuple[str, ...]:
            return tuple(row[name] for name in grouping.fields)

        assert sorted(rows, key=key) == expected


CLICKS = """
    SELECT c.id, c.timestamp, c.link_id, c.url, c.continent, c.country, c.region, c.city,
           c.device, c.browser, c.os, c.trigger, c.referer, c.referer_url,
           l.id AS link_link, l.domain AS link_domain, l.key AS link_key, l.url AS link_url
    FROM clicks c JOIN links l ON l.id = c.link_id
"""
LEADS = """
    SELECT e.id, e.timestamp, e.click_id, e.event_name, e.metadata,
           COALESCE(c.external_id, e.customer_id) AS customer,
           COALESCE(c.name, 'Deleted Customer') AS customer_name
    FROM leads e LEFT JOIN customers c ON c.id = e.customer_id
"""
SALES = """
    SELECT e.id, e.timestamp, e.click_id, e.event_name, e.metadata, e.amount, e.currency,
           e.invoice_id, COALESCE(c.external_id, e.customer_id) AS customer,
           COALESCE(c.name, 'Deleted Customer') AS customer_name
    FROM sales e LEFT JOIN customers c ON c.id = e.customer_id
"""


def _click_event(click: Row) -> Event:
    shown = {"click": click["id"], "link": click["link_id"], "url": click["url"]}
    return Event("clicks", _utc(click["timestamp"]), click, shown)


def _conversion(kind: str, row: Row, click: Row) -> Event:
    shown = {
        "click": click["id"], "link": click["link_id"], "url": click["url"], "id": row["id"],
        "eventName": row["event_name"], "customer": row["customer"],
        "customerName": row["customer_name"], "metadata": _json(row["metadata"]),
    }  # fmt: skip
    if kind == "sales":
        shown |= {"amount": row["amount"], "currency": row["currency"],
                  "invoiceId": row["invoice_id"]}  # fmt: skip
    return Event(kind, _utc(row["timestamp"]), click, shown, row.get("amount", 0))


def _shown(kind: str, body: Row) -> Row:
    """The fields of one /events row that the ledger knows."""
    click, link = body["click"], body["link"]
    shown = {"click": click["id"], "link": link["id"], "url": click["url"]}
    if kind == "clicks":
        return shown
    customer = body["customer"]
    shown |= {
        "id": body["eventId"], "eventName": body["eventName"], "customer": customer["externalId"],
        "customerName": customer["name"], "metadata": body.get("metadata"),
    }  # fmt: skip
    if kind == "sales":
        sale = body["sale"]
        shown |= {"amount": sale["amount"], "currency": sale["currency"],
                  "invoiceId": sale["invoiceId"]}  # fmt: skip
    return shown


def _by_id(shown: Row) -> str:
    return str(shown.get("id", shown["click"]))


def _measures_of(row: Row) -> dict[str, Any]:
    return {name: row[name] for name in MEASURES}


def _nonzero(counts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: row for name, row in counts.items() if any(row.values())}


def _utc(value: datetime | str) -> datetime:
    """A timestamp column as read raw: SQLite gives naive UTC text, PostgreSQL datetimes."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _json(value: object) -> object:
    """A JSON column as read raw: text on both databases (SQLite stores a null as 'null')."""
    return json.loads(value) if isinstance(value, str) else value
