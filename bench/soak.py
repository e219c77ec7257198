"""A soak: `clicktrail serve` under a steady mixed load for minutes (90% redirects by new and
returning visitors, 8% leads, 2% sales, at a fixed rate rather than flat out), with the
server's memory, errors and latencies sampled as time goes on, and at the end the rows written
checked against the requests answered.

    python -m bench.soak [--minutes 10] [--db sqlite|postgres] [--rate 300] [--every 30]
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import math
import os
import random
import statistics
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

import clicktrail
from bench import servers, throughput
from bench.http1 import Answer, Broken, Client
from bench.load import tenant_keys
from clicktrail.storage import totals
from clicktrail.storage.urls import async_url

DATA = Path(__file__).resolve().parent / ".data"
LINKS = 20
IN_FLIGHT = 2000  # open requests beyond which the generator is behind its rate: it sheds
CONNECTIONS = 64  # requests sent at once; the rest of those in flight wait their turn
KEY_BUDGET = 2400  # track calls a minute per API key, under the enterprise limit of 3000
FLAT = 0.10  # memory is flat when the last third's median RSS is within 10% of the first's
FIRST_VISITOR = int(ipaddress.IPv4Address("20.0.0.0"))
AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.6478.71 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
)

Json = dict[str, Any]


@dataclass
class Ledger:
    """What answered requests stored, to hold the database to at the end."""

    clicks: set[str] = field(default_factory=set)
    leads: int = 0
    sales: dict[str, int] = field(default_factory=dict)  # invoice id: USD cents
    strays: int = 0  # returning visitors given a click id other than their first


@dataclass
class Window:
    """One interval's answers."""

    answered: int = 0
    errors: int = 0  # answers other than 2xx/3xx
    broken: int = 0  # connection errors and timeouts
    shed: int = 0  # requests not sent: IN_FLIGHT were open
    latencies: list[float] = field(default_factory=list)  # seconds, from when each was due


@dataclass(frozen=True)
class Sample:
    seconds: float  # since the load began
    rss_mb: float
    per_second: float
    errors: int
    broken: int
    shed: int
    p50_ms: float
    p99_ms: float
    cpu: float  # the server's share of one core over the interval
    load: float  # the machine's 1-minute load average: other work shares its cores


class Traffic:
    """Chooses and sends each request of the mix, and keeps what its answers stored."""

    def __init__(self, http: Client, keys: list[str], paths: list[str]) -> None:
        self.http, self.keys, self.paths = http, keys, paths
        self.rng = random.Random(11)  # noqa: S311 - a reproducible mix, not a secret
        self.ledger = Ledger()
        self.visitors: deque[tuple[str, dict[str, str], str]] = deque(maxlen=10_000)
        self.unconverted: deque[str] = deque(maxlen=10_000)  # click ids no lead has used
        self.buyers: deque[str] = deque(maxlen=10_000)  # customers with a lead
        self.invoices: deque[Json] = deque(maxlen=1_000)  # sales to send again
        self.count = 0

    def choose(self) -> Callable[[], Awaitable[Answer]]:
        roll = self.rng.random()
        if roll < 0.72 or not self.visitors:
            return self.new_visit
        if roll < 0.90:
            return self.return_visit
        if roll < 0.98 and self.unconverted:
            return self.lead
        return self.sale if self.buyers else self.new_visit

    async def new_visit(self) -> Answer:
        self.count += 1
        address = str(ipaddress.IPv4Address(FIRST_VISITOR + self.count))
        visitor = {"X-Forwarded-For": address, "User-Agent": self.rng.choice(AGENTS)}
        path = self.rng.choice(self.paths)
        response = await self.http.request("GET", path, visitor)
        if click_id := _click_id(response):
            self.ledger.clicks.add(click_id)
            self.visitors.append((path, visitor, click_id))
            self.unconverted.append(click_id)
        return response

    async def return_visit(self) -> Answer:
        path, visitor, first = self.rng.choice(self.visitors)
        response = await self.http.request("GET", path, visitor)
        click_id = _click_id(response)
        self.ledger.strays += click_id is not None and click_id != first
        return response

    async def lead(self) -> Answer:
        self.count += 1
        customer = f"soak-{self.count}"
        body = {"clickId": self.unconverted.popleft(), "eventName": "Sign up",
                "customerExternalId": customer}  # fmt: skip
        response = await self._track("/track/lead", body)
        if response.status == 200:
            self.ledger.leads += 1
            self.buyers.append(customer)
        return response

    async def sale(self) -> Answer:
        """A new invoice, or one in five times an invoice sent before (which stores nothing)."""
        if self.invoices and self.rng.random() < 0.2:
            return await self._track("/track/sale", self.rng.choice(self.invoices))
        self.count += 1
        body: Json = {"customerExternalId": self.rng.choice(self.buyers), "currency": "usd",
                "amount": self.rng.randrange(100, 100_000),
                "invoiceId": f"soak-{self.count}"}  # fmt: skip
        response = await self._track("/track/sale", body)
        if response.status == 200:
            self.ledger.sales[body["invoiceId"]] = body["amount"]
            self.invoices.append(body)
        return response

    async def _track(self, path: str, body: Json) -> Answer:
        self.count += 1
        auth = {"Authorization": f"Bearer {self.keys[self.count % len(self.keys)]}"}
        return await self.http.post_json(path, body, auth)


def _click_id(response: Answer) -> str | None:
    if response.status != 302:
        return None
    found = parse_qs(urlsplit(response.headers["location"]).query).get("dub_id")
    return found[0] if found else None


class Meter:
    """Counts answers into the current interval; samples the server at the end of each."""

    def __init__(self, served: servers.Served) -> None:
        self.served = served
        self.window = Window()
        self.samples: list[Sample] = []
        self.cpu = cpu_seconds(served.process.pid)

    def answer(self, status: int, latency: float) -> None:
        self.window.answered += 1
        self.window.errors += status >= 400
        self.window.latencies.append(latency)

    def sample(self, seconds: float, every: float) -> Sample:
        w, self.window = self.window, Window()
        cuts = statistics.quantiles(w.latencies, n=100) if len(w.latencies) > 1 else [0.0] * 99
        pid = self.served.process.pid
        now = cpu_seconds(pid)
        used, self.cpu = now - self.cpu, now
        found = Sample(seconds, rss_mb(pid), w.answered / every, w.errors, w.broken, w.shed,
                       cuts[49] * 1000, cuts[98] * 1000, used / every,
                       os.getloadavg()[0])  # fmt: skip
        self.samples.append(found)
        return found


def cpu_seconds(pid: int) -> float:
    """Processor time a process has used so far (user and system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """The resident size (VmRSS) of a process now."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def run_load(
    traffic: Traffic, meter: Meter, rate: float, seconds: float, every: float
) -> Window:
    """Start requests at `rate` a second, each when it is due, whatever the answers take;
    returns what came after the last sample, from the requests then still open."""
    loop = asyncio.get_running_loop()
    start, sent, pending = loop.time(), 0, set[asyncio.Task[None]]()
    print(ROW.format("time", "RSS MB", "answers/s", "p50 ms", "p99 ms", "errors", "broken",
                     "shed", "CPU", "load"), flush=True)  # fmt: skip
    for tick in range(1, math.ceil(seconds / every) + 1):
        while (elapsed := loop.time() - start) < tick * every:
            for n in range(sent, int(elapsed * rate)):
                if len(pending) >= IN_FLIGHT:
                    meter.window.shed += 1
                    continue
                task = loop.create_task(_one(traffic, meter, start + n / rate))
                pending.add(task)
                task.add_done_callback(pending.discard)
            sent = max(sent, int(elapsed * rate))
            await asyncio.sleep(0.002)
        _print(meter.sample(tick * every, every))
    if pending:
        await asyncio.wait(pending, timeout=60)
    meter.window.broken += len(pending)  # still unanswered
    return meter.window


async def _one(traffic: Traffic, meter: Meter, due: float) -> None:
    try:
        response = await traffic.choose()()
    except Broken:
        meter.window.broken += 1
        return
    meter.answer(response.status, asyncio.get_running_loop().time() - due)


ROW = "| {:>6} | {:>7} | {:>9} | {:>7} | {:>7} | {:>6} | {:>6} | {:>5} | {:>4} | {:>4} |"


def _print(s: Sample) -> None:
    shown = f"{int(s.seconds) // 60}:{int(s.seconds) % 60:02d}"
    print(ROW.format(shown, f"{s.rss_mb:.1f}", f"{s.per_second:.0f}", f"{s.p50_ms:.1f}",
                     f"{s.p99_ms:.1f}", s.errors, s.broken, s.shed, f"{s.cpu:.0%}",
                     f"{s.load:.1f}"),
          flush=True)  # fmt: skip


def memory_verdict(samples: list[Sample]) -> tuple[bool, str]:
    """Flat: the median RSS of the last third of the samples within FLAT of the first third's.
    (A leak grows with the requests served; caches that fill up stop growing.)"""
    third = max(len(samples) // 3, 1)
    first = statistics.median(s.rss_mb for s in samples[:third])
    last = statistics.median(s.rss_mb for s in samples[-third:])
    change = (last - first) / first
    peak = max(s.rss_mb for s in samples)
    text = (f"RSS median {first:.1f} MB in the first third, {last:.1f} MB in the last "
            f"({change:+.1%}); start {samples[0].rss_mb:.1f}, end {samples[-1].rss_mb:.1f}, "
            f"peak sampled {peak:.1f}")  # fmt: skip
    return abs(change) <= FLAT, text


async def stored(url: str) -> Json:
    """Rows, and the links' counters of them."""
    sql = """SELECT (SELECT count(*) FROM clicks) AS clicks, (SELECT count(*) FROM leads) AS leads,
        (SELECT count(*) FROM sales) AS sales,
        (SELECT coalesce(sum(amount), 0) FROM sales) AS sale_amount,
        (SELECT coalesce(sum(clicks), 0) FROM links) AS link_clicks,
        (SELECT coalesce(sum(leads), 0) FROM links) AS link_leads,
        (SELECT coalesce(sum(sales), 0) FROM links) AS link_sales,
        (SELECT coalesce(sum(sale_amount_high), 0) FROM links) AS link_sale_high,
        (SELECT coalesce(sum(sale_amount_low), 0) FROM links) AS link_sale_low"""
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            found = {k: int(v) for k, v in (await conn.execute(text(sql))).one()._mapping.items()}
    finally:
        await engine.dispose()
    high, low = found.pop("link_sale_high"), found.pop("link_sale_low")
    return found | {"link_sale_amount": totals.join(high, low)}


def rows_verdict(ledger: Ledger, rows: Json) -> tuple[bool, str]:
    """Every answered click, lead and sale is one row; the links count exactly those rows."""
    answered = {"clicks": len(ledger.clicks), "leads": ledger.leads, "sales": len(ledger.sales),
                "sale_amount": sum(ledger.sales.values())}  # fmt: skip
    written = {name: rows[name] for name in answered}
    counted = {name: rows[f"link_{name}"] for name in answered}
    ok = answered == written == counted and ledger.strays == 0
    return ok, (f"answered {answered}; rows {written}; link counters {counted}; "
                f"returning visitors with a new click id: {ledger.strays}")  # fmt: skip


def make_links(base: str, key: str) -> list[str]:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as client:
        for n in range(LINKS):
            body = {"url": f"https://example.com/p{n}", "key": f"soak{n}", "trackConversion": True}
            client.post("/links", json=body).raise_for_status()
    return [f"/soak{n}" for n in range(LINKS)]


@dataclass
class Run:
    """Everything a soak saw, for its report."""

    args: argparse.Namespace
    samples: list[Sample]
    leftover: Window  # answered after the last sample, while the open requests finished
    ledger: Ledger
    rows: Json
    peak_mb: float


async def soak(
    base: str, keys: list[str], meter: Meter, args: argparse.Namespace
) -> tuple[Ledger, Window]:
    """The load, from a client that keeps no cookies: every visitor is a stranger."""
    address = urlsplit(base)
    http = Client(address.hostname or "127.0.0.1", address.port or 80, CONNECTIONS)
    try:
        traffic = Traffic(http, keys, make_links(base, keys[0]))
        leftover = await run_load(traffic, meter, args.rate, args.minutes * 60, args.every)
    finally:
        http.close()
    return traffic.ledger, leftover


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rate", type=float, default=150, help="requests a second")
    parser.add_argument("--every", type=float, help="seconds between samples (default: 20 samples)")
    args = parser.parse_args()
    args.every = args.every or max(args.minutes * 3, 5)
    DATA.mkdir(exist_ok=True)
    with throughput.fresh_database(args.db, "soak") as url:
        keys = asyncio.run(tenant_keys(url, "soak", math.ceil(args.rate * 60 * 0.1 / KEY_BUDGET)))
        env = servers.clean_env(CLICKTRAIL_DATABASE_URL=url, CLICKTRAIL_TRUSTED_PROXIES="127.0.0.1")
        command = servers.clicktrail(servers.free_port(), 1)
        with servers.serving(command, env, DATA / f"soak-{args.db}.log", "/health") as served:
            meter = Meter(served)
            print(f"soak: {args.db}, {args.rate:g} requests/s for {args.minutes:g} min, "
                  f"clicktrail from {Path(clicktrail.__file__).parent}", flush=True)  # fmt: skip
            ledger, leftover = asyncio.run(soak(served.base, keys, meter, args))
            peak = served.peak_memory_mb()
        rows = asyncio.run(stored(url))
    if not report(Run(args, meter.samples, leftover, ledger, rows, peak)):
        raise SystemExit(1)


def report(run: Run) -> bool:
    """Print the verdicts, keep the figures in bench/.data/soak-<db>.json; True if all pass."""
    flat, memory = memory_verdict(run.samples)
    errors = sum(s.errors + s.broken for s in run.samples)
    errors += run.leftover.errors + run.leftover.broken
    shed = sum(s.shed for s in run.samples)
    exact, written = rows_verdict(run.ledger, run.rows)
    answered = sum(s.per_second for s in run.samples) * run.args.every + run.leftover.answered
    achieved = answered / (run.args.minutes * 60)
    print(f"\nrate: {achieved:.1f} answers/s of {run.args.rate:g} asked; shed {shed}")
    print(f"memory: {'flat' if flat else 'NOT FLAT'}: {memory}; peak (VmHWM) {run.peak_mb:.1f} MB")
    print(f"errors: {errors} ({'none' if errors == 0 else 'SOME'})")
    print(f"rows: {'exact' if exact else 'MISMATCH'}: {written}")
    verdict = flat and errors == 0 and shed == 0 and exact
    print(f"verdict: {'PASS' if verdict else 'FAIL'}")
    result = {"args": vars(run.args), "clicktrail": clicktrail.__file__, "achieved": achieved,
              "samples": [asdict(s) for s in run.samples], "peak_mb": run.peak_mb,
              "rows": run.rows, "answered": written, "errors": errors,
              "verdict": verdict}  # fmt: skip
    (DATA / f"soak-{run.args.db}.json").write_text(json.dumps(result, indent=1))
    return verdict


if __name__ == "__main__":
    main()
