"""What makes a link valid: destination, key, domain and the paths the API reserves."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from clicktrail.errors import UnprocessableEntity
from clicktrail.kit.hosts import fold_host, is_host
from clicktrail.kit.urls import is_http_url

# First path segments that the API answers on a shared host; a key starting with one would be
# unreachable (DESIGN.md, "Routing one host or two").
RESERVED = frozenset({
    "api", "links", "track", "customers", "events", "analytics", "webhooks", "workspaces",
    "tokens", "domains", "tags", "folders", "qr", "metatags", "docs", "redoc", "openapi.json",
    "health", "healthz", "status", "static", "favicon.ico", "robots.txt",
    "dashboard",
})  # fmt: skip
ROOT = "_root"  # the key of a domain's root link: its short link is the bare domain
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
_KEY = re.compile(r"^[^\s?#\\]+$")
# A scheme written out (`javascript:`, `data:`, `mailto:`), not a bare host with a port
# (`localhost:3000/x`): such a URL is checked as written, and refused unless it is http(s).
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:(?![0-9]*(?:[/?#]|$))", re.IGNORECASE)
URL_RULE = "expected an http or https URL with a valid host and no control characters."


def clean_url(raw: str, field: str = "url") -> str:
    """The destination as stored: trimmed, with `https://` before a bare host, and then checked
    as it is (never a cleaned copy of it): http(s) only, a valid host, no control character."""
    url = raw.strip()
    if url and "://" not in url and not _SCHEME.match(url):
        url = "https://" + url
    if not is_http_url(url):
        raise UnprocessableEntity(
            "Invalid destination URL." if field == "url" else f"Invalid {field}: {URL_RULE}"
        )
    return url


def clean_domain(raw: str) -> str:
    domain = fold_host(raw)
    if not is_host(domain):
        raise UnprocessableEntity(
            f"Invalid domain: {raw!r}. A domain is a host name (letters, digits, hyphens and "
            "dots; international names allowed), with a port if it needs one."
        )
    return domain


def clean_key(raw: str, *, domain: str, shared_host: str) -> str:
    key = raw.strip().strip("/")
    if not key or not _KEY.match(key) or "//" in key:
        raise UnprocessableEntity(
            f"Invalid key: {raw!r}. Keys may not be empty or contain spaces, '?', '#' or '\\'."
        )
    first = key.split("/", 1)[0].lower()
    if domain == shared_host and key == ROOT:
        raise UnprocessableEntity(
            f"The key {ROOT!r} is reserved: the root of {domain} is the API's."
        )
    if first in RESERVED:  # API paths win on every host, so such a link could never be reached
        raise UnprocessableEntity(
            f"The key {key!r} is reserved: it would shadow the API path /{first}."
        )
    return key


def with_utm(url: str, utm: dict[str, str | None]) -> str:
    """Given UTM values are written into the destination's query, replacing any there."""
    parts = urlsplit(url)
    pending: dict[str, str] = {name: value for name, value in utm.items() if value}
    params: list[tuple[str, str]] = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name not in utm:
            params.append((name, value))
        elif name in pending:  # replaced where it first stood, as URLSearchParams.set does
            params.append((name, pending.pop(name)))
    params += pending.items()
    return urlunsplit(parts._replace(query=urlencode(params)))


def utm_of(url: str) -> dict[str, str | None]:
    params = dict(parse_qsl(urlsplit(url).query))
    return {name: params.get(name) for name in UTM_FIELDS}


# Link fields whose meaning clicktrail does not keep, with what to use instead.
UNKEPT = {
    "webhook_ids": "webhookIds: clicktrail's webhooks are the workspace's, not a link's.",
    "test_variants": "testVariants: clicktrail runs no A/B tests.",
    "test_started_at": "testStartedAt: clicktrail runs no A/B tests.",
    "test_completed_at": "testCompletedAt: clicktrail runs no A/B tests.",
}


def refuse_unkept(values: dict[str, object]) -> None:
    """A field that would be lost is refused, so that a link is never stored without it; an
    empty one (null, `[]`, `""`) asks for nothing and passes."""
    for name, why in UNKEPT.items():
        if values.get(name):
            raise UnprocessableEntity(f"Not supported: {why}")
