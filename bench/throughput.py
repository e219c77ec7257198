"""Throughput of redirects and conversion tracking, against the ceiling of a bare ASGI app
answering 302 in the same run, with the same load generator and settings.

    python -m bench.throughput [--db sqlite|postgres|both] [--duration 10] [--connections 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench import foldlag, servers, wrk
from bench.load import pg_connection, tenant_keys
from clicktrail.storage.migrate import upgrade
from clicktrail.storage.urls import async_url

DATA = Path(__file__).resolve().parent / ".data"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
LINKS = 20


@dataclass(frozen=True)
class Scenario:
    name: str
    script: str
    table: str | None  # where each answered request leaves one row, if anywhere
    mode: str


SCENARIOS = (
    Scenario("redirect, new visitors", "redirect.lua", "clicks", "new"),
    Scenario("redirect, repeat visitor", "redirect.lua", None, "repeat"),
    Scenario("redirect, bots", "redirect.lua", None, "bot"),
    Scenario("track lead", "track.lua", "leads", "lead"),
    Scenario("track sale", "track.lua", "sales", "sale"),  # one hot buyer: one customer row
    Scenario("track sale, many buyers", "track.lua", "sales", "buyers"),
    Scenario("mixed 90/8/2", "track.lua", None, "mixed"),
)


LOAD_KEYS = 100  # the track calls are spread over them: each key may make 3,000 a minute
PROBE_KEYS = 16  # the fold-lag probe's own (bench/foldlag.py): /analytics allows 16/s a key
BUYERS = 200  # customers with a lead, for "track sale, many buyers"
LAG_SCENARIO = "mixed"  # the mode during which the fold lag is measured


@dataclass(frozen=True)
class Fixture:
    """What the scenarios need on a fresh database: keys, links, a click and buyers."""

    keys: list[str]
    paths: list[str]
    click_id: str
    buyer: str  # the one hot buyer
    buyers: str  # the prefix of the many buyers' ids: `<buyers>-1` to `<buyers>-BUYERS`
    probe: foldlag.Target


@dataclass(frozen=True)
class Row:
    db: str
    scenario: str
    per_second: float
    p50_ms: float
    p99_ms: float
    ratio: float
    cpu_ms: float  # the server's processor time per answered request
    failed: int
    answered: int
    rows: int | None
    fold_lag: dict[str, float | int] | None = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1)
    names = [s.name for s in SCENARIOS]
    parser.add_argument("--only", action="append", choices=names, help="this scenario only")
    args = parser.parse_args()
    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only]
    wrk.require_wrk()
    DATA.mkdir(exist_ok=True)
    load = wrk.Load(args.duration, args.connections)
    ceiling = _ceiling(load, args.workers)
    print(f"ceiling (bare ASGI 302): {ceiling.per_second:,.0f} requests/s, "
          f"p50 {ceiling.p50_ms:.1f} ms, p99 {ceiling.p99_ms:.1f} ms", flush=True)  # fmt: skip
    rows: list[Row] = []
    memory: dict[str, float] = {}
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        found, memory[db] = _measure(db, chosen, load, ceiling, args.workers)
        rows += found
    print(_table(rows, memory))
    result = {"ceiling": asdict(ceiling), "load": asdict(load), "workers": args.workers,
              "rows": [asdict(r) for r in rows], "peak_memory_mb": memory}  # fmt: skip
    (DATA / "throughput.json").write_text(json.dumps(result, indent=1))


def _ceiling(load: wrk.Load, workers: int) -> wrk.Report:
    command = servers.ceiling(servers.free_port(), workers)
    with servers.serving(command, servers.clean_env(), DATA / "ceiling.log", "/") as served:
        return wrk.run(served.base, "redirect.lua", ["new", "/x"], load)


def _measure(
    db: str, scenarios: list[Scenario], load: wrk.Load, ceiling: wrk.Report, workers: int
) -> tuple[list[Row], float]:
    with fresh_database(db) as url:
        env = servers.clean_env(CLICKTRAIL_DATABASE_URL=url, CLICKTRAIL_TRUSTED_PROXIES="127.0.0.1")
        command = servers.clicktrail(servers.free_port(), workers)
        with servers.serving(command, env, DATA / f"throughput-{db}.log", "/health") as served:
            fixture = make_fixture(
                served.base, asyncio.run(tenant_keys(url, "bench", PROBE_KEYS + LOAD_KEYS))
            )
            rows = [_scenario(db, s, served, fixture, url, load, ceiling) for s in scenarios]
            return rows, served.peak_memory_mb()


def _scenario(
    db: str, scenario: Scenario, served: servers.Served, fixture: Fixture, url: str,
    load: wrk.Load, ceiling: wrk.Report,
) -> Row:  # fmt: skip
    before = asyncio.run(_count(url, scenario.table)) if scenario.table else 0
    cpu_before = served.cpu_seconds()
    probe = foldlag.Probe(fixture.probe) if scenario.mode == LAG_SCENARIO else None
    if probe is not None:
        probe.start()
    report = wrk.run(served.base, scenario.script, wrk_args(scenario, fixture), load)
    lag = probe.stop().summary() if probe is not None else None
    cpu_ms = (served.cpu_seconds() - cpu_before) * 1000 / max(report.answered, 1)
    written = asyncio.run(_count(url, scenario.table)) - before if scenario.table else None
    ratio = report.per_second / ceiling.per_second
    row = Row(db, scenario.name, report.per_second, report.p50_ms, report.p99_ms, ratio,
              cpu_ms, report.failed, report.answered, written, lag)  # fmt: skip
    print(f"  {db}: {scenario.name}: {report.per_second:,.0f}/s", flush=True)
    return row


def wrk_args(scenario: Scenario, fixture: Fixture) -> list[str]:
    """The arguments of the scenario's script (bench/wrk/*.lua)."""
    paths = ",".join(fixture.paths)
    if scenario.script == "redirect.lua":
        return [scenario.mode, paths]
    buyer = fixture.buyers if scenario.mode == "buyers" else fixture.buyer
    run = uuid.uuid4().hex[:8]  # invoice ids and customers of this run only
    keys = ",".join(fixture.keys[PROBE_KEYS:])
    return [scenario.mode, keys, fixture.click_id, buyer, run, paths, str(BUYERS)]


def prepare(base: str, url: str) -> Fixture:
    """The workspace, its keys (made before the server's first request), links and buyers."""
    return make_fixture(base, asyncio.run(tenant_keys(url, "bench", PROBE_KEYS + LOAD_KEYS)))


def make_fixture(base: str, keys: list[str]) -> Fixture:
    auth = {"Authorization": f"Bearer {keys[0]}"}
    with httpx.Client(base_url=base, headers=auth, timeout=30) as client:
        paths = [_link(client, f"bench{n}")[1] for n in range(LINKS)]
        probe_id, probe_path = _link(client, "probe")
        visitor = {"X-Forwarded-For": "198.51.100.1", "User-Agent": "Mozilla/5.0 Safari/605.1.15"}
        visit = client.get(paths[0], headers=visitor)
        click_id = parse_qs(urlsplit(visit.headers["location"]).query)["dub_id"][0]
        for buyer in ["buyer", *(f"buyers-{n}" for n in range(1, BUYERS + 1))]:
            lead = {"clickId": click_id, "eventName": "Sign up", "customerExternalId": buyer}
            client.post("/track/lead", json=lead).raise_for_status()
    probe = foldlag.Target(base, keys[:PROBE_KEYS], probe_id, probe_path)
    return Fixture(keys, paths, click_id, "buyer", "buyers", probe)


def _link(client: httpx.Client, key: str) -> tuple[str, str]:
    body = {"url": f"https://example.com/{key}", "key": key, "trackConversion": True}
    made = client.post("/links", json=body)
    made.raise_for_status()
    return made.json()["id"], f"/{key}"


@contextmanager
def fresh_database(db: str, name: str = "throughput") -> Iterator[str]:
    """An empty, migrated database of the run's own: `bench/.data/<name>.db`, or the
    PostgreSQL database `clicktrail_<name>`."""
    if db == "sqlite":
        for stale in DATA.glob(f"{name}.db*"):
            stale.unlink()
        url = f"sqlite:///{DATA / f'{name}.db'}"
    else:
        asyncio.run(_recreate_pg(f"clicktrail_{name}"))
        url = f"{PG_SERVER}/clicktrail_{name}"
    asyncio.run(upgrade(url))
    yield url


async def _recreate_pg(database: str) -> None:
    async with pg_connection(PG_SERVER) as conn:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{database}"')


async def _count(url: str, table: str) -> int:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())  # noqa: S608
    finally:
        await engine.dispose()


def _table(rows: list[Row], memory: dict[str, float]) -> str:
    lines = [
        "| db | scenario | requests/s | p50 ms | p99 ms | / ceiling | CPU ms/request | failed "
        "| answered | rows |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        shown = "" if r.rows is None else f"{r.rows:,}"
        lines.append(
            f"| {r.db} | {r.scenario} | {r.per_second:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.ratio:.2f} | {r.cpu_ms:.2f} | {r.failed:,} | {r.answered:,} | {shown} |"
        )
    lines.append("")
    lines += [_lag_line(r) for r in rows if r.fold_lag]
    lines += [f"peak memory of the {db} server: {mb:.0f} MB" for db, mb in memory.items()]
    return "\n".join(lines)


def _lag_line(row: Row) -> str:
    lag = row.fold_lag or {}
    if not lag.get("probes"):
        return f"fold lag ({row.db}, {row.scenario}): no probe finished"
    return (
        f"fold lag ({row.db}, {row.scenario}, {lag['probes']} probes): link counters p50 "
        f"{lag['counters_p50_ms']} ms, p99 {lag['counters_p99_ms']} ms; /analytics p50 "
        f"{lag['analytics_p50_ms']} ms, p99 {lag['analytics_p99_ms']} ms; worst {lag['max_ms']} ms"
    )


if __name__ == "__main__":
    main()
