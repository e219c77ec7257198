"""Visitors' journeys, as the crash test drives them over HTTP: a visit to a short link and,
for some visitors, a second visit, a lead, or a lead and sales (an invoice, the same invoice
twice at once, a second invoice). A step counts as done only once the server answered it, so
that after a crash every journey can be finished where it was cut off, as a client that
retries would finish it; what the server acknowledged goes into a ledger."""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.conftest import BROWSER_UA

Json = dict[str, Any]
LEAD_EVENT = "Sign up"
KINDS = ("visit", "repeat", "lead", "buyer")
SALES = (1, 2)  # a buyer's invoices


@dataclass
class Ledger:
    """What the server acknowledged (a 2xx or 3xx), and how many requests went unanswered."""

    clicks: set[str] = field(default_factory=set)
    leads: set[str] = field(default_factory=set)  # customers' external ids
    sales: dict[str, Json] = field(default_factory=dict)  # invoice id: the first answer
    answered: int = 0
    cut: int = 0  # requests that got no answer
    refused: int = 0  # answers that promised nothing (see Unacknowledged)


class Unacknowledged(Exception):
    """An answer that promises nothing was stored: 503 (the database was too busy to wait
    for) or a redirect without a click id (the click could not be stored in time). A client
    tries again later."""


@dataclass
class Journey:
    n: int
    kind: str
    path: str
    click_id: str = ""  # from the first acknowledged visit
    done: int = 0  # steps acknowledged so far

    @property
    def visitor(self) -> dict[str, str]:
        """A visitor of their own: another forwarded address for every journey."""
        return {"X-Forwarded-For": f"203.0.{self.n // 250}.{self.n % 250 + 1}",
                "User-Agent": BROWSER_UA}  # fmt: skip

    @property
    def customer(self) -> str:
        return f"customer-{self.n}"

    @property
    def finished(self) -> bool:
        return self.done == len(STEPS[self.kind])

    def invoice(self, k: int) -> str:
        return f"in_{self.n}_{k}"

    def amount(self, k: int) -> int:
        """USD cents, different for every invoice, so that a sum shows any double count."""
        return 1000 + 37 * self.n + k


def plan(paths: list[str], size: int, seed: int = 7) -> list[Journey]:
    """`size` journeys over the short links at `paths`: 60% single visits, 10% repeat
    visitors, 15% leads and 15% buyers, in a fixed shuffled order."""
    kinds = random.Random(seed).choices(KINDS, weights=(60, 10, 15, 15), k=size)
    return [Journey(n, kind, paths[n % len(paths)]) for n, kind in enumerate(kinds)]


def expected(journeys: Iterable[Journey]) -> dict[str, tuple[int, int, int, int]]:
    """Clicks, leads, sales and sale amount per link path, once every journey is done."""
    totals: dict[str, tuple[int, int, int, int]] = {}
    for j in journeys:
        clicks, leads, sales, amount = totals.get(j.path, (0, 0, 0, 0))
        converted = j.kind in ("lead", "buyer")
        bought = [j.amount(k) for k in SALES] if j.kind == "buyer" else []
        totals[j.path] = (clicks + 1, leads + converted, sales + len(bought), amount + sum(bought))
    return totals


@dataclass
class Driver:
    """Sends the journeys' requests. Once `kill_after` requests were answered (in all), the
    next answer that recorded something of a kind in `kill_on` ("click", "lead", "sale") calls
    `kill`, at once: had the server answered before its transaction committed, what it
    acknowledged would be lost."""

    http: httpx.AsyncClient
    auth: dict[str, str]
    ledger: Ledger
    kill: Callable[[], None] | None = None
    kill_after: int = 0
    kill_on: frozenset[str] = frozenset()
    down: bool = False

    async def send(
        self, method: str, path: str, *, recorded: str | None = None, **options: Any
    ) -> httpx.Response:
        try:
            response = await self.http.request(method, path, **options)
        except httpx.TransportError:
            self.ledger.cut += 1
            raise
        self.ledger.answered += 1
        if recorded in self.kill_on and self.ledger.answered >= self.kill_after:
            self._crash()
        if response.status_code == 503:
            self.ledger.refused += 1
            raise Unacknowledged(response.text)
        return response

    def _crash(self) -> None:
        if self.kill is not None and not self.down:
            self.down = True
            self.kill()

    async def track(self, path: str, body: Json, *, recorded: str | None) -> httpx.Response:
        return await self.send("POST", path, recorded=recorded, json=body, headers=self.auth)


def client(base_url: str) -> httpx.AsyncClient:
    """A client that keeps no cookies: each visitor is someone else, with no dub_id cookie."""
    jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    limits = httpx.Limits(max_connections=64)
    return httpx.AsyncClient(base_url=base_url, cookies=jar, limits=limits, timeout=60)


async def drive(driver: Driver, journeys: Iterable[Journey], concurrency: int) -> None:
    """Walk the unfinished journeys, `concurrency` at a time, until done or the server is down."""
    waiting = deque(j for j in journeys if not j.finished)

    async def worker() -> None:
        while waiting and not driver.down:
            await walk(driver, waiting.popleft())

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())


async def finish(driver: Driver, journeys: list[Journey], concurrency: int) -> None:
    """Drive the journeys until all are done, as clients that retry would: a few rounds, for
    the answers that promised nothing."""
    for _ in range(3):
        await drive(driver, journeys, concurrency)
    unfinished = [(j.n, j.kind, j.done) for j in journeys if not j.finished]
    assert unfinished == [], f"still refused after 3 rounds: {driver.ledger.refused}"


async def walk(driver: Driver, journey: Journey) -> None:
    try:
        for step in STEPS[journey.kind][journey.done :]:
            await step(driver, journey)
            journey.done += 1
    except (httpx.TransportError, Unacknowledged):
        return  # cut off by the crash, or refused: finished in a later round


async def visit(driver: Driver, journey: Journey) -> None:
    recorded = None if journey.click_id else "click"  # a returning visitor adds no click
    response = await driver.send("GET", journey.path, recorded=recorded, headers=journey.visitor)
    assert response.status_code == 302, response.text
    found = parse_qs(urlsplit(response.headers["location"]).query).get("dub_id")
    if not found:
        driver.ledger.refused += 1
        raise Unacknowledged(response.headers["location"])
    click_id = found[0]
    assert journey.click_id in ("", click_id)  # a visitor's hour on a link is one click
    journey.click_id = click_id
    driver.ledger.clicks.add(click_id)


async def lead(driver: Driver, journey: Journey) -> None:
    body = {"clickId": journey.click_id, "eventName": LEAD_EVENT,
            "customerExternalId": journey.customer}  # fmt: skip
    response = await driver.track("/track/lead", body, recorded="lead")
    assert response.status_code == 200, response.text
    assert response.json()["click"] == {"id": journey.click_id}
    driver.ledger.leads.add(journey.customer)


def sale(k: int, times: int = 1) -> Callable[[Driver, Journey], Awaitable[None]]:
    """The step that sends invoice `k`, `times` at once; every answer must be the same."""

    async def step(driver: Driver, journey: Journey) -> None:
        body = {"customerExternalId": journey.customer, "amount": journey.amount(k),
                "currency": "usd", "invoiceId": journey.invoice(k)}  # fmt: skip
        recorded = "sale" if times == 1 else None  # sent twice at once, it is a repeat
        calls = [driver.track("/track/sale", body, recorded=recorded) for _ in range(times)]
        answers = await asyncio.gather(*calls, return_exceptions=True)
        for answer in answers:
            if isinstance(answer, httpx.Response):
                _sold(driver.ledger, journey, k, answer)
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer

    return step


def _sold(ledger: Ledger, journey: Journey, k: int, response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    answer: Json = response.json()
    assert answer["sale"]["amount"] == journey.amount(k)
    assert answer["customer"]["externalId"] == journey.customer
    first = ledger.sales.setdefault(journey.invoice(k), answer)
    assert answer == first  # a repeated invoice gets the original answer, even after a crash


Step = Callable[[Driver, Journey], Awaitable[None]]
STEPS: dict[str, tuple[Step, ...]] = {
    "visit": (visit,),
    "repeat": (visit, visit),
    "lead": (visit, lead),
    "buyer": (visit, lead, sale(1), sale(1, times=2), sale(2)),
}
