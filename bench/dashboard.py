"""Benchmark: each dashboard page's time, signed in, over the analytics data set (10 million
clicks at full size), on SQLite and on PostgreSQL.

    python -m bench.dashboard --db both             # full size; the data set is cached
    python -m bench.dashboard --db sqlite --scale 0.001   # to try it out

Target: every page under 200 ms median (issue 16). The pages read the same analytics as the
API (bench/analytics.py). Results go to bench/.data/results-dashboard-<db>.json."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from bench import measure
from bench.analytics import DATA
from bench.dataset import Size
from bench.load import prepare_postgres, prepare_sqlite
from clicktrail import admin
from clicktrail.config import Settings
from clicktrail.models import Role

TARGET_MS = 200.0
PAGES = ("links", "analytics", "analytics?interval=30d&country=US", "events", "customers",
         "settings")  # fmt: skip
PASSWORD = secrets.token_urlsafe(16)


def main() -> None:
    args = _parser().parse_args()
    DATA.mkdir(exist_ok=True)
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        result = asyncio.run(_run(db, Size.scaled(args.scale), args))
        path = DATA / f"results-dashboard-{db}.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
        for page in result["pages"]:
            ok = "yes" if page["meets_target"] else "NO"
            print(f"{db:<9} {page['page']:<36} median {page['median_ms']:>7.1f} ms  "
                  f"p90 {page['p90_ms']:>7.1f} ms  under {TARGET_MS:.0f}: {ok}")  # fmt: skip
        print(f"results: {path}", flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dashboard",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full data set")
    parser.add_argument("--rebuild", action="store_true", help="generate the data set again")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=20, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per page")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    return parser


async def _run(db: str, size: Size, args: argparse.Namespace) -> dict[str, Any]:
    if db == "sqlite":
        meta = await prepare_sqlite(DATA, size, args.scale, args.seed, fresh=args.rebuild)
    else:
        meta = await prepare_postgres(DATA, args.pg, size, args.scale, args.seed,
                                      fresh=args.rebuild)  # fmt: skip
    email = f"bench-{secrets.token_hex(4)}@example.com"  # a new user each run: the set is cached
    await admin.run(
        Settings(database_url=meta.database_url),
        lambda ctx: admin.create_user(ctx, email, "bench", Role.viewer, PASSWORD),
    )
    with measure.serving(meta.database_url, DATA / f"server-dashboard-{db}.log") as base:
        timings = _ask(base, email, args.warmup, args.samples)
    return {
        "db": db, "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "clicks": meta.clicks, "leads": meta.leads, "sales": meta.sales, "links": meta.links,
        "environment": {"python": platform.python_version(), "cpus": str(os.cpu_count())},
        "target_ms": TARGET_MS,
        "pages": [
            {"page": page, "median_ms": round(measure.median(ms), 2),
             "p90_ms": round(measure.p90(ms), 2), "meets_target": measure.median(ms) < TARGET_MS,
             "samples_ms": [round(x, 2) for x in ms]}
            for page, ms in timings.items()
        ],
    }  # fmt: skip


def _ask(base: str, email: str, warmup: int, samples: int) -> dict[str, list[float]]:
    """Signed in as a browser is; each page in turn, one request at a time."""
    timings: dict[str, list[float]] = {page: [] for page in PAGES}
    with httpx.Client(base_url=base, timeout=60) as client:
        form = client.get("/dashboard/sign-in").text
        token = re.search(r'name="csrf" value="([^"]+)"', form)
        assert token is not None
        fields = {"csrf": token.group(1), "email": email, "password": PASSWORD}
        signed = client.post("/dashboard/sign-in", data=fields)
        if signed.status_code != 303:
            raise RuntimeError(f"sign-in: {signed.status_code} {signed.text[:300]}")
        for round_ in range(warmup + samples):
            for page in PAGES:
                started = time.perf_counter()
                answer = client.get(f"/dashboard/bench/{page}")
                elapsed = (time.perf_counter() - started) * 1000
                if answer.status_code != 200:
                    raise RuntimeError(f"{page}: {answer.status_code} {answer.text[:300]}")
                if round_ >= warmup:
                    timings[page].append(elapsed)
    return timings


if __name__ == "__main__":
    main()
