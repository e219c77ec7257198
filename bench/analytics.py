"""Benchmark: /analytics and /events over 10 million clicks, 100 thousand leads and 20 thousand
sales on 1,000 links, on SQLite and on PostgreSQL, against the same questions answered from the
raw event rows in the same run.

    python -m bench.analytics --db both            # full size; the data set is cached
    python -m bench.analytics --scale 0.01         # a hundredth, to try it out
    python -m bench.analytics --db sqlite --rebuild

Targets: timeseries and top_links (30 days) under 100 ms median, /events?limit=100 under 50 ms.
Results go to bench/.data/results-<db>.json; see bench/README.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import subprocess
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import clicktrail
from bench import measure
from bench.dataset import Size
from bench.load import Meta, pg_connection, prepare_postgres, prepare_sqlite

DATA = Path(__file__).resolve().parent / ".data"
STALE_DAYS = 1  # past this, the 30-day window has moved away from the generated clicks
_PLATFORM = {
    "python": platform.python_version(),
    "machine": platform.machine(),
    "cpus": str(os.cpu_count()),
    "clicktrail": str(Path(clicktrail.__file__).parent),  # PYTHONPATH may point at a patched copy
}


def _git() -> str:
    """The commit measured; `-dirty` when the working tree differs from it."""
    command = ["git", "describe", "--always", "--dirty"]
    found = subprocess.run(command, capture_output=True, text=True, check=False, cwd=DATA.parent)  # noqa: S603
    return found.stdout.strip() or "unknown"


def main() -> None:
    args = _parser().parse_args()
    DATA.mkdir(exist_ok=True)
    size = Size.scaled(args.scale)
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        result = asyncio.run(_run(db, size, args))
        path = DATA / f"results-{db}{'-' + args.label if args.label else ''}.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(_table(result))
        print(f"results: {path}\n", flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.analytics",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full data set")
    parser.add_argument("--rebuild", action="store_true", help="generate the data set again")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=30, help="timed requests per question")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per question")
    parser.add_argument("--raw-samples", type=int, default=5,
                        help="timed runs of each raw aggregate (the slow baselines)")  # fmt: skip
    parser.add_argument("--per-second", type=float, default=10.0, help="request pace")
    parser.add_argument("--label", help="results go to results-<db>-<label>.json")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL server (its database name is replaced)")  # fmt: skip
    return parser


async def _run(db: str, size: Size, args: argparse.Namespace) -> dict[str, Any]:
    if db == "sqlite":
        meta = await prepare_sqlite(DATA, size, args.scale, args.seed, fresh=args.rebuild)
    else:
        meta = await prepare_postgres(DATA, args.pg, size, args.scale, args.seed,
                                      fresh=args.rebuild)  # fmt: skip
    _warn_if_stale(meta)
    print(f"{db}: asking the server ({args.warmup} warm-up + {args.samples} rounds, "
          f"{args.per_second:g} requests/s)", flush=True)  # fmt: skip
    with measure.serving(meta.database_url, DATA / f"server-{db}.log") as base:
        served = measure.ask_server(base, meta.api_key, warmup=args.warmup,
                                    samples=args.samples, per_second=args.per_second)  # fmt: skip
    print(f"{db}: asking the raw rows directly", flush=True)
    samples = {"aggregate": args.raw_samples, "lookup": args.samples}
    if db == "sqlite":
        path = Path(meta.database_url.removeprefix("sqlite:///"))
        raw = measure.ask_sqlite(path, meta.workspace_id, **samples)
    else:
        raw = await measure.ask_postgres(meta.database_url, meta.workspace_id, **samples)
    environment = _sqlite_environment(meta) if db == "sqlite" else await _pg_environment(meta)
    return _result(db, meta, served, raw, environment)


def _warn_if_stale(meta: Meta) -> None:
    age = (datetime.now(UTC) - meta.end_time).total_seconds() / 86400
    if age > STALE_DAYS:
        print(f"  note: the data set ends {age:.1f} days ago, so the last 30 days hold fewer "
              "clicks than generated; --rebuild makes it anew", flush=True)  # fmt: skip


def _result(db: str, meta: Meta, served: measure.Timings, raw: measure.Timings,
            environment: dict[str, str]) -> dict[str, Any]:  # fmt: skip
    questions = []
    for q in measure.QUESTIONS:
        ms, raw_ms = served.ms[q.name], raw.ms[q.name]
        questions.append({
            "name": q.name, "path": q.path, "params": q.params, "target_ms": q.target_ms,
            "median_ms": round(measure.median(ms), 2), "p90_ms": round(measure.p90(ms), 2),
            "meets_target": measure.median(ms) < q.target_ms,
            "raw_median_ms": round(measure.median(raw_ms), 2),
            "raw_over_server": round(measure.median(raw_ms) / measure.median(ms), 2),
            "answer": served.answers[q.name], "raw_answer": raw.answers[q.name],
            "samples_ms": [round(x, 2) for x in ms],
            "raw_samples_ms": [round(x, 2) for x in raw_ms],
        })  # fmt: skip
    dataset = {k: v for k, v in asdict(meta).items() if k != "api_key"}
    return {"db": db, "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "dataset": dataset, "environment": environment, "questions": questions}  # fmt: skip


def _sqlite_environment(meta: Meta) -> dict[str, str]:
    path = Path(meta.database_url.removeprefix("sqlite:///"))
    return _PLATFORM | {
        "git": _git(),
        "sqlite": sqlite3.sqlite_version,
        "file_bytes": str(path.stat().st_size),
    }


async def _pg_environment(meta: Meta) -> dict[str, str]:
    async with pg_connection(meta.database_url) as conn:
        version = await conn.fetchval("SHOW server_version")
        size = await conn.fetchval("SELECT pg_database_size(current_database())")
    return _PLATFORM | {"git": _git(), "postgresql": str(version), "database_bytes": str(size)}


def _table(result: dict[str, Any]) -> str:
    meta = result["dataset"]
    lines = [
        f"\n{result['db']}: {meta['clicks']:,} clicks, {meta['leads']:,} leads, "
        f"{meta['sales']:,} sales, {meta['links']:,} links; generated in "
        f"{meta['generate_seconds']:,.0f} s, rollups rebuilt in {meta['rebuild_seconds']:,.0f} s "
        f"({meta['rollup_rows']:,} rows)",
        f"{'question':<22} {'median':>8} {'p90':>8} {'target':>7}  {'ok':<3} "
        f"{'raw median':>11} {'raw/server':>10}",
    ]
    for q in result["questions"]:
        lines.append(
            f"{q['name']:<22} {q['median_ms']:>8.1f} {q['p90_ms']:>8.1f} {q['target_ms']:>7.0f}  "
            f"{'yes' if q['meets_target'] else 'NO':<3} {q['raw_median_ms']:>11.1f} "
            f"{q['raw_over_server']:>9.1f}x"
        )
    lines.append("(milliseconds; raw = the same question in SQL over the event rows)")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
