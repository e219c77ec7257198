"""`NaN`, `Infinity` and `-Infinity` anywhere in a body get Dub's 400 for invalid JSON, on every
route that reads a body, and nothing is written (issue 11, item 2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from clicktrail.app import Root
from clicktrail.errors import INVALID_JSON
from tests.api.test_errors import assert_error
from tests.support import Tenant
from tests.tracking.helpers import Tracker

# Each a JSON value with a non-finite number somewhere: at the top, nested, in a list.
NON_FINITE = ["NaN", "Infinity", "-Infinity", '{"a": [1, {"b": NaN}]}', "[-Infinity]"]


@dataclass(frozen=True)
class Route:
    path: str
    body: str  # `{value}` is where the value goes: a field the schema ignores or takes as any JSON
    table: str  # where an accepted body writes a row
    created: int

    def with_value(self, value: str) -> bytes:
        return self.body.replace("{value}", value).encode()


@pytest.fixture
def track(client: httpx.AsyncClient, tenant: Tenant, app: Root) -> Tracker:
    return Tracker(client, tenant, app.api.state.runtime.settings)


Prepare = Callable[[Tracker], Awaitable[dict[str, str]]]


async def _click(track: Tracker) -> dict[str, str]:
    return {"click": await track.click(await track.link())}


async def _lead(track: Tracker) -> dict[str, str]:
    click = await track.click(await track.link())
    await track.lead(clickId=click, eventName="Sign up", customerExternalId="buyer")
    await track.post("/webhooks", {"name": "h", "url": "https://hooks.example.com/in",
                                   "triggers": ["sale.created"]})  # fmt: skip
    return {}


async def _nothing(_track: Tracker) -> dict[str, str]:
    return {}


CASES: dict[str, tuple[Route, Prepare]] = {
    "lead": (Route(
        "/track/lead",
        '{"clickId": "{click}", "eventName": "Sign up", "customerExternalId": "u1",'
        ' "metadata": {"score": {value}}}', "leads", 200), _click),
    "sale": (Route(
        "/track/sale",
        '{"customerExternalId": "buyer", "amount": 1999, "currency": "usd",'
        ' "invoiceId": "in_1", "metadata": {"x": {value}}}', "sales", 200), _lead),
    "link": (Route(
        "/links", '{"url": "https://example.com/a", "key": "k1", "metadata": {value}}',
        "links", 200), _nothing),
    "customer": (Route(
        "/customers", '{"externalId": "c1", "name": "Ada", "metadata": {value}}',
        "customers", 201), _nothing),
    "webhook": (Route(
        "/webhooks", '{"name": "w", "url": "https://hooks.example.com/w",'
        ' "triggers": ["lead.created"], "metadata": {value}}', "webhooks", 201), _nothing),
}  # fmt: skip


async def _post(track: Tracker, route: Route, value: str, fill: dict[str, str]) -> httpx.Response:
    body = route.with_value(value)
    for name, filler in fill.items():
        body = body.replace(f"{{{name}}}".encode(), filler.encode())
    headers = {**track.tenant.auth, "Content-Type": "application/json"}
    return await track.client.post(route.path, content=body, headers=headers)


async def _count(track: Tracker, table: str) -> int:
    rows = await track.rows(f"SELECT count(*) AS n FROM {table}")  # noqa: S608 (our names)
    return int(rows[0]["n"])


@pytest.mark.parametrize("name", CASES)
async def test_non_finite_numbers_are_refused_and_nothing_is_written(
    track: Tracker, name: str
) -> None:
    route, prepare = CASES[name]
    fill = await prepare(track)
    before = {t: await _count(track, t) for t in (route.table, "webhook_events", "customers")}
    for value in NON_FINITE:
        response = await _post(track, route, value, fill)
        assert_error(response, 400, "bad_request", INVALID_JSON)
    after = {t: await _count(track, t) for t in before}
    assert after == before
    # The same body with a finite number is stored: the refusal was for the number alone.
    accepted = await _post(track, route, '{"a": [1, {"b": 1.5}], "note": "NaN Infinity"}', fill)
    assert accepted.status_code == route.created, accepted.text
    assert await _count(track, route.table) == before[route.table] + 1


async def test_a_non_finite_number_in_a_patch_is_refused(track: Tracker) -> None:
    link = await track.link(key="kept", title="before")
    headers = {**track.tenant.auth, "Content-Type": "application/json"}
    body = b'{"title": "after", "x": Infinity}'
    response = await track.client.patch(f"/links/{link['id']}", content=body, headers=headers)
    assert_error(response, 400, "bad_request", INVALID_JSON)
    rows = await track.rows("SELECT title FROM links WHERE id = :id", id=link["id"])
    assert rows == [{"title": "before"}]


async def test_words_inside_strings_are_plain_text(track: Tracker) -> None:
    click = await track.click(await track.link())
    answer = await track.lead(
        clickId=click, eventName="NaN Infinity", customerExternalId="-Infinity",
        metadata={"NaN": "Infinity", "n": -1e308},
    )  # fmt: skip
    assert answer["customer"]["externalId"] == "-Infinity", answer
