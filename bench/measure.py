"""The questions: asked of the real server over HTTP, and the same questions asked of the raw
event rows directly in the database, the baseline each server timing is compared with."""

from __future__ import annotations

import re
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import servers

WINDOW = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Question:
    name: str
    path: str
    params: dict[str, str]
    target_ms: float


def _analytics(event: str, group_by: str) -> dict[str, str]:
    return {"event": event, "groupBy": group_by, "interval": "30d"}


QUESTIONS = (
    Question("clicks_timeseries", "/analytics", _analytics("clicks", "timeseries"), 100),
    Question("composite_timeseries", "/analytics", _analytics("composite", "timeseries"), 100),
    Question("clicks_top_links", "/analytics", _analytics("clicks", "top_links"), 100),
    Question("composite_top_links", "/analytics", _analytics("composite", "top_links"), 100),
    Question("clicks_events", "/events", {"event": "clicks", "limit": "100"}, 50),
    Question("leads_events", "/events", {"event": "leads", "limit": "100"}, 50),
)


@dataclass(slots=True)
class Timings:
    """Milliseconds per question, and a summary of the last answer to check the two agree."""

    ms: dict[str, list[float]] = field(default_factory=dict)
    answers: dict[str, dict[str, int]] = field(default_factory=dict)


def median(ms: list[float]) -> float:
    return statistics.median(ms)


def p90(ms: list[float]) -> float:
    ordered = sorted(ms)
    return ordered[max(0, -(-9 * len(ordered) // 10) - 1)]


# ---- the server, over HTTP -------------------------------------------------------------------


@contextmanager
def serving(database_url: str, log: Path) -> Iterator[str]:
    """`clicktrail serve` on 127.0.0.1 over the data set, as a user would start it."""
    command = servers.clicktrail(servers.free_port(), workers=1)
    env = servers.clean_env(CLICKTRAIL_DATABASE_URL=database_url)
    with servers.serving(command, env, log, "/health") as served:
        yield served.base


def ask_server(base: str, key: str, *, warmup: int, samples: int, per_second: float) -> Timings:
    """Every question in turn, `warmup + samples` rounds, one request at a time and no more
    than `per_second` of them (enterprise keys may ask analytics 16 times a second)."""
    timings = Timings({q.name: [] for q in QUESTIONS})
    gap, last = 1 / per_second, 0.0
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for round_ in range(warmup + samples):
            for question in QUESTIONS:
                time.sleep(max(0.0, last + gap - time.perf_counter()))
                last = time.perf_counter()
                response = client.get(question.path, params=question.params)
                elapsed = (time.perf_counter() - last) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"{question.name}: {response.status_code} {response.text}")
                if round_ >= warmup:
                    timings.ms[question.name].append(elapsed)
                timings.answers[question.name] = _summary(response.json())
    return timings


def _summary(body: Any) -> dict[str, int]:
    if not isinstance(body, list):
        return {}
    totals = {"rows": len(body)}
    for name in ("clicks", "leads", "sales", "saleAmount"):
        if body and isinstance(body[0], dict) and name in body[0]:
            totals[name] = sum(int(row[name]) for row in body)
    return totals


# ---- the baseline: the same questions over the raw rows, in SQL -------------------------------


_COMPOSITE = """
SELECT k, sum(clicks), sum(leads), sum(sales), sum(amount) FROM (
  SELECT KEY(c) AS k, 1 AS clicks, 0 AS leads, 0 AS sales, 0 AS amount FROM clicks c
  WHERE WITHIN(c)
  UNION ALL
  SELECT KEY(l), 0, 1, 0, 0 FROM leads l JOIN clicks c ON c.id = l.click_id WHERE WITHIN(l)
  UNION ALL
  SELECT KEY(s), 0, 0, 1, s.amount FROM sales s JOIN clicks c ON c.id = s.click_id
  WHERE WITHIN(s)
) e GROUP BY k"""
# Per question, SQL over the event rows that gives the same answer; leads and sales join their
# click, as the server's counts over raw events do. DAY, KEY and WITHIN are filled in below.
RAW_SQL = {
    "clicks_timeseries": "SELECT DAY(c) AS k, count(*) FROM clicks c WHERE WITHIN(c) GROUP BY k",
    "composite_timeseries": _COMPOSITE.replace("KEY(", "DAY("),
    "clicks_top_links": "SELECT c.link_id, count(*) AS n FROM clicks c WHERE WITHIN(c) "
    "GROUP BY c.link_id ORDER BY n DESC",
    "composite_top_links": _COMPOSITE.replace("KEY(", "LINK(") + " ORDER BY 2 DESC",
    "clicks_events": "SELECT * FROM clicks c JOIN links k ON k.id = c.link_id WHERE WITHIN(c) "
    "ORDER BY c.timestamp DESC, c.id DESC LIMIT 100",
    "leads_events": "SELECT * FROM leads l JOIN clicks c ON c.id = l.click_id "
    "JOIN links k ON k.id = l.link_id LEFT JOIN customers u ON u.id = l.customer_id "
    "WHERE WITHIN(l) ORDER BY l.timestamp DESC, l.id DESC LIMIT 100",
}
_DAY = {"sqlite": r"substr(\1.timestamp, 1, 10)",
        "postgresql": r"date_trunc('day', \1.timestamp, 'UTC')"}  # fmt: skip


def raw_sql(dialect: str) -> dict[str, str]:
    """The baseline's SQL for a dialect, with parameters :ws, :lo and :hi."""
    within = r"\1.workspace_id = :ws AND \1.timestamp >= :lo AND \1.timestamp < :hi"
    return {
        name: re.sub(
            r"WITHIN\((\w)\)",
            within,
            re.sub(r"LINK\((\w)\)", r"\1.link_id", re.sub(r"DAY\((\w)\)", _DAY[dialect], sql)),
        )
        for name, sql in RAW_SQL.items()
    }


def _raw_summary(name: str, rows: list[Any]) -> dict[str, int]:
    if name.endswith("_events") or name.endswith("_top_links"):
        return {"rows": len(rows)}
    if name == "clicks_timeseries":
        return {"clicks": sum(int(row[1]) for row in rows)}
    keys = ("clicks", "leads", "sales", "saleAmount")
    return {k: sum(int(row[i + 1] or 0) for row in rows) for i, k in enumerate(keys)}


def _samples_for(name: str, aggregate: int, lookup: int) -> int:
    return lookup if name.endswith("_events") else aggregate


def ask_sqlite(path: Path, workspace_id: str, *, aggregate: int, lookup: int) -> Timings:
    """The baseline on SQLite, through the standard library's driver, read-only."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    timings = Timings()
    try:
        for name, sql in raw_sql("sqlite").items():
            runs = []
            for n in range(1 + _samples_for(name, aggregate, lookup)):  # one warm-up
                params = {"ws": workspace_id} | _window(_sqlite_stamp)
                started = time.perf_counter()
                rows = conn.execute(sql, params).fetchall()
                if n:
                    runs.append((time.perf_counter() - started) * 1000)
            timings.ms[name], timings.answers[name] = runs, _raw_summary(name, rows)
            print(f"  raw {name}: median {median(runs):,.1f} ms", flush=True)
    finally:
        conn.close()
    return timings


async def ask_postgres(url: str, workspace_id: str, *, aggregate: int, lookup: int) -> Timings:
    """The baseline on PostgreSQL, through asyncpg (the server's own driver)."""
    conn = await _pg_connect(url)
    timings = Timings()
    try:
        for name, sql in raw_sql("postgresql").items():
            numbered = re.sub(r":(ws|lo|hi)\b", lambda m: f"${_POSITIONS[str(m[1])]}", sql)
            runs = []
            for n in range(1 + _samples_for(name, aggregate, lookup)):
                window = _window(lambda at: at)
                started = time.perf_counter()
                rows = await conn.fetch(numbered, workspace_id, window["lo"], window["hi"])
                if n:
                    runs.append((time.perf_counter() - started) * 1000)
            timings.ms[name], timings.answers[name] = runs, _raw_summary(name, list(rows))
            print(f"  raw {name}: median {median(runs):,.1f} ms", flush=True)
    finally:
        await conn.close()
    return timings


_POSITIONS = {"ws": 1, "lo": 2, "hi": 3}


def _window(stamp: Callable[[datetime], Any]) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"lo": stamp(now - WINDOW), "hi": stamp(now)}


def _sqlite_stamp(at: datetime) -> str:
    return at.replace(tzinfo=None).isoformat(" ", "microseconds")


async def _pg_connect(url: str) -> asyncpg.Connection:
    conn: asyncpg.Connection = await asyncpg.connect(url)
    return conn
