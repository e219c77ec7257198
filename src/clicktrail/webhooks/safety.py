"""Webhook URLs may not reach into the server's own network: no private, loopback, link-local
or otherwise non-public address, unless CLICKTRAIL_WEBHOOK_ALLOW_PRIVATE says so."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


class UnsafeDestination(ValueError):
    pass


def check_url(url: str) -> tuple[str, int]:
    """The host and port of an http(s) URL, or UnsafeDestination."""
    try:
        parts = urlsplit(url)
    except ValueError as error:  # e.g. an unclosed IPv6 literal, "http://[::1/"
        raise UnsafeDestination("The webhook URL is not a valid URL.") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeDestination("The webhook URL must be an http or https URL with a host.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeDestination("The webhook URL has an invalid port.") from error
    return parts.hostname, port


async def check_destination(url: str, *, allow_private: bool) -> None:
    """Every address the URL's host resolves to must be public."""
    host, port = check_url(url)
    if allow_private:
        return
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise UnsafeDestination(f"The webhook host {host} does not resolve.") from error
    for *_, address in found:
        ip = ipaddress.ip_address(address[0])
        if not ip.is_global or ip.is_multicast:
            raise UnsafeDestination(f"The webhook host {host} resolves to a non-public address.")
