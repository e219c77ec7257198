"""Where a question's time goes: the server's own service functions run in-process over a cached
data set, every SQL statement they send timed and explained (EXPLAIN QUERY PLAN on SQLite,
EXPLAIN ANALYZE on PostgreSQL), and the rest optionally under cProfile.

    python -m bench.explain --db sqlite [--scale 1] [--question clicks_top_links] [--cprofile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bench.analytics import DATA
from bench.load import read_meta
from bench.measure import QUESTIONS, Question
from clicktrail.analytics.filters import Filters
from clicktrail.analytics.request import EventType, Selection, time_window
from clicktrail.analytics.service import GroupBy, analytics
from clicktrail.analytics.window import Interval
from clicktrail.config import Settings
from clicktrail.events.service import Page, list_events
from clicktrail.models import Workspace
from clicktrail.storage.db import Database


@dataclass(slots=True)
class Statements:
    """The statements sent while `on` is set, with their parameters and milliseconds."""

    on: bool = False
    sent: list[tuple[str, Any, float]] = field(default_factory=list)
    started: float = 0.0


def _listen(db: Database, captured: Statements) -> None:
    engine = db.reader.sync_engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(*_: Any) -> None:
        captured.started = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if captured.on:
            elapsed = (time.perf_counter() - captured.started) * 1000
            captured.sent.append((statement, parameters, elapsed))


async def _answer(
    session: AsyncSession, workspace: Workspace, question: Question, settings: Settings
) -> Any:
    params = question.params
    interval = Interval(params["interval"]) if "interval" in params else None
    chosen = Selection(
        EventType(params["event"]), time_window(workspace, interval), Filters(workspace.id)
    )
    if question.path == "/events":
        page = Page(1, int(params["limit"]), descending=True)
        return await list_events(session, chosen=chosen, page=page, settings=settings, seconds=60)
    group_by = GroupBy(params["groupBy"])
    return await analytics(session, chosen=chosen, group_by=group_by, settings=settings, seconds=60)


async def _explain(session: AsyncSession, statement: str, parameters: Any) -> list[str]:
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return [" ".join(str(value) for value in tuple(row)) for row in rows]
    rows = await connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
    return [str(row[0]) for row in rows]


async def _profile(args: argparse.Namespace) -> None:
    meta = read_meta(
        DATA / f"{'analytics' if args.db == 'sqlite' else 'postgres'}-s{args.scale:g}.json"
    )
    if meta is None:
        raise SystemExit("no cached data set: run python -m bench.analytics first")
    settings = Settings(database_url=meta.database_url)
    db = Database(settings)
    captured = Statements()
    _listen(db, captured)
    chosen = [q for q in QUESTIONS if args.question in (None, q.name)]
    try:
        async with db.read_session() as session:
            workspace = await session.get(Workspace, meta.workspace_id)
            assert workspace is not None
            for question in chosen:
                await _one(session, workspace, question, settings, captured, args)
    finally:
        await db.dispose()


async def _one(
    session: AsyncSession, workspace: Workspace, question: Question, settings: Settings,
    captured: Statements, args: argparse.Namespace,
) -> None:  # fmt: skip
    for _ in range(args.warmup):
        await _answer(session, workspace, question, settings)
    captured.sent.clear()
    captured.on = True
    profiler = cProfile.Profile() if args.cprofile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    await _answer(session, workspace, question, settings)
    if profiler is not None:
        profiler.disable()
    total = (time.perf_counter() - started) * 1000
    captured.on = False
    in_sql = sum(ms for _, _, ms in captured.sent)
    print(f"\n=== {question.name}: {total:.1f} ms in-process, {in_sql:.1f} ms in "
          f"{len(captured.sent)} statements, {total - in_sql:.1f} ms in Python")  # fmt: skip
    for statement, parameters, ms in list(captured.sent):
        print(f"\n--- {ms:.1f} ms: {' '.join(statement.split())[: args.width]}")
        if statement.lstrip().upper().startswith("SELECT"):
            for line in await _explain(session, statement, parameters):
                print(f"    {line[: args.width]}")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.cprofile_lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.explain",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--question", choices=[q.name for q in QUESTIONS])
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--width", type=int, default=400, help="characters of SQL shown")
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--cprofile-lines", type=int, default=25)
    asyncio.run(_profile(parser.parse_args()))


if __name__ == "__main__":
    main()
