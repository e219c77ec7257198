"""The few pages a visitor can see instead of a redirect."""

from __future__ import annotations

_PAGES = {
    "not-found": ("Link not found", "This short link does not exist or has been disabled."),
    "expired": ("Link expired", "This short link has expired."),
    "password": ("Password required", "This link is protected. Add ?pw=<password> to open it."),
    "unavailable": ("Try again shortly", "This link cannot be looked up right now."),
}


def page(name: str) -> str:
    title, text = _PAGES[name]
    return (
        "<!doctype html><html><head><meta charset=utf-8>"
        '<meta name="robots" content="noindex">'
        f"<title>{title}</title></head><body><h1>{title}</h1><p>{text}</p></body></html>"
    )
