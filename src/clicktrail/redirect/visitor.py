"""Who is visiting: client address (through trusted proxies only), agent, place and identity."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from clicktrail.config import Settings
from clicktrail.kit.crypto import keyed_hash
from clicktrail.redirect.agents import Agent, parse_agent
from clicktrail.redirect.geo import GeoIP, Place, from_headers

DEFAULT_IP = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Visitor:
    ip: str
    ua: str
    agent: Agent
    place: Place
    referer: str
    referer_url: str

    def identity(self, secret: bytes) -> str:
        """One visitor = one (IP, user agent) pair, as in Dub; keyed so it cannot be reversed."""
        return keyed_hash(secret, f"{self.ip}-{self.ua}")

    def stored_ip(self, settings: Settings, secret: bytes) -> str:
        return self.ip if settings.store_raw_ips else keyed_hash(secret, self.ip)


def client_ip(peer: str | None, headers: dict[str, str], settings: Settings) -> str:
    """The socket's peer, or the nearest untrusted X-Forwarded-For hop behind trusted proxies."""
    ip = peer or DEFAULT_IP
    if not settings.is_trusted_proxy(ip):
        return ip
    hops = [h.strip() for h in headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not settings.is_trusted_proxy(hop):
            return hop
    return hops[0] if hops else ip


def read_visitor(
    peer: str | None, headers: dict[str, str], settings: Settings, geoip: GeoIP
) -> Visitor:
    ip = client_ip(peer, headers, settings)
    ua = headers.get("user-agent", "")
    place = geoip.lookup(ip)
    if place is None:
        place = from_headers(headers) if settings.is_trusted_proxy(peer or "") else Place()
    referer_url = headers.get("referer", "")
    return Visitor(
        ip=ip,
        ua=ua,
        agent=parse_agent(ua),
        place=place,
        referer=_referer_host(referer_url),
        referer_url=unquote(referer_url) or "(direct)",
    )


def _referer_host(referer_url: str) -> str:
    if not referer_url:
        return "(direct)"
    try:
        host = urlsplit(referer_url).hostname or ""
    except ValueError:  # a malformed Referer is the visitor's business, not an error of ours
        return "(direct)"
    return host.removeprefix("www.") or "(direct)"
