"""Fold lag: how long after its 2xx an event shows in the link's counters and in /analytics.

While a scenario's load runs, a probe records one click (a redirect by a new visitor) and one
lead (`POST /track/lead`) on a link of its own that the load never touches, one after the
other, and after each polls `GET /links/info` and `GET /analytics?event=composite` until the
link's count has grown by one. The lag of a view is from the event's answer to the arrival of
the first answer that shows it (an upper bound: it includes that answer's own latency under
the load). The probe's keys are its own, so it never spends the load's rate limits.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"
POLL_EVERY = 0.02  # seconds between polls of one view
GIVE_UP = 10.0  # seconds after which an event counts as not shown (and its lag as this)
PAUSE = 0.2  # seconds between probes


@dataclass
class Lags:
    counters: list[float] = field(default_factory=list)
    analytics: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float | int]:
        both = self.counters + self.analytics
        if not both:
            return {"probes": 0}
        return {
            "probes": len(self.counters),
            "counters_p50_ms": _ms(statistics.median(self.counters)),
            "counters_p99_ms": _ms(_p99(self.counters)),
            "analytics_p50_ms": _ms(statistics.median(self.analytics)),
            "analytics_p99_ms": _ms(_p99(self.analytics)),
            "max_ms": _ms(max(both)),
        }


@dataclass(frozen=True)
class Target:
    base: str
    keys: list[str]  # the probe's own; spread over to stay under /analytics' rate limit
    link_id: str
    path: str


class Probe:
    """Runs in a thread beside the load, from `start` to `stop`."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.lags = Lags()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._polls = 0
        self._visitors = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> Lags:
        self._stop.set()
        self._thread.join()
        return self.lags

    def _run(self) -> None:
        with httpx.Client(base_url=self.target.base, timeout=GIVE_UP) as http:
            seen = self._counts(http)
            while not self._stop.is_set():
                click_id = self._click(http)
                seen = self._await_change(http, seen, "clicks")
                self._lead(http, click_id)
                seen = self._await_change(http, seen, "leads")
                self._stop.wait(PAUSE)

    def _click(self, http: httpx.Client) -> str:
        self._visitors += 1
        n = self._visitors
        address = f"198.18.{n // 256 % 256}.{n % 256}"
        headers = {"X-Forwarded-For": address, "User-Agent": BROWSER}
        http.cookies.clear()  # a new visitor: the last one's click cookie would make it a repeat
        visit = http.get(self.target.path, headers=headers)
        return parse_qs(urlsplit(visit.headers["location"]).query)["dub_id"][0]

    def _lead(self, http: httpx.Client, click_id: str) -> None:
        body = {"clickId": click_id, "eventName": "Probe", "customerExternalId": f"probe-{id(self)}"
                f"-{self._visitors}"}  # fmt: skip
        http.post("/track/lead", json=body, headers=self._auth()).raise_for_status()

    def _await_change(
        self, http: httpx.Client, before: dict[str, tuple[int, int]], what: str
    ) -> dict[str, tuple[int, int]]:
        """Polls both views until each shows one more `what`; records their lags."""
        answered = time.monotonic()
        wanted = {view: counts[0 if what == "clicks" else 1] + 1 for view, counts in before.items()}
        shown: dict[str, float] = {}
        now = before
        while len(shown) < len(wanted) and time.monotonic() - answered < GIVE_UP:
            now = self._counts(http)
            arrived = time.monotonic()
            for view, counts in now.items():
                if view not in shown and counts[0 if what == "clicks" else 1] >= wanted[view]:
                    shown[view] = arrived - answered
            time.sleep(POLL_EVERY)
        self.lags.counters.append(shown.get("counters", GIVE_UP))
        self.lags.analytics.append(shown.get("analytics", GIVE_UP))
        return now

    def _counts(self, http: httpx.Client) -> dict[str, tuple[int, int]]:
        """(clicks, leads) as each view shows them."""
        params = {"linkId": self.target.link_id}
        info = http.get("/links/info", params=params, headers=self._auth()).json()
        composite = {"event": "composite", "interval": "all", **params}
        totals = http.get("/analytics", params=composite, headers=self._auth()).json()
        return {
            "counters": (int(info["clicks"]), int(info["leads"])),
            "analytics": (int(totals["clicks"]), int(totals["leads"])),
        }

    def _auth(self) -> dict[str, str]:
        self._polls += 1
        return {"Authorization": f"Bearer {self.target.keys[self._polls % len(self.target.keys)]}"}


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
