"""What each trigger sends: `{id: evt_…, event, createdAt, data}`, with `data` as on Dub
(spec §8), to every enabled webhook of the workspace that subscribes to the trigger."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support import Tenant
from tests.tracking.helpers import Json, Tracker
from tests.webhooks.helpers import Hooks
from tests.webhooks.receiver import Received, Receiver

CLICK_FIELDS = {
    "id", "timestamp", "url", "country", "city", "region", "continent", "device", "browser",
    "os", "ua", "trigger", "referer", "refererUrl", "qr", "ip",
}  # fmt: skip
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def envelope(request: Received, trigger: str) -> Json:
    """The event's `data`, once the envelope around it is checked."""
    sent: Json = request.json()
    assert list(sent) == ["id", "event", "createdAt", "data"]
    assert re.fullmatch(r"evt_[0-9A-Za-z]{25}", sent["id"])
    assert request.headers["webhook-id"] == sent["id"]
    assert sent["event"] == trigger
    assert ISO.fullmatch(sent["createdAt"])
    created = datetime.fromisoformat(sent["createdAt"])
    assert abs(created - datetime.now(UTC)) < timedelta(minutes=1)
    data: Json = sent["data"]
    return data


def by_event(requests: list[Received]) -> dict[str, Received]:
    """Events of one delivery round may arrive in any order."""
    found = {r.json()["event"]: r for r in requests}
    assert len(found) == len(requests)
    return found


async def get(track: Tracker, path: str) -> Json:
    response = await track.client.get(path, headers=track.tenant.auth)
    assert response.status_code == 200, response.text
    found: Json = response.json()
    return found


async def test_link_events_carry_the_link_as_the_api_shows_it(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    await hooks.create(receiver.url, "link.created", "link.updated", "link.deleted")
    created = await track.link(key="spring", externalId="camp")
    response = await track.client.patch(
        f"/links/{created['id']}", json={"title": "Spring sale"}, headers=track.tenant.auth
    )
    updated = response.json()
    gone = await track.client.delete(f"/links/{created['id']}", headers=track.tenant.auth)
    assert gone.status_code == 200
    sent = by_event(await receiver.wait_for(3))
    assert envelope(sent["link.created"], "link.created") == created
    assert envelope(sent["link.updated"], "link.updated") == updated
    assert envelope(sent["link.deleted"], "link.deleted") == updated
    assert updated["title"] == "Spring sale"
    assert created["shortLink"] == "http://localhost:8000/spring"
    assert await receiver.quiet(0.3) == []


FOLDED = frozenset({
    "clicks", "leads", "sales", "saleAmount", "conversions", "lastClicked", "firstSaleAt",
    "updatedAt",
})  # fmt: skip


def unfolded(shown: dict[str, Any], *left_out: str) -> dict[str, Any]:
    """What a payload shows as it is at once: counters and totals follow within a second."""
    return {k: v for k, v in shown.items() if k not in FOLDED and k not in left_out}


async def test_link_clicked_carries_the_click_of_the_redirect_and_the_counted_link(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    await hooks.create(receiver.url, "link.clicked")
    link = await track.link(key="spring")
    click_id = await track.click(link)
    [request] = await receiver.wait_for(1)
    data = envelope(request, "link.clicked")
    assert list(data) == ["click", "link"]
    click = data["click"]
    assert set(click) == CLICK_FIELDS
    assert click["id"] == click_id
    assert (click["url"], click["trigger"], click["qr"]) == (link["url"], "link", False)
    assert click["ua"].startswith("Mozilla/5.0 (Macintosh)")
    assert ISO.fullmatch(click["timestamp"])
    served = await get(track, f"/links/info?linkId={link['id']}")
    assert unfolded(data["link"]) == unfolded(served)
    assert (served["clicks"], served["lastClicked"]) == (1, click["timestamp"])
    assert data["link"]["clicks"] in {0, 1}  # counters as folded so far (README)


async def test_only_a_new_click_is_announced(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    await hooks.create(receiver.url, "link.clicked")
    link = await track.link(key="spring")
    visitor = {"User-Agent": "Mozilla/5.0 (Macintosh) Safari/605.1.15 repeat"}
    first = await track.client.get("/spring", headers=visitor)
    track.client.cookies.clear()  # the same visitor's hour, even without the cookie
    again = await track.client.get("/spring", headers=visitor)
    track.client.cookies.clear()
    qr = await track.client.get("/spring?qr=1", headers={"User-Agent": "Mozilla/5.0 (X11) QR"})
    assert (first.status_code, again.status_code, qr.status_code) == (302, 302, 302)
    requests = await receiver.wait_for(2)
    assert await receiver.quiet(0.3) == []
    clicks = sorted((r.json()["data"]["click"] for r in requests), key=lambda c: c["qr"])
    assert [(c["trigger"], c["qr"]) for c in clicks] == [("link", False), ("qr", True)]
    assert len({c["id"] for c in clicks}) == 2
    assert (await get(track, f"/links/info?linkId={link['id']}"))["clicks"] == 2


async def test_lead_created_carries_customer_click_counted_link_and_metadata(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    await hooks.create(receiver.url, "link.clicked", "lead.created")
    link = await track.link(key="spring")
    click_id = await track.click(link)
    answer = await track.lead(
        clickId=click_id, eventName="Sign up", customerExternalId="u1",
        customerEmail="ada@example.com", metadata={"plan": "pro", "seats": 3},
    )  # fmt: skip
    sent = by_event(await receiver.wait_for(2))
    data = envelope(sent["lead.created"], "lead.created")
    assert list(data) == ["eventName", "customer", "click", "link", "metadata"]
    assert data["eventName"] == "Sign up"
    assert data["metadata"] == {"plan": "pro", "seats": 3}
    assert data["click"] == sent["link.clicked"].json()["data"]["click"]
    assert data["click"]["id"] == click_id
    customer = await get(track, f"/customers/{answer['customer']['id']}")
    assert "country" in customer
    assert unfolded(data["customer"]) == unfolded(customer, "country")
    assert (data["customer"]["externalId"], data["customer"]["name"]) == ("u1", "ada@example.com")
    served = await get(track, f"/links/info?linkId={link['id']}")
    assert unfolded(data["link"]) == unfolded(served)
    assert (served["clicks"], served["leads"]) == (1, 1)  # this lead counted


async def test_a_lead_without_metadata_sends_null(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    await hooks.create(receiver.url, "lead.created")
    click_id = await track.click(await track.link())
    await track.lead(clickId=click_id, eventName="Sign up", customerExternalId="u1")
    [request] = await receiver.wait_for(1)
    data = envelope(request, "lead.created")
    assert data["metadata"] is None
    assert data["customer"]["email"] is None
    assert data["customer"]["name"] == (await track.rows("SELECT name FROM customers"))[0]["name"]


async def test_sale_created_adds_the_sale_to_what_a_lead_sends(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    await hooks.create(receiver.url, "link.clicked", "sale.created")
    link = await track.link(key="spring")
    click_id = await track.click(link)
    await track.lead(clickId=click_id, eventName="Sign up", customerExternalId="u1")
    await track.sale(
        customerExternalId="u1", amount=4900, invoiceId="in_1", paymentProcessor="stripe",
        metadata={"coupon": "SPRING"},
    )  # fmt: skip
    sent = by_event(await receiver.wait_for(2))
    data = envelope(sent["sale.created"], "sale.created")
    assert list(data) == ["eventName", "customer", "click", "link", "metadata", "sale"]
    assert data["eventName"] == "Purchase"
    assert data["sale"] == {
        "amount": 4900, "currency": "usd", "paymentProcessor": "stripe", "invoiceId": "in_1"
    }  # fmt: skip
    assert data["metadata"] == {"coupon": "SPRING"}
    assert data["click"] == sent["link.clicked"].json()["data"]["click"]  # the click's own time
    assert "country" not in data["customer"]
    assert data["customer"]["sales"] in {0, 1}  # folded so far (README)
    served = await get(track, f"/links/info?linkId={link['id']}")
    assert unfolded(data["link"]) == unfolded(served)
    counted = served
    assert (counted["leads"], counted["sales"], counted["saleAmount"]) == (1, 1, 4900)
    assert counted["conversions"] == 1


async def test_only_enabled_subscribers_of_the_workspace_get_an_event(
    receiver: Receiver, hooks: Hooks, track: Tracker, client: httpx.AsyncClient,
    other_tenant: Tenant,
) -> None:  # fmt: skip
    both = [await hooks.create(f"{receiver.url}/{name}", "link.created") for name in "ab"]
    await hooks.create(f"{receiver.url}/leads", "lead.created")
    paused = await hooks.create(f"{receiver.url}/paused", "link.created")
    await hooks.patch(paused["id"], disabled=True)
    await Hooks(client, other_tenant).create(f"{receiver.url}/theirs")
    await track.link()
    requests = await receiver.wait_for(2)
    assert await receiver.quiet(0.3) == []
    assert sorted(r.path for r in requests) == ["/hooks/a", "/hooks/b"]
    assert len({r.event_id for r in requests}) == 1  # one event, delivered to each
    assert len({r.headers["dub-signature"] for r in requests}) == 2  # each with its own secret
    assert len(both) == 2


async def test_every_payload_shows_the_links_tags(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    await hooks.create(receiver.url, "link.created", "link.clicked", "lead.created")
    made = await track.client.post(
        "/tags", json={"name": "Spring", "color": "green"}, headers=track.tenant.auth
    )
    tag = made.json()
    link = await track.link(key="spring", tagIds=[tag["id"]])
    assert link["tags"] == [tag]
    click_id = await track.click(link)
    await track.lead(clickId=click_id, eventName="Sign up", customerExternalId="u1")
    sent = by_event(await receiver.wait_for(3))
    for trigger in ("link.clicked", "lead.created"):
        assert envelope(sent[trigger], trigger)["link"]["tags"] == [tag]
    assert envelope(sent["link.created"], "link.created")["tags"] == [tag]
    events = await track.client.get("/events?event=clicks", headers=track.tenant.auth)
    assert [event["link"]["tags"] for event in events.json()] == [[tag]]
