"""A redirect through a real server socket, as a browser on this machine would get it."""

from __future__ import annotations

import httpx

from clicktrail.kit.crypto import keyed_hash
from tests.conftest import BROWSER_UA
from tests.redirect.helpers import CLICK_ID, query
from tests.support import LiveServer, fetch_sync


def test_a_redirect_over_http(live_server: LiveServer) -> None:
    tenant = live_server.tenant("acme")
    with httpx.Client(base_url=live_server.url, follow_redirects=False) as http:
        created = http.post(
            "/links",
            json={"url": "https://example.com/live", "key": "live", "trackConversion": True},
            headers=tenant.auth,
        )
        assert created.status_code == 200, created.text
        response = http.get("/live?utm_source=x", headers={"User-Agent": BROWSER_UA})
        again = http.get("/live", headers={"User-Agent": BROWSER_UA})  # with the cookie now
    assert response.status_code == 302
    params = query(response.headers["location"])
    click_id = params.pop("dub_id")
    assert CLICK_ID.match(click_id)
    assert params == {"utm_source": "x"}
    assert query(again.headers["location"])["dub_id"] == click_id
    rows = fetch_sync(live_server.settings, "SELECT id, ip, link_id FROM clicks")
    assert rows == [
        {
            "id": click_id,
            "ip": keyed_hash(b"test-secret-key", "127.0.0.1"),
            "link_id": created.json()["id"],
        }
    ]
