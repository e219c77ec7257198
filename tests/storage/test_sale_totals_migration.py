"""Migration 0006 carries every sale total over exactly: integer totals split as they are,
totals that SQLite had already turned into floats recounted from the sales, and rollups
that are missing (a database from before 0004) or broken rebuilt from the events."""

from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from clicktrail.config import Settings
from clicktrail.storage import totals
from clicktrail.storage.migrate import alembic_config, upgrade
from tests.support import Tenant, connected, fetch, folded, make_tenant
from tests.tracking.helpers import Tracker, serving

ROLLUPS = (
    "SELECT workspace_id, link_id, dim, grain, bucket, value, clicks, leads, sales, "
    "sale_amount_high, sale_amount_low FROM rollups"
)
OVERFLOWED = 9.41354946711773e18  # what SQLite stored when a total passed 2**63 - 1


async def test_totals_survive_the_migration_exactly(settings: Settings) -> None:
    tenants = [await make_tenant(settings, slug) for slug in ("kept", "unbuilt", "broken")]
    for tenant in tenants:
        async with serving(settings, tenant) as track:
            await _sell(track)
            await folded(settings)
    before = await _totals(settings)

    await _migrate(settings, "downgrade", "0005")
    await _damage(settings, tenants)
    await upgrade(settings.database_url)

    assert await _totals(settings) == before


async def _sell(track: Tracker) -> None:
    """A link with sales of small and of the largest amounts, and one without any."""
    link = await track.link()
    await track.lead(clickId=await track.click(link), eventName="Sign up", customerExternalId="u")
    for amount in (4900, 2**53 - 1, 2**53 - 1, 7):
        await track.sale(customerExternalId="u", amount=amount)
    await track.click(await track.link())


async def _totals(settings: Settings) -> dict[str, Any]:
    links = await fetch(settings, "SELECT id, sale_amount_high, sale_amount_low FROM links")
    customers = await fetch(settings, "SELECT id, sale_amount_high, sale_amount_low FROM customers")
    rollups = {
        tuple(row.values())[:6]: (row["clicks"], row["leads"], row["sales"], _joined(row))
        for row in await fetch(settings, ROLLUPS)
    }
    assert any(amount > 2**54 for *_, amount in rollups.values())
    return {
        "links": {row["id"]: _joined(row) for row in links},
        "customers": {row["id"]: _joined(row) for row in customers},
        "rollups": rollups,
    }


def _joined(row: dict[str, Any]) -> int:
    return totals.join(row["sale_amount_high"], row["sale_amount_low"])


async def _damage(settings: Settings, tenants: list[Tenant]) -> None:
    """What a database at 0005 may hold: no rollups for a workspace, and on SQLite totals
    that overflowed into floats."""
    kept, unbuilt, broken = (tenant.workspace_id for tenant in tenants)
    await _execute(settings, "DELETE FROM rollups WHERE workspace_id = :w", w=unbuilt)
    if settings.database_url.startswith("sqlite"):
        for statement in (
            "UPDATE links SET sale_amount = :v WHERE sale_amount > 0",
            "UPDATE customers SET sale_amount = :v WHERE sale_amount > 0",
            "UPDATE rollups SET sale_amount = :v WHERE workspace_id = :w AND dim = ''",
        ):
            await _execute(settings, statement, v=OVERFLOWED, w=broken)
    rows = await fetch(
        settings, "SELECT count(*) AS n FROM rollups WHERE workspace_id = :w", w=kept
    )
    assert rows[0]["n"] > 0


async def _execute(settings: Settings, sql: str, **params: object) -> None:
    async with connected(settings) as conn:
        await conn.execute(text(sql), params)


async def _migrate(settings: Settings, action: str, revision: str) -> None:
    def run(connection: Connection) -> None:
        getattr(command, action)(alembic_config(connection), revision)

    async with connected(settings) as conn:
        await conn.run_sync(run)
