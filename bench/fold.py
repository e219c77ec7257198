"""Fold throughput: N pending clicks, leads and sales written straight into a fresh database,
then folded by the folder, batch after batch; prints events per second.

    python -m bench.fold --db sqlite|postgresql [--events 20000]"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, text

from clicktrail import admin
from clicktrail.config import Settings
from clicktrail.folding.folder import Folder
from clicktrail.models import Link
from clicktrail.models.base import UTCDateTime
from clicktrail.storage.db import Database
from clicktrail.storage.migrate import upgrade

DAY = datetime(2026, 12, 3, tzinfo=UTC)
PG = "postgresql://postgres@127.0.0.1:5432/postgres"
COLUMNS = (
    "id, workspace_id, link_id, timestamp, domain, key, url, identity_hash, ip, continent, "
    "country, region, city, device, device_vendor, device_model, browser, browser_version, "
    "os, os_version, ua, referer, referer_url, trigger, qr"
)


async def database(kind: str) -> str:
    if kind == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/fold.db"
    else:
        name = f"ct_fold_{uuid.uuid4().hex[:8]}"
        db = Database(Settings(database_url=PG))
        async with db.writer.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await db.dispose()
        url = PG.rsplit("/", 1)[0] + f"/{name}"
    await upgrade(url)
    return url


async def seed(settings: Settings, n: int) -> None:
    async def action(ctx: admin.Context) -> str:
        ws = await admin.create_workspace(ctx, "Bench", "bench", "business")
        return str(ws["id"])

    workspace = await admin.run(settings, action)
    db = Database(settings)
    async with db.write_session() as session, session.begin():
        url = "https://e.com/?utm_source=x"
        session.add(Link(id="link_b", workspace_id=workspace, domain="b.co", key="k",
                         key_folded="k", url=url))  # fmt: skip
    async with db.writer.begin() as conn:
        rows = [
            {"id": f"c{i:015d}", "w": workspace, "country": f"C{i % 40}",
             "t": DAY + timedelta(hours=i % 24)}
            for i in range(n)
        ]  # fmt: skip
        insert = text(
            f"INSERT INTO clicks ({COLUMNS}) VALUES (:id, :w, 'link_b', :t, 'b.co', 'k', "  # noqa: S608
            "'https://e.com/?utm_source=x', :id, 'ip', 'EU', :country, 'R', 'City', "
            "'Desktop', '', '', 'Chrome', '1', 'Mac', '1', 'ua', '(direct)', '(direct)', "
            "'link', false)"
        ).bindparams(bindparam("t", type_=UTCDateTime()))
        await conn.execute(insert, rows)  # fmt: skip
    await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    settings = Settings(database_url=await database(args.db), secret_key="bench-" * 6)
    await seed(settings, args.events)
    db = Database(settings)
    folder = Folder(db)
    started = time.perf_counter()
    folds = 0
    while await folder.fold():
        folds += 1
    seconds = time.perf_counter() - started
    print(f"{args.db}: {args.events} clicks in {folds + 1} folds, {seconds:.2f} s, "
          f"{args.events / seconds:,.0f} events/s")  # fmt: skip
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
