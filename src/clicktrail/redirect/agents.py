"""What a user agent string says: browser, OS, device, and whether it is a bot."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import crawleruseragents
from ua_parser import parse

# Substrings that mark an automated client even where the crawler list has no pattern for it
# (HTTP libraries and command-line tools, which Dub's own bot list also refuses).
_AUTOMATION = (
    "bot", "crawler", "spider", "scraper", "curl", "wget", "python", "httpx", "aiohttp",
    "go-http-client", "java/", "okhttp", "node-fetch", "axios", "headlesschrome", "phantomjs",
    "facebookexternalhit", "slackbot", "whatsapp", "preview",
)  # fmt: skip
# Instagram's in-app browser says "Google/google"; it is a person, not Google's crawler.
_FALSE_POSITIVES = ("Google/google",)
_TABLETS = ("ipad", "tablet", "kindle", "silk", "playbook")


@dataclass(frozen=True, slots=True)
class Agent:
    browser: str
    browser_version: str
    os: str
    os_version: str
    device: str
    device_vendor: str
    device_model: str
    is_bot: bool


@lru_cache(maxsize=4096)
def parse_agent(ua: str) -> Agent:
    """Parsing is the slow part of a redirect; real traffic repeats a few hundred strings."""
    result = parse(ua)
    agent, os_, device = result.user_agent, result.os, result.device
    return Agent(
        browser=agent.family if agent else "Unknown",
        browser_version=_version(agent.major, agent.minor) if agent else "Unknown",
        os=os_.family if os_ else "Unknown",
        os_version=_version(os_.major, os_.minor) if os_ else "Unknown",
        device=_device_type(ua),
        device_vendor=(device.brand or "Unknown") if device else "Unknown",
        device_model=(device.model or "Unknown") if device else "Unknown",
        is_bot=is_bot(ua, spider=bool(device and device.family == "Spider")),
    )


def is_bot(ua: str, *, spider: bool = False) -> bool:
    if not ua.strip():
        return True
    for false_positive in _FALSE_POSITIVES:
        ua = ua.replace(false_positive, "")
    lowered = ua.lower()
    return spider or any(s in lowered for s in _AUTOMATION) or crawleruseragents.is_crawler(ua)


def _version(major: str | None, minor: str | None) -> str:
    if not major:
        return "Unknown"
    return f"{major}.{minor}" if minor else major


def _device_type(ua: str) -> str:
    lowered = ua.lower()
    if any(t in lowered for t in _TABLETS) or ("android" in lowered and "mobile" not in lowered):
        return "Tablet"
    if "mobi" in lowered or "iphone" in lowered:
        return "Mobile"
    return "Desktop"
