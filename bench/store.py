"""Benchmark for issue 14's engine choice: the same analytics questions, in the same run, on a
DuckDB file loaded from the event rows, and in raw SQL on SQLite and on PostgreSQL.

    python -m bench.store --scale 0.1                    # 1M clicks, every engine
    python -m bench.store --scale 1 --engines duckdb,sqlite
    python -m bench.store --scale 0.1 --reload           # load the DuckDB file again

The event rows are bench.analytics's cached data sets (bench/.data/analytics-s<scale>.db and the
PostgreSQL database clicktrail_bench[_s<scale>]), made first if missing. The questions: every
groupBy that the data set has, with no filter, with `country`, and with `device` + `browser` +
`utm_source`, over 30 and 90 days, clicks and composite; and /events?limit=100 (clicks and
leads) with a `country` filter. Each engine is measured in a process of its own (peak RSS is
per engine) and bounded in time. Also measured: DuckDB's load rate, the cost of appending a
fold-sized batch, its file size, and what a second process may open while one has the file.
Results go to bench/.data/results-store-s<scale>.json; see bench/README.md."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import multiprocessing
import os
import re
import resource
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import duckdb

from bench.dataset import Size
from bench.load import Meta, prepare_postgres, prepare_sqlite

DATA = Path(__file__).resolve().parent / ".data"
Row = tuple[Any, ...]

# groupBy -> the click column it groups on (`k.` are the link's, which the store copies onto
# every event). Folders, tags, partners and groups are left out: the data set has none.
GROUPS: dict[str, str | None] = {
    "count": None, "timeseries": "DAY", "continents": "continent", "regions": "region",
    "countries": "country", "cities": "city", "devices": "device", "browsers": "browser",
    "os": "os", "triggers": "trigger", "referers": "referer", "referer_urls": "referer_url",
    "top_domains": "domain", "top_links": "link_id", "top_urls": "url",
    "utm_sources": "k.utm_source", "utm_mediums": "k.utm_medium",
    "utm_campaigns": "k.utm_campaign", "utm_terms": "k.utm_term", "utm_contents": "k.utm_content",
}  # fmt: skip
FILTERS = {"none": (), "country": ("country",), "three": ("device", "browser", "k.utm_source")}
WINDOWS = {"30d": 30, "90d": 90}
EVENTS = ("clicks", "composite")
# The store's one table: every event with its click's and its link's dimensions copied on.
STORE_COLUMNS = (
    "kind", "id", "workspace_id", "timestamp", "link_id", "click_id", "domain", "url",
    "continent", "country", "region", "city", "device", "browser", "os", "trigger", "referer",
    "referer_url", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "customer_id", "amount",
)  # fmt: skip
_DIMENSIONS = ("c.domain, c.url, c.continent, c.country, c.region, c.city, c.device, c.browser, "
               "c.os, c.trigger, c.referer, c.referer_url, k.utm_source, k.utm_medium, "
               "k.utm_campaign, k.utm_term, k.utm_content")  # fmt: skip
# The event rows as the store takes them, read from the SQLite data set in rowid (time) order.
EXTRACT = {
    "clicks": f"SELECT 'click', c.id, c.workspace_id, c.timestamp, c.link_id, c.id, {_DIMENSIONS},"  # noqa: S608
    " NULL, 0 FROM clicks c JOIN links k ON k.id = c.link_id ORDER BY c.rowid",
    "leads": f"SELECT 'lead', l.id, l.workspace_id, l.timestamp, l.link_id, l.click_id, "  # noqa: S608
    f"{_DIMENSIONS}, l.customer_id, 0 FROM leads l JOIN clicks c ON c.id = l.click_id "
    "JOIN links k ON k.id = l.link_id ORDER BY l.timestamp",
    "sales": f"SELECT 'sale', s.id, s.workspace_id, s.timestamp, s.link_id, s.click_id, "  # noqa: S608
    f"{_DIMENSIONS}, s.customer_id, s.amount FROM sales s JOIN clicks c ON c.id = s.click_id "
    "JOIN links k ON k.id = s.link_id ORDER BY s.timestamp",
}
LOAD_BATCH = 50_000
FOLD_BATCH = 1_000  # events the folder hands over at a time


@dataclass(frozen=True, slots=True)
class Question:
    name: str
    event: str  # clicks, composite, or events-clicks / events-leads
    group: str
    filter: str
    days: int


def questions(groups: Sequence[str] = tuple(GROUPS)) -> list[Question]:
    found = [
        Question(f"{event}/{group}/{flt}/{window}", event, group, flt, days)
        for event in EVENTS
        for group in groups
        for flt in FILTERS
        for window, days in WINDOWS.items()
    ]
    found += [Question(f"events-{kind}/limit100/country/30d", f"events-{kind}", "events",
                       "country", 30) for kind in ("clicks", "leads")]  # fmt: skip
    return found


@dataclass(frozen=True, slots=True)
class Setup:
    """What every engine's process needs to ask the same questions over the same rows."""

    sqlite_path: str
    pg_url: str
    duckdb_path: str
    workspace_id: str
    end: str  # windows are counted back from the data set's end, not from now
    values: dict[str, str]  # the filter values, chosen so that every filter matches rows
    samples: int
    budget_s: float  # per question: no more samples once this is spent (at least 3 taken)
    duckdb_memory: str
    duckdb_threads: int
    groups: tuple[str, ...]  # the groupBys asked (--groups), all by default


# ---- SQL --------------------------------------------------------------------------------------


def _key(group: str, dialect: str, alias: str) -> str:
    column = GROUPS[group]
    if column is None:
        return "'all'"
    if column == "DAY":
        return {
            "sqlite": f"substr({alias}.timestamp, 1, 10)",
            "postgresql": f"date_trunc('day', {alias}.timestamp, 'UTC')",
            "duckdb": f"date_trunc('day', {alias}.timestamp)",
        }[dialect]
    if dialect == "duckdb":
        return f"e.{column.removeprefix('k.')}"
    return column if column.startswith("k.") else f"c.{column}"


def _where(flt: str, dialect: str) -> str:
    """The filter's conditions, with :f_<column> parameters."""
    conditions = []
    for column in FILTERS[flt]:
        name = column.removeprefix("k.")
        if dialect == "duckdb":
            conditions.append(f"e.{name} = :f_{name}")
        else:
            conditions.append(f"{column if column.startswith('k.') else 'c.' + column} = :f_{name}")
    return "".join(f" AND {c}" for c in conditions)


def raw_sql(q: Question, dialect: str) -> str:
    """Today's way: SQL over the event rows; leads and sales take their click's dimensions."""
    within = "{a}.workspace_id = :ws AND {a}.timestamp >= :lo AND {a}.timestamp < :hi"
    where = _where(q.filter, dialect)
    if q.event == "events-clicks":
        return (
            f"SELECT * FROM clicks c JOIN links k ON k.id = c.link_id WHERE "  # noqa: S608
            f"{within.format(a='c')}{where} ORDER BY c.timestamp DESC, c.id DESC LIMIT 100"
        )
    if q.event == "events-leads":
        return (
            f"SELECT * FROM leads l JOIN clicks c ON c.id = l.click_id JOIN links k ON "  # noqa: S608
            f"k.id = l.link_id LEFT JOIN customers u ON u.id = l.customer_id WHERE "
            f"{within.format(a='l')}{where} ORDER BY l.timestamp DESC, l.id DESC LIMIT 100"
        )
    key_c = _key(q.group, dialect, "c")
    if q.event == "clicks":
        return (
            f"SELECT {key_c} AS g, count(*) AS clicks FROM clicks c JOIN links k ON "  # noqa: S608
            f"k.id = c.link_id WHERE {within.format(a='c')}{where} GROUP BY g"
        )
    parts = [
        f"SELECT {key_c} AS g, 1 AS clicks, 0 AS leads, 0 AS sales, 0 AS amount FROM clicks c "  # noqa: S608
        f"JOIN links k ON k.id = c.link_id WHERE {within.format(a='c')}{where}",
        f"SELECT {_key(q.group, dialect, 'l')}, 0, 1, 0, 0 FROM leads l JOIN clicks c ON "  # noqa: S608
        f"c.id = l.click_id JOIN links k ON k.id = l.link_id WHERE {within.format(a='l')}{where}",
        f"SELECT {_key(q.group, dialect, 's')}, 0, 0, 1, s.amount FROM sales s JOIN clicks c ON "  # noqa: S608
        f"c.id = s.click_id JOIN links k ON k.id = s.link_id WHERE {within.format(a='s')}{where}",
    ]
    union = " UNION ALL ".join(parts)
    return f"SELECT g, sum(clicks), sum(leads), sum(sales), sum(amount) FROM ({union}) e GROUP BY g"  # noqa: S608


def store_sql(q: Question) -> str:
    """The same question of the store's one table."""
    within = "e.workspace_id = :ws AND e.timestamp >= :lo AND e.timestamp < :hi"
    where = _where(q.filter, "duckdb")
    if q.event.startswith("events-"):
        kind = q.event.removeprefix("events-").removesuffix("s")
        return (
            f"SELECT * FROM events e WHERE e.kind = '{kind}' AND {within}{where} "  # noqa: S608
            "ORDER BY e.timestamp DESC, e.id DESC LIMIT 100"
        )
    key = _key(q.group, "duckdb", "e")
    if q.event == "clicks":
        return (
            f"SELECT {key} AS g, count(*) AS clicks FROM events e "  # noqa: S608
            f"WHERE e.kind = 'click' AND {within}{where} GROUP BY g"
        )
    return (
        f"SELECT {key} AS g, count(*) FILTER (WHERE e.kind = 'click'), "  # noqa: S608
        "count(*) FILTER (WHERE e.kind = 'lead'), count(*) FILTER (WHERE e.kind = 'sale'), "
        f"sum(e.amount) FROM events e WHERE {within}{where} GROUP BY g"
    )


def summary(q: Question, rows: Sequence[Sequence[Any]]) -> dict[str, int]:
    """Row count and totals: equal across engines when the answers agree."""
    if q.event.startswith("events-"):
        return {"rows": len(rows)}
    totals = {"rows": len(rows)}
    names = ("clicks",) if q.event == "clicks" else ("clicks", "leads", "sales", "amount")
    for i, name in enumerate(names, start=1):
        totals[name] = sum(int(row[i] or 0) for row in rows)
    return totals


def _params(setup: Setup, q: Question, stamp: Callable[[datetime], Any]) -> dict[str, Any]:
    end = datetime.fromisoformat(setup.end)
    found = {"ws": setup.workspace_id, "lo": stamp(end - timedelta(days=q.days)), "hi": stamp(end)}
    for column in FILTERS[q.filter]:
        name = column.removeprefix("k.")
        found[f"f_{name}"] = setup.values[name]
    return found


def _sqlite_stamp(at: datetime) -> str:
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _naive(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None)


# ---- timing -----------------------------------------------------------------------------------


def p90(ms: list[float]) -> float:
    ordered = sorted(ms)
    return ordered[max(0, -(-9 * len(ordered) // 10) - 1)]


def timed(setup: Setup, ask: Callable[[], Sequence[Sequence[Any]]]) -> tuple[list[float], Any]:
    """One untimed warm-up, then up to `samples` timed runs within the question's budget."""
    started = time.perf_counter()
    rows = ask()
    runs: list[float] = []
    while len(runs) < setup.samples and (
        len(runs) < 3 or time.perf_counter() - started < setup.budget_s
    ):
        began = time.perf_counter()
        rows = ask()
        runs.append((time.perf_counter() - began) * 1000)
    return runs, rows


def _record(q: Question, runs: list[float], rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    return {
        "median_ms": round(statistics.median(runs), 2),
        "p90_ms": round(p90(runs), 2),
        "samples": len(runs),
        "answer": summary(q, rows),
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- the engines, each run in a process of its own ----------------------------------------


def _partial(setup: Setup, results: dict[str, Any]) -> None:
    """The answers so far, for the parent to keep if this process is stopped at the limit."""
    Path(setup.duckdb_path).with_name(f"partial-{os.getpid()}.json").write_text(json.dumps(results))


def _fetch(conn: sqlite3.Connection | duckdb.DuckDBPyConnection, sql: str,
           params: dict[str, Any]) -> list[Any]:  # fmt: skip
    return conn.execute(sql, params).fetchall()


def run_sqlite(setup: Setup) -> dict[str, Any]:
    conn = sqlite3.connect(f"file:{setup.sqlite_path}?mode=ro", uri=True)
    results = {}
    try:
        for q in questions(setup.groups):
            sql = raw_sql(q, "sqlite")
            params = _params(setup, q, _sqlite_stamp)
            runs, rows = timed(setup, partial(_fetch, conn, sql, params))
            results[q.name] = _record(q, runs, rows)
            _partial(setup, results)
    finally:
        conn.close()
    size = sum(Path(setup.sqlite_path + end).stat().st_size for end in ("",))
    return {"questions": results, "peak_rss_mb": round(peak_rss_mb(), 1),
            "sqlite": sqlite3.sqlite_version, "file_bytes": size}  # fmt: skip


def run_postgres(setup: Setup) -> dict[str, Any]:
    return asyncio.run(_postgres(setup))


async def _postgres(setup: Setup) -> dict[str, Any]:
    conn = await asyncpg.connect(setup.pg_url)
    results = {}
    try:
        for q in questions(setup.groups):
            sql, names = _numbered(raw_sql(q, "postgresql"))
            params = _params(setup, q, lambda at: at)
            args = [params[n] for n in names]
            runs, rows = await asyncio.to_thread(timed, setup, _asker(conn, sql, args))
            results[q.name] = _record(q, runs, rows)
            _partial(setup, results)
        version = await conn.fetchval("SHOW server_version")
        size = await conn.fetchval("SELECT pg_database_size(current_database())")
    finally:
        await conn.close()
    return {"questions": results, "peak_rss_mb": None, "postgresql": str(version),
            "file_bytes": int(size)}  # fmt: skip


def _asker(conn: asyncpg.Connection, sql: str, args: list[Any]) -> Callable[[], list[Row]]:
    """A question asked from a thread of the loop that owns the connection (asyncpg is
    asynchronous; the timing loop is not)."""
    loop = asyncio.get_running_loop()

    def ask() -> list[Row]:
        return [
            tuple(r)
            for r in asyncio.run_coroutine_threadsafe(conn.fetch(sql, *args), loop).result()
        ]

    return ask


def _numbered(sql: str) -> tuple[str, list[str]]:
    """`:name` parameters as PostgreSQL's `$1, $2, …`, and the names in order."""
    names: list[str] = []

    def number(name: str) -> str:
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return re.sub(r":(\w+)", lambda m: number(m[1]), sql), names


def _duckdb(path: str, setup: Setup, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": setup.duckdb_memory,
        "threads": str(setup.duckdb_threads),
    }
    conn = duckdb.connect(path, read_only=read_only, config=config)
    conn.execute("SET enable_progress_bar = false")
    return conn


def run_duckdb(setup: Setup) -> dict[str, Any]:
    conn = _duckdb(setup.duckdb_path, setup, read_only=True)
    results = {}
    try:
        for q in questions(setup.groups):
            sql = re.sub(r":(\w+)", r"$\1", store_sql(q))  # DuckDB names parameters $name
            params = _params(setup, q, _naive)
            runs, rows = timed(setup, partial(_fetch, conn, sql, params))
            results[q.name] = _record(q, runs, rows)
            _partial(setup, results)
    finally:
        conn.close()
    return {"questions": results, "peak_rss_mb": round(peak_rss_mb(), 1),
            "duckdb": duckdb.__version__,
            "file_bytes": Path(setup.duckdb_path).stat().st_size}  # fmt: skip


# ---- loading and appending to the store ---------------------------------------------------


def _store_schema(conn: duckdb.DuckDBPyConnection) -> None:
    columns = ", ".join(
        f"{c} {'TIMESTAMP' if c == 'timestamp' else 'BIGINT' if c == 'amount' else 'VARCHAR'}"
        for c in STORE_COLUMNS
    )
    conn.execute(f"CREATE TABLE events ({columns})")
    # The folder's watermark, in the same file and written in the same transaction as the rows.
    conn.execute("CREATE TABLE watermark (kind VARCHAR PRIMARY KEY, seq BIGINT)")


def _batches(source: sqlite3.Connection, sql: str) -> Iterator[list[Row]]:
    cursor = source.execute(sql)
    while batch := cursor.fetchmany(LOAD_BATCH):
        yield batch


def load_duckdb(setup: Setup) -> dict[str, Any]:
    """The store rebuilt from the event rows: read from SQLite, handed to DuckDB as CSV and
    COPYed in (DuckDB's bulk path; its Python executemany is row at a time)."""
    path = Path(setup.duckdb_path)
    for stale in (path, Path(f"{path}.wal")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    source = sqlite3.connect(f"file:{setup.sqlite_path}?mode=ro", uri=True)
    conn = _duckdb(str(path), setup)
    rows = 0
    try:
        _store_schema(conn)
        with tempfile.TemporaryDirectory(dir=DATA) as tmp:
            staging = Path(tmp) / "batch.csv"
            for sql in EXTRACT.values():
                for batch in _batches(source, sql):
                    with staging.open("w", newline="") as out:
                        csv.writer(out).writerows(batch)
                    conn.execute(f"COPY events FROM '{staging}' {_CSV}")
                    rows += len(batch)
        conn.execute("INSERT INTO watermark VALUES ('events', ?)", [rows])
        conn.execute("CHECKPOINT")
    finally:
        conn.close()
        source.close()
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": round(seconds, 1), "rows_per_s": round(rows / seconds),
            "file_bytes": path.stat().st_size, "peak_rss_mb": round(peak_rss_mb(), 1)}  # fmt: skip


def fold_batch(n: int, start: datetime, tag: str) -> list[Row]:
    """`n` click events after the data set's end, as the folder would hand them over."""
    return [
        ("click", f"{tag}{i:08d}", "ws_append", start + timedelta(milliseconds=i), "link_x",
         f"{tag}{i:08d}", "bench.link", "https://example.com", "NA", "US", "US-CA",
         "San Francisco", "Mobile", "Chrome", "iOS", "link", "(direct)", "(direct)",
         None, None, None, None, None, None, 0)
        for i in range(n)
    ]  # fmt: skip


def _append_rows(conn: duckdb.DuckDBPyConnection, batch: list[Row]) -> None:
    marks = ", ".join("?" for _ in STORE_COLUMNS)
    conn.executemany(f"INSERT INTO events VALUES ({marks})", batch)  # noqa: S608


def _append_columns(conn: duckdb.DuckDBPyConnection, batch: list[Row]) -> None:
    """One statement: a list parameter per column, unnested side by side."""
    unnested = ", ".join(f"unnest(${n})" for n in range(1, len(STORE_COLUMNS) + 1))
    conn.execute(
        f"INSERT INTO events SELECT {unnested}", [list(c) for c in zip(*batch, strict=True)]
    )


def _append_csv(conn: duckdb.DuckDBPyConnection, batch: list[Row]) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".csv", newline="", dir=DATA) as staging:
        csv.writer(staging).writerows(batch)
        staging.flush()
        conn.execute(f"COPY events FROM '{staging.name}' {_CSV}")


_CSV = "(FORMAT csv, HEADER false, AUTO_DETECT false, NULL '')"
APPENDS: dict[str, Callable[[duckdb.DuckDBPyConnection, list[Row]], None]] = {
    "executemany": _append_rows, "column_lists": _append_columns, "csv_copy": _append_csv,
}  # fmt: skip


def append_duckdb(setup: Setup, batches: int) -> dict[str, Any]:
    """The fold's path: a 1,000-event batch and its watermark in one transaction, three ways
    (executemany is slow, so it gets 3 batches); the appended rows are deleted afterwards."""
    conn = _duckdb(setup.duckdb_path, setup)
    end = datetime.fromisoformat(setup.end).astimezone(UTC).replace(tzinfo=None)
    found: dict[str, Any] = {}
    appended = 0
    try:
        for method, append in APPENDS.items():
            runs = []
            for n in range(min(3, batches) if method == "executemany" else batches):
                batch = fold_batch(FOLD_BATCH, end + timedelta(hours=n + 1), f"{method[:2]}{n}")
                began = time.perf_counter()
                conn.execute("BEGIN")
                append(conn, batch)
                conn.execute("UPDATE watermark SET seq = seq + ? WHERE kind = 'events'",
                             [len(batch)])  # fmt: skip
                conn.execute("COMMIT")
                runs.append((time.perf_counter() - began) * 1000)
                appended += len(batch)
            found[method] = {"median_ms": round(statistics.median(runs), 1),
                             "p90_ms": round(p90(runs), 1), "batches": len(runs)}  # fmt: skip
        size = Path(setup.duckdb_path).stat().st_size
        conn.execute("DELETE FROM events WHERE workspace_id = 'ws_append'")
        conn.execute("UPDATE watermark SET seq = seq - ? WHERE kind = 'events'", [appended])
        conn.execute("CHECKPOINT")
    finally:
        conn.close()
    return found | {"file_bytes_after_appends": size}


# ---- several processes and one file -------------------------------------------------------


def _try_open(path: str, read_only: bool) -> str:
    try:
        duckdb.connect(path, read_only=read_only).close()
    except duckdb.Error as error:
        return f"refused: {type(error).__name__}: {str(error).splitlines()[0][:160]}"
    return "opened"


def _hold_and_ask(path: str, hold_read_only: bool, ask_read_only: bool) -> str:
    """This process holds the file open (appending if it holds it for writing) while a second
    process tries to open it."""
    conn = duckdb.connect(path, read_only=hold_read_only)
    try:
        if not hold_read_only:
            conn.execute("BEGIN")
            conn.execute("UPDATE watermark SET seq = seq WHERE kind = 'events'")
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=context) as other:
            return other.submit(_try_open, path, ask_read_only).result(timeout=120)
    finally:
        conn.close()


def processes(setup: Setup) -> dict[str, Any]:
    """What a second process may do while one has the file, and what opening it costs (the
    price of a worker that opens the file per request instead of asking its owner)."""
    path = setup.duckdb_path
    found: dict[str, Any] = {
        "writer_open, reader read_only": _hold_and_ask(path, False, True),
        "writer_open, second writer": _hold_and_ask(path, False, False),
        "reader read_only, writer": _hold_and_ask(path, True, False),
        "reader read_only, second reader read_only": _hold_and_ask(path, True, True),
    }
    opens = []
    for _ in range(10):
        began = time.perf_counter()
        conn = duckdb.connect(path, read_only=True)
        conn.execute("SELECT count(*) FROM watermark").fetchall()
        conn.close()
        opens.append((time.perf_counter() - began) * 1000)
    found["open_query_close_ms"] = {"median": round(statistics.median(opens), 1),
                                    "p90": round(p90(opens), 1)}  # fmt: skip
    return found


def duckdb_all(setup: Setup, appends: int) -> dict[str, Any]:
    """The questions, then the appends and the processes; the load ran in a process before."""
    found = run_duckdb(setup)
    found["append"] = append_duckdb(setup, appends)
    found["processes"] = processes(setup)
    found["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return found


# ---- the run ----------------------------------------------------------------------------------


def filter_values(sqlite_path: str) -> dict[str, str]:
    """The most common country, and the most common (device, browser, utm_source) together."""
    conn = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        (country,) = conn.execute(
            "SELECT country FROM clicks GROUP BY country ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        device, browser, source = conn.execute(
            "SELECT c.device, c.browser, k.utm_source FROM clicks c JOIN links k ON "
            "k.id = c.link_id WHERE k.utm_source IS NOT NULL GROUP BY 1, 2, 3 "
            "ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return {"country": country, "device": device, "browser": browser, "utm_source": source}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.store", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--scale", type=float, default=0.1, help="1 = 10M clicks (default 0.1)")
    parser.add_argument("--engines", default="duckdb,sqlite,postgres")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=10, help="timed runs per question")
    parser.add_argument(
        "--budget",
        type=float,
        default=3.0,
        help="seconds per question after which sampling stops (3 runs at least)",
    )
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per engine")
    parser.add_argument("--reload", action="store_true", help="load the DuckDB file again")
    parser.add_argument("--appends", type=int, default=20, help="fold batches appended")
    parser.add_argument("--duckdb-memory", default="256MB", help="DuckDB's memory_limit")
    parser.add_argument("--duckdb-threads", type=int, default=2)
    parser.add_argument("--groups", default=",".join(GROUPS), help="the groupBys asked")
    parser.add_argument("--label", help="results go to results-store-s<scale>-<label>.json")
    parser.add_argument("--show", action="store_true", help="print the last results, run nothing")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    return parser


def main() -> None:
    args = _parser().parse_args()
    DATA.mkdir(exist_ok=True)
    if args.show:
        shown = json.loads(_results(args.scale, args.label).read_text())
        print(table(shown) + "\n\n" + digest(shown))
        return
    engines = args.engines.split(",")
    size = Size.scaled(args.scale)
    meta = asyncio.run(prepare_sqlite(DATA, size, args.scale, args.seed, fresh=False))
    pg_meta: Meta | None = None
    if "postgres" in engines:
        pg_meta = asyncio.run(prepare_postgres(DATA, args.pg, size, args.scale, args.seed,
                                               fresh=False))  # fmt: skip
    sqlite_path = meta.database_url.removeprefix("sqlite:///")
    setup = Setup(
        sqlite_path=sqlite_path, pg_url=pg_meta.database_url if pg_meta else "",
        duckdb_path=str(DATA / f"store-s{args.scale:g}.duckdb"), workspace_id=meta.workspace_id,
        end=meta.end, values=filter_values(sqlite_path), samples=args.samples,
        budget_s=args.budget, duckdb_memory=args.duckdb_memory,
        duckdb_threads=args.duckdb_threads, groups=tuple(args.groups.split(",")),
    )  # fmt: skip
    result: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": args.scale, "cpus": os.cpu_count(),
        "dataset": {"clicks": meta.clicks, "leads": meta.leads, "sales": meta.sales,
                    "links": meta.links, "end": meta.end},
        "setup": asdict(setup), "engines": _earlier(args.scale, args.label),
    }  # fmt: skip
    if pg_meta is not None and pg_meta.workspace_id != meta.workspace_id:
        result["note"] = "the PostgreSQL data set has its own workspace id; its answers still agree"
    for engine in engines:
        print(f"{engine}: measuring (at most {args.timeout:g} s)", flush=True)
        loaded = _loaded(setup, args) if engine == "duckdb" else {}
        found = _in_process(engine, setup, pg_meta, args) | loaded
        result["engines"][engine] = found | {"measured_at": datetime.now(UTC).isoformat()}
        _write(result, _results(args.scale, args.label))
    print(table(result) + "\n\n" + digest(result))


def _loaded(setup: Setup, args: argparse.Namespace) -> dict[str, Any]:
    """The DuckDB file loaded in a process of its own (its peak RSS is the load's), if asked or
    missing; else the earlier load's figures are kept."""
    if not args.reload and Path(setup.duckdb_path).exists():
        earlier: dict[str, Any] = _earlier(args.scale, args.label).get("duckdb", {})
        return {"load": earlier["load"]} if "load" in earlier else {}
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    try:
        load = pool.submit(load_duckdb, setup).result(timeout=args.timeout)
    finally:
        pool.shutdown(wait=True)
    print(f"  duckdb: loaded {load}", flush=True)
    return {"load": load}


def _in_process(engine: str, setup: Setup, pg_meta: Meta | None,
                args: argparse.Namespace) -> dict[str, Any]:  # fmt: skip
    """One engine in a fresh process: its peak RSS is its own, and it is stopped at the time
    limit."""
    if engine == "postgres":
        assert pg_meta is not None
        setup = Setup(**asdict(setup) | {"workspace_id": pg_meta.workspace_id, "end": pg_meta.end})
    works: dict[str, Callable[..., dict[str, Any]]] = {
        "sqlite": run_sqlite, "postgres": run_postgres, "duckdb": duckdb_all,
    }  # fmt: skip
    work = works[engine]
    extra = (args.appends,) if engine == "duckdb" else ()
    started = time.perf_counter()
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    try:
        found = pool.submit(work, setup, *extra).result(timeout=args.timeout)
    except FutureTimeout:
        pids = list(getattr(pool, "_processes", {}))
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        found = {"error": f"stopped after {args.timeout:g} s", "questions": _partials(pids)}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    found["seconds"] = round(time.perf_counter() - started, 1)
    return found


def _partials(pids: list[int]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for pid in pids:
        path = DATA / f"partial-{pid}.json"
        if path.exists():
            found |= json.loads(path.read_text())
            path.unlink()
    return found


def _results(scale: float, label: str | None = None) -> Path:
    return DATA / f"results-store-s{scale:g}{'-' + label if label else ''}.json"


def _earlier(scale: float, label: str | None) -> dict[str, Any]:
    """Engines measured by earlier runs at this scale: a run of some engines keeps the others'."""
    try:
        found: dict[str, Any] = json.loads(_results(scale, label).read_text())["engines"]
    except (OSError, ValueError, KeyError):
        return {}
    return found


def _write(result: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")


def _asked(result: dict[str, Any], engines: list[str]) -> list[Question]:
    """The questions that every engine answered (a run may ask fewer, or be stopped)."""
    return [q for q in questions()
            if all(q.name in result["engines"][e]["questions"] for e in engines)]  # fmt: skip


def digest(result: dict[str, Any]) -> str:
    """Per event, filter and window: the worst median and worst p90 over the groupBys, in a
    Markdown table (as in docs/architecture.md), and how many answers agree across engines."""
    engines = [e for e, r in result["engines"].items() if "questions" in r]
    head = "| question | " + " | ".join(f"{e} worst median / p90 (ms)" for e in engines)
    lines = [head + " | answers agree |", "|---" * (len(engines) + 2) + "|"]
    cells: dict[str, list[Question]] = {}
    for q in _asked(result, engines):
        cells.setdefault(f"{q.event}, filter {q.filter}, {q.days} days", []).append(q)
    for label, group in cells.items():
        row = [label]
        for e in engines:
            found = [result["engines"][e]["questions"][q.name] for q in group]
            row.append(f"{max(f['median_ms'] for f in found):,.0f} / "
                       f"{max(f['p90_ms'] for f in found):,.0f}")  # fmt: skip
        agree = sum(
            all(result["engines"][e]["questions"][q.name]["answer"]
                == result["engines"][engines[0]]["questions"][q.name]["answer"] for e in engines)
            for q in group
        )  # fmt: skip
        lines.append("| " + " | ".join(row) + f" | {agree}/{len(group)} |")
    return "\n".join(lines)


def table(result: dict[str, Any]) -> str:
    """Per question: each engine's median/p90, and whether the totals agree."""
    engines = [e for e, r in result["engines"].items() if "questions" in r]
    asked = _asked(result, engines)
    head = f"{'question':<44}" + "".join(f" {e + ' med/p90':>20}" for e in engines) + "  agree"
    lines = [head]
    for q in asked:
        cells, answers = [], []
        for e in engines:
            found = result["engines"][e]["questions"][q.name]
            cells.append(f" {found['median_ms']:>9.1f}/{found['p90_ms']:<9.1f}")
            answers.append(found["answer"])
        agree = "yes" if all(a == answers[0] for a in answers) else "NO"
        lines.append(f"{q.name:<44}{''.join(cells)}  {agree}")
    for e in engines:
        r = result["engines"][e]
        meds = [x["median_ms"] for x in r["questions"].values()]
        p90s = [x["p90_ms"] for x in r["questions"].values()]
        lines.append(f"{e}: worst median {max(meds):,.1f} ms, worst p90 {max(p90s):,.1f} ms, "
                     f"file {r.get('file_bytes', 0) / 1e6:,.0f} MB, peak RSS "
                     f"{r.get('peak_rss_mb')} MB")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    main()
