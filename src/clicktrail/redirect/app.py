"""The redirect, as a bare ASGI app: a FastAPI route would cost two thirds of its throughput."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote

from starlette.types import Receive, Scope, Send

from clicktrail.kit.clock import utcnow
from clicktrail.kit.ids import click_id as new_click_id
from clicktrail.redirect.clicks import ClickRow, fitted
from clicktrail.redirect.destination import chosen_target, destination
from clicktrail.redirect.pages import page
from clicktrail.redirect.resolver import CachedLink
from clicktrail.redirect.visitor import Visitor, read_visitor
from clicktrail.storage.db import is_unavailable

if TYPE_CHECKING:
    from clicktrail.runtime import Runtime

_CLICK_ID = re.compile(r"^[0-9A-Za-z]{16}$")
# Token characters besides letters, digits and `_.-~` (which quote never encodes); `%` is left
# out so that the encoding cannot be confused with a name that holds a literal `%`.
_TOKEN_MARKS = "!#$&'*+^`|"  # noqa: S105 - characters, not a password
_POWERED_BY = (b"x-powered-by", b"clicktrail - self-hosted link attribution")

log = logging.getLogger(__name__)
Refusal = tuple[int, list[tuple[bytes, bytes]], str]  # status, headers, page


def short_key(path: str) -> str:
    return path.removeprefix("/") or "_root"


def click_cookie_name(domain: str, key: str) -> str:
    """Dub's `dub_id_{domain}_{key}`, with every character that may not stand in a cookie name
    (RFC 6265: a token) percent-encoded: `:` of a port, `/` of a key. A name that is already a
    token, such as `dub_id_go.example.com_spring`, is Dub's own."""
    return f"dub_id_{quote(domain, safe=_TOKEN_MARKS)}_{quote(key, safe=_TOKEN_MARKS)}"


class RedirectApp:
    def __init__(self, runtime: Callable[[], Runtime]) -> None:
        self._runtime = runtime

    async def __call__(self, scope: Scope, _receive: Receive, send: Send) -> None:
        runtime = self._runtime()
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        key = short_key(scope["path"])
        if _is_probe(key):
            await _respond(send, 302, [(b"location", b"/?dub-no-track=1")])
            return
        try:
            domain = await runtime.link_domain(headers.get("host", ""))
            link = await runtime.resolver.resolve(domain, key)
        except Exception as error:
            if not is_unavailable(error):
                raise
            log.warning("link %s not looked up: the database is unavailable", key)
            await _respond(send, 503, [(b"retry-after", b"5")], page("unavailable"))
            return
        params = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        refusal = await _refused(runtime, domain, link, dict(params))
        if refusal is not None or link is None:
            status, extra, html = refusal or (404, [], page("not-found"))
            await _respond(send, status, extra, html)
            return
        await self._redirect(scope, send, runtime, link, headers, params)

    async def _redirect(
        self,
        scope: Scope,
        send: Send,
        runtime: Runtime,
        link: CachedLink,
        headers: dict[str, str],
        params: list[tuple[str, str]],
    ) -> None:
        query = dict(params)
        cookie_name = click_cookie_name(link.domain, link.key)
        click_id = _cookie(headers.get("cookie", ""), cookie_name)
        no_track = "dub-no-track" in query or "dub-no-track" in headers
        peer = scope["client"][0] if scope.get("client") else None
        visitor = read_visitor(peer, headers, runtime.settings, runtime.geoip)
        bot = scope["method"] == "HEAD" or bool(query.get("bot")) or visitor.agent.is_bot
        if click_id is None and not (no_track or bot):
            trigger = "qr" if query.get("qr") == "1" else "link"
            click_id = await _record_or_none(runtime, link, visitor, trigger)
        # No-track visits (previews, monitors) never carry a click id on, even one from a cookie.
        shown = None if no_track else click_id
        target = link.target(visitor.agent.os, visitor.place.country)
        target = chosen_target(target, params, runtime.settings.redir_url_allowed_hosts)
        location = destination(target, params, shown, track=link.track_conversion)
        extra = [(b"location", location.encode()), (b"x-robots-tag", b"googlebot: noindex")]
        if click_id is not None:
            path = quote(scope["path"], safe="/")  # as the visitor spelled it, or they never see it
            cookie = f"{cookie_name}={click_id}; Path={path}; Max-Age=3600; SameSite=Lax"
            extra.append((b"set-cookie", cookie.encode("latin-1")))
        await _respond(send, 301 if link.key == "_root" else 302, extra)


async def record_click(
    runtime: Runtime, link: CachedLink, visitor: Visitor, trigger: str, *, url: str
) -> str:
    """The visitor's click id on this link: the one of the last hour, or a newly recorded one."""
    identity = visitor.identity(runtime.secret)
    known = runtime.clicks.recent(link.id, identity)
    if known is not None:
        return known
    agent, place = visitor.agent, visitor.place
    row = ClickRow(
        id=new_click_id(), workspace_id=link.workspace_id, link_id=link.id, timestamp=utcnow(),
        domain=link.domain, key=link.key, url=url, identity_hash=identity,
        ip=visitor.stored_ip(runtime.settings, runtime.secret), continent=place.continent,
        country=place.country, region=place.region, city=place.city, device=agent.device,
        device_vendor=agent.device_vendor, device_model=agent.device_model,
        browser=agent.browser, browser_version=agent.browser_version, os=agent.os,
        os_version=agent.os_version, ua=visitor.ua, referer=visitor.referer,
        referer_url=visitor.referer_url, trigger=trigger, qr=trigger == "qr",
    )  # fmt: skip
    return (await runtime.clicks.record(fitted(row))).click_id


async def _record_or_none(
    runtime: Runtime, link: CachedLink, visitor: Visitor, trigger: str
) -> str | None:
    """A click that cannot be stored costs its click id, never the visitor's redirect."""
    try:
        return await asyncio.wait_for(
            record_click(runtime, link, visitor, trigger, url=link.url),
            runtime.settings.database_timeout,
        )
    except Exception:  # TimeoutError too: no click id was shown, so nothing was promised
        log.warning("click on %s/%s not recorded", link.domain, link.key, exc_info=True)
        return None


async def _refused(
    runtime: Runtime, domain: str, link: CachedLink | None, query: dict[str, str]
) -> Refusal | None:
    if link is None:
        return await _not_found(runtime, domain)
    fallback = (await _fallbacks(runtime, domain))[1] if _is_expired(link) else None
    return _refusal(link, query, fallback)


def _is_expired(link: CachedLink) -> bool:
    return link.expires_at is not None and link.expires_at <= utcnow()


def _refusal(link: CachedLink, query: dict[str, str], expired_url: str | None) -> Refusal | None:
    """Why this link must not redirect normally: disabled, expired (to its expiredUrl, else its
    domain's), or locked."""
    if link.disabled:
        return 404, [], page("not-found")
    if _is_expired(link):
        if target := link.expired_url or expired_url:
            return 302, [(b"location", target.encode())], ""
        return 410, [], page("expired")
    if link.password and query.get("pw") != link.password:
        return 401, [], page("password")
    return None


def _is_probe(key: str) -> bool:
    """Scanners' paths: keys are case-insensitive, so `/.Well-Known/x` and `/X.PHP` are too."""
    folded = key.lower()
    return folded.startswith(".well-known") or folded.endswith((".php", ".php7"))


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        k, _, v = part.strip().partition("=")
        if k == name and _CLICK_ID.match(v):
            return v
    return None


async def _fallbacks(runtime: Runtime, domain: str) -> tuple[str | None, str | None]:
    try:
        return await runtime.resolver.fallbacks(domain)
    except Exception as error:
        if not is_unavailable(error):
            raise
        return None, None


async def _not_found(runtime: Runtime, domain: str) -> Refusal:
    """An unknown key: to the domain's notFoundUrl if it has one (as Dub), else a 404 page."""
    url, _ = await _fallbacks(runtime, domain)
    if url is None:
        return 404, [], page("not-found")
    return 302, [(b"location", url.encode())], ""


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], html: str = ""
) -> None:
    body = html.encode()
    base = [_POWERED_BY, (b"content-length", str(len(body)).encode())]
    if html:
        base.append((b"content-type", b"text/html; charset=utf-8"))
    await send({"type": "http.response.start", "status": status, "headers": base + headers})
    await send({"type": "http.response.body", "body": body})
