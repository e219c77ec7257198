"""The synthetic data set: one workspace's links, clicks, customers, leads and sales, the same for
a given seed, scale and end time. Clicks are streamed in time order, an hour at a time, so that
no step holds ten million rows; leads and sales are made afterwards from the clicks they chose."""

from __future__ import annotations

import base64
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any
from urllib.parse import urlencode

from bench import vocabulary as v
from clicktrail.storage import totals as sale_totals

CLICKS, LEADS, SALES, LINKS = 10_000_000, 100_000, 20_000, 1_000
DAYS = 90
DOMAIN = "bench.link"
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
QR_SHARE = 0.06  # scanned codes, all from phones
MOBILE_SHARE = 0.55

Row = tuple[Any, ...]
Stamp = Callable[[datetime], Any]  # a timestamp as the database driver takes it

CLICK_COLUMNS = (
    "id", "workspace_id", "link_id", "timestamp", "domain", "key", "url", "identity_hash", "ip",
    "continent", "country", "region", "city", "device", "device_vendor", "device_model",
    "browser", "browser_version", "os", "os_version", "ua", "referer", "referer_url", "trigger",
    "qr",
)  # fmt: skip
LEAD_COLUMNS = ("id", "workspace_id", "customer_id", "click_id", "link_id", "event_name",
                "timestamp")  # fmt: skip
MARK_COLUMNS = ("workspace_id", "customer_external_id", "event_name")
SALE_COLUMNS = (
    "id", "workspace_id", "customer_id", "lead_id", "click_id", "link_id", "event_name", "amount",
    "currency", "original_amount", "original_currency", "fx_rate", "payment_processor",
    "timestamp",
)  # fmt: skip
CUSTOMER_COLUMNS = (
    "id", "workspace_id", "external_id", "name", "email", "country", "click_id", "link_id",
    "clicked_at", "sales", "sale_amount_high", "sale_amount_low", "first_sale_at", "created_at",
    "updated_at",
)  # fmt: skip
LINK_COLUMNS = (
    "id", "workspace_id", "domain", "key", "key_folded", "url", "track_conversion", "archived",
    "proxy", "rewrite", "do_index", "public_stats", "title", "utm_source", "utm_medium",
    "utm_campaign", "utm_term", "utm_content", "clicks", "leads", "conversions", "sales",
    "sale_amount_high", "sale_amount_low", "created_at", "updated_at",
)  # fmt: skip
COUNTER_COLUMNS = ("clicks", "leads", "conversions", "sales", "sale_amount_high",
                   "sale_amount_low", "last_clicked", "last_lead_at",
                   "last_conversion_at")  # fmt: skip
PRICES = ((900, 20), (1900, 30), (2900, 20), (4900, 15), (9900, 10), (19900, 4), (49900, 1))
_ID_ALPHABET = bytes.maketrans(b"+/", b"xQ")  # base64 without its two non-alphanumerics
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True, slots=True)
class Size:
    clicks: int
    leads: int
    sales: int
    links: int

    @classmethod
    def scaled(cls, scale: float) -> Size:
        return cls(round(CLICKS * scale), round(LEADS * scale), round(SALES * scale), LINKS)


@dataclass(slots=True)
class Link:
    id: str
    key: str
    url: str
    utm: dict[str, str]
    created_at: datetime
    launch_day: int  # the day of the data set its clicks begin
    decay_days: float  # how fast its clicks fade after launch
    weight: float  # popularity: a few links draw most clicks
    counters: list[Any] = field(default_factory=lambda: [0, 0, 0, 0, 0, None, None, None])


@dataclass(frozen=True, slots=True)
class Converting:
    """A click that a lead will come from."""

    click_id: str
    link: int
    at: datetime
    country: str


@dataclass(frozen=True, slots=True)
class Conversions:
    customers: list[Row]
    leads: list[Row]
    marks: list[Row]
    sales: list[Row]


def seeded(seed: int, purpose: str) -> random.Random:
    """A generator of its own per purpose, so that changing one part leaves the others alone."""
    return random.Random(f"{seed}:{purpose}")  # noqa: S311 - reproducible test data, not secrets


def event_ids(rng: random.Random, n: int) -> list[str]:
    """`n` ids of 16 characters of [0-9A-Za-z], like Dub's click ids (96 random bits each)."""
    text = base64.b64encode(rng.randbytes(12 * n)).translate(_ID_ALPHABET).decode()
    return [text[i : i + 16] for i in range(0, 16 * n, 16)]


def _prefixed(rng: random.Random, prefix: str) -> str:
    """`cus_…`, `link_…`: a prefix and 26 characters of Crockford base 32, as the app makes."""
    return f"{prefix}_{''.join(rng.choices(_CROCKFORD, k=26))}"


class DataSet:
    """Everything but the workspace and its API key, which the loader creates through the app."""

    def __init__(self, size: Size, seed: int, end: datetime, workspace_id: str) -> None:
        self.size, self.seed, self.end, self.workspace_id = size, seed, end, workspace_id
        self.start = end - DAYS * DAY
        rng = seeded(seed, "vocabulary")
        places = v.places(rng)
        self.places = [(p.continent, p.country, p.region, p.city) for p, _ in places]
        self.place_cum = list(accumulate(w for _, w in places))
        referers = v.referers(rng)
        self.referers = [r for r, _ in referers]
        self.referer_cum = list(accumulate(w for _, w in referers))
        profiles = [(p, w * (1 - MOBILE_SHARE) / 54.5) for p, w in v.DESKTOP]
        profiles += [(p, w * MOBILE_SHARE / 48) for p, w in v.MOBILE]
        self.profiles = [p for p, _ in profiles]
        self.profile_cum = list(accumulate(w for _, w in profiles))
        self.mobile = [p for p, _ in v.MOBILE]
        self.mobile_cum = list(accumulate(w for _, w in v.MOBILE))
        self.links = _links(seeded(seed, "links"), size.links, self.start)
        self.converting: list[Converting] = []

    @property
    def workspace_created(self) -> datetime:
        return self.start - 60 * DAY

    def link_rows(self, stamp: Stamp) -> list[Row]:
        rows = []
        for link in self.links:
            utm = [link.utm.get(f"utm_{n}") for n in ("source", "medium", "campaign", "term",
                                                        "content")]  # fmt: skip
            created = stamp(link.created_at)
            rows.append((
                link.id, self.workspace_id, DOMAIN, link.key, link.key.lower(), link.url, True,
                False, False, False, False, False, f"Bench link {link.key}", *utm,
                0, 0, 0, 0, 0, 0, created, created,
            ))  # fmt: skip
        return rows

    def counter_rows(self, stamp: Stamp) -> list[Row]:
        """(counters..., id) of every link, once clicks and conversions are made."""
        return [
            (*link.counters[:4], *sale_totals.split(link.counters[4]),
             *(None if t is None else stamp(t) for t in link.counters[5:]), link.id)
            for link in self.links
        ]  # fmt: skip

    def clicks(self, stamp: Stamp) -> Iterator[list[Row]]:
        """Every click, an hour at a time, oldest first."""
        rng = seeded(self.seed, "clicks")
        chosen = set(rng.sample(range(self.size.clicks), self.size.leads))
        index = 0
        for day, hours in enumerate(self._hours(rng)):
            link_cum = self._link_cum(day)
            for hour, n, span in hours:
                yield self._hour(rng, hour, n, span, link_cum, stamp, range(index, index + n),
                                 chosen)  # fmt: skip
                index += n

    def conversions(self, stamp: Stamp) -> Conversions:
        """Customers and their sign-up leads from the chosen clicks, and sales from some of
        them; the links' and customers' counters are kept as the tracking API keeps them."""
        rng = seeded(self.seed, "conversions")
        ids = iter(event_ids(rng, len(self.converting) + self.size.sales))
        leads: list[tuple[str, str, Converting, datetime]] = []
        for click in self.converting:
            at = click.at + timedelta(minutes=rng.lognormvariate(2.3, 1.2))
            at = max(click.at, min(at, self.end - timedelta(seconds=1)))
            leads.append((next(ids), _prefixed(rng, "cus"), click, at))
            self._count(click.link, 1, at, lead=True)
        sales = self._sales(rng, leads, ids)
        customers = self._customers(rng, leads, sales, stamp)
        lead_rows = [(lead_id, self.workspace_id, customer, c.click_id, self.links[c.link].id,
                      "Sign up", stamp(at)) for lead_id, customer, c, at in leads]  # fmt: skip
        marks = [(self.workspace_id, f"user_{n:07d}", "sign-up") for n in range(len(leads))]
        return Conversions(customers, lead_rows, marks, [(*s[:-1], stamp(s[-1])) for s in sales])

    def _hours(self, rng: random.Random) -> list[list[tuple[datetime, int, int]]]:
        """(hour, clicks in it, microseconds of it in the data set) of every hour, by day: a
        daily cycle peaking at 17:00 UTC, quieter weekends, growth, and noise."""
        slots: list[tuple[int, datetime, float, int]] = []
        hour = self.start.replace(minute=0, second=0, microsecond=0)
        while hour < self.end:
            lo, hi = max(hour, self.start), min(hour + HOUR, self.end)
            day = (hour - self.start.replace(hour=0, minute=0, second=0, microsecond=0)).days
            cycle = 0.35 + 0.65 * (1 + math.cos(2 * math.pi * (hour.hour - 17) / 24)) / 2
            weekend = 0.75 if hour.weekday() >= 5 else 1.0
            weight = cycle * weekend * (1 + 0.4 * day / DAYS) * rng.uniform(0.85, 1.15)
            span = int((hi - lo) / timedelta(microseconds=1))
            slots.append((day, lo, weight * span / 3.6e9, span))
            hour += HOUR
        counts = _apportion(self.size.clicks, [w for _, _, w, _ in slots])
        days: list[list[tuple[datetime, int, int]]] = [[] for _ in range(slots[-1][0] + 1)]
        for (day, lo, _, span), n in zip(slots, counts, strict=True):
            days[day].append((lo, n, span))
        return days

    def _link_cum(self, day: int) -> list[float]:
        weights = [
            link.weight * math.exp(-(day - link.launch_day) / link.decay_days)
            if day >= link.launch_day else 1e-9
            for link in self.links
        ]  # fmt: skip
        return list(accumulate(weights))

    def _hour(
        self, rng: random.Random, hour: datetime, n: int, span: int, link_cum: list[float],
        stamp: Stamp, indexes: range, chosen: set[int],
    ) -> list[Row]:  # fmt: skip
        links = rng.choices(range(len(self.links)), cum_weights=link_cum, k=n)
        places = rng.choices(self.places, cum_weights=self.place_cum, k=n)
        profiles = rng.choices(self.profiles, cum_weights=self.profile_cum, k=n)
        referers = rng.choices(self.referers, cum_weights=self.referer_cum, k=n)
        offsets = sorted(int(rng.random() * span) for _ in range(n))
        ids = event_ids(rng, n)
        rows = []
        for i in range(n):
            link = self.links[links[i]]
            at = hour + timedelta(microseconds=offsets[i])
            visitor = f"{rng.getrandbits(128):032x}"
            profile, referer, trigger = profiles[i], referers[i], "link"
            if rng.random() < QR_SHARE:
                profile = rng.choices(self.mobile, cum_weights=self.mobile_cum)[0]
                referer, trigger = ("(direct)", "(direct)"), "qr"
            rows.append((ids[i], self.workspace_id, link.id, stamp(at), DOMAIN, link.key, link.url,
                         visitor, visitor[:16], *places[i], *profile, *referer, trigger,
                         trigger == "qr"))  # fmt: skip
            link.counters[0] += 1
            link.counters[5] = at
            if indexes[i] in chosen:
                self.converting.append(Converting(ids[i], links[i], at, places[i][1]))
        return rows

    def _sales(
        self, rng: random.Random, leads: Sequence[tuple[str, str, Converting, datetime]],
        ids: Iterator[str],
    ) -> list[Row]:  # fmt: skip
        """A quarter of the sales are repeat purchases of earlier buyers; oldest first."""
        first = min(len(leads), round(self.size.sales * 0.75))
        buyers = rng.sample(range(len(leads)), first)
        orders = buyers + rng.choices(buyers, k=self.size.sales - first) if buyers else []
        amounts = rng.choices([p for p, _ in PRICES], weights=[w for _, w in PRICES], k=len(orders))
        sales: list[Row] = []
        for buyer, amount in zip(orders, amounts, strict=True):
            lead_id, customer, click, lead_at = leads[buyer]
            at = lead_at + timedelta(hours=rng.lognormvariate(2.5, 1.5))
            if at >= self.end:
                at = lead_at + (self.end - lead_at) * rng.random()
            euros = rng.random() < 0.15
            sales.append((
                next(ids), self.workspace_id, customer, lead_id, click.click_id,
                self.links[click.link].id, "Purchase", amount, "usd",
                round(amount * 0.92) if euros else amount, "eur" if euros else "usd",
                "0.92" if euros else "1", "stripe", at, click.link,
            ))  # fmt: skip
        sales.sort(key=lambda sale: sale[-2])
        seen: set[str] = set()
        for sale in sales:
            self._count(sale[-1], sale[7], sale[-2], first_sale=sale[2] not in seen)
            seen.add(sale[2])
        return [sale[:-1] for sale in sales]

    def _customers(
        self, rng: random.Random, leads: Sequence[tuple[str, str, Converting, datetime]],
        sales: Sequence[Row], stamp: Stamp,
    ) -> list[Row]:  # fmt: skip
        bought: dict[str, list[Any]] = {}
        for sale in sales:
            totals = bought.setdefault(sale[2], [0, 0, sale[-1]])
            totals[0] += 1
            totals[1] += sale[7]
            totals[2] = min(totals[2], sale[-1])
        rows = []
        for n, (_, customer, click, at) in enumerate(leads):
            count, amount, first = bought.get(customer, [0, 0, None])
            name = f"{v.word(rng).title()} {v.word(rng, 3).title()}"
            rows.append((
                customer, self.workspace_id, f"user_{n:07d}", name, f"user{n}@example.com",
                click.country, click.click_id, self.links[click.link].id, stamp(click.at), count,
                *sale_totals.split(amount), None if first is None else stamp(first), stamp(at),
                stamp(at),
            ))  # fmt: skip
        return rows

    def _count(
        self, link: int, amount: int, at: datetime, *, lead: bool = False, first_sale: bool = False
    ) -> None:
        counters = self.links[link].counters
        if lead:
            counters[1] += 1
            counters[6] = at if counters[6] is None else max(counters[6], at)
            return
        counters[3] += 1
        counters[4] += amount
        if first_sale:
            counters[2] += 1
            counters[7] = at if counters[7] is None else max(counters[7], at)


def _links(rng: random.Random, n: int, start: datetime) -> list[Link]:
    """Popularity by Zipf's law; most links evergreen, a third launched during the 90 days and
    fading at their own pace; two in five carry UTM parameters."""
    keys: set[str] = set()
    links = []
    for rank in rng.sample(range(1, n + 1), n):
        key = "".join(rng.choices(v.SYLLABLES, k=2)) + str(rng.randint(0, 9999))
        while key.lower() in keys:
            key += rng.choice("abcdefgh")
        keys.add(key.lower())
        launched = rng.random() < 0.33
        launch_day = rng.randint(0, DAYS - 10) if launched else 0
        before = timedelta(hours=rng.uniform(1, 48 if launched else 900))
        created = start + launch_day * DAY - before
        decay = rng.uniform(5, 40) if launched else rng.uniform(60, 600)
        utm = _utm(rng) if rng.random() < 0.4 else {}
        url = f"https://{rng.choice(v.SITES)}/{v.word(rng, 3)}"
        url += f"?{urlencode(utm)}" if utm else ""
        link_id = _prefixed(rng, "link")
        links.append(Link(link_id, key, url, utm, created, launch_day, decay, 1 / rank))
    return links


def _utm(rng: random.Random) -> dict[str, str]:
    season = rng.choice(("spring", "launch", "q3", "promo"))
    utm = {"utm_source": rng.choice(v.UTM_SOURCES), "utm_medium": rng.choice(v.UTM_MEDIUMS),
           "utm_campaign": f"{v.word(rng)}-{season}"}  # fmt: skip
    if rng.random() < 0.3:
        utm["utm_term"] = v.word(rng)
    if rng.random() < 0.3:
        utm["utm_content"] = rng.choice(("hero", "footer", "sidebar", "cta"))
    return utm


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Integers in proportion to `weights` that add up to exactly `total`."""
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    by_rest = sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])
    for i in by_rest[: total - sum(counts)]:
        counts[i] += 1
    return counts
