"""What may be a visitor's destination: an http(s) URL with a host, safe to send in a header."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import SplitResult, urlsplit

from clicktrail.kit.hosts import fold_name, is_ipv6, to_ascii

# The WHATWG URL parser (browsers, and Dub's) reads these as the end of a host.
_NOT_IN_HOST = frozenset(" #%/:<>?@[\\]^|")
_NETLOC = re.compile(r"(?:[^@/?#\[\]]*@)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^:@/?#\[\]]+)(?::[0-9]*)?")


def split_http_url(value: str) -> SplitResult | None:
    """The parts of `value` when it is, exactly as written, an http or https URL with a valid
    host and port and no control character; else None.

    The check is of `value` itself: urlsplit quietly drops tabs and line breaks, so a URL that
    carries them would pass as its cleaned copy and then break the Location header it goes in.
    """
    if any(unicodedata.category(c) == "Cc" for c in value):
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:  # e.g. "http://[x": an unclosed IPv6 literal
        return None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    return parts if _is_netloc(parts.netloc) else None


def is_http_url(value: str) -> bool:
    return split_http_url(value) is not None


def host_of(value: str) -> str | None:
    """The folded host name (no port) of an http(s) URL, or None if `value` is not one."""
    parts = split_http_url(value)
    return fold_name(parts.hostname) if parts is not None and parts.hostname else None


def _is_netloc(netloc: str) -> bool:
    """Userinfo, a host and a port, and nothing else: urlsplit reads `[::1]junk` as `::1`."""
    match = _NETLOC.fullmatch(netloc)
    if match is None:
        return False
    host = match["host"]
    if host.startswith("["):
        return is_ipv6(host[1:-1])
    if any(c in _NOT_IN_HOST or c.isspace() for c in host):
        return False
    return to_ascii(host.lower()) is not None  # a browser must be able to look the name up
