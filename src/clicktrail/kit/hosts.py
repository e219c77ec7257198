"""Host names: the one spelling a domain is stored and looked up in, and what counts as one.

`Go.Example.com.`, `www.go.example.com` and `go.example.com:80` name one site, so they must find
one domain's links; a port other than a scheme's default stays part of the host (the shared
domain of a one-host setup is `localhost:8000`).
"""

from __future__ import annotations

import ipaddress
import re

# The `idna` package, not the stdlib codec: it implements IDNA 2008, the stdlib's codec IDNA 2003.
import idna

# The default ports of http and https. Both are dropped whatever the request's scheme: behind a
# TLS-terminating proxy the app sees http even for a request the visitor sent to :443.
DEFAULT_PORTS = frozenset({80, 443})
_HOST = re.compile(r"(?P<name>\[[0-9a-f:.]+\]|[^:\[\]]*)(?::(?P<port>[0-9]{1,5}))?")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")  # used with fullmatch: `$` would let "a\n" by
_MAX_NAME = 253


def fold_name(name: str) -> str:
    """A host name without its port, as compared: lower case, one trailing dot dropped, and an
    internationalised name as its ASCII (punycode) form, which is what a Host header carries."""
    name = name.lower().removesuffix(".")
    # Not a name IDNA can spell: left as it is, to be refused or not found.
    return to_ascii(name) or name


def to_ascii(name: str) -> str | None:
    """An internationalised name's ASCII (punycode) form, or None if IDNA 2008 cannot spell it.
    Strict, without UTS 46's mapping (`ª` to `a`): a name that only maps to a valid one is one
    that some clients (httpx among them) cannot follow in a Location header."""
    if name.isascii():
        return name
    try:
        return idna.encode(name).decode("ascii")
    except UnicodeError:
        return None


def fold_host(raw: str) -> str:
    """The form domains are stored and looked up in: `WWW.Go.Example.com.:443` is
    `go.example.com`. A string that is no host at all comes back trimmed and lower-cased."""
    host = raw.strip().lower().removeprefix("www.")
    match = _HOST.fullmatch(host)
    if match is None:
        return host
    name = fold_name(match["name"])
    port = int(match["port"]) if match["port"] else None
    return name if port is None or port in DEFAULT_PORTS else f"{name}:{port}"


def is_host(host: str) -> bool:
    """A folded host that names a site: DNS labels (letters, digits, hyphens) or an IP address,
    with an optional port from 1 to 65535."""
    match = _HOST.fullmatch(host)
    if match is None or (match["port"] is not None and not 0 < int(match["port"]) < 65536):
        return False
    name = match["name"]
    if name.startswith("["):
        return is_ipv6(name[1:-1])
    return 0 < len(name) <= _MAX_NAME and all(_LABEL.fullmatch(label) for label in name.split("."))


def is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True
