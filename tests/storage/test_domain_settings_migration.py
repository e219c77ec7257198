"""Migration 0009 gives every domain claimed before it a `dom_` id of its own, and comes off
again cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from clicktrail.config import Settings
from clicktrail.storage.migrate import alembic_config, upgrade
from tests.support import connected, fetch, make_tenant


async def _migrate(settings: Settings, action: str, revision: str) -> None:
    def run(connection: Connection) -> None:
        getattr(command, action)(alembic_config(connection), revision)

    async with connected(settings) as conn:
        await conn.run_sync(run)


async def _columns(settings: Settings) -> set[str]:
    async with connected(settings) as conn:
        return await conn.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns("domains")}
        )


async def test_domains_claimed_before_get_ids_and_the_migration_comes_off(
    settings: Settings,
) -> None:
    tenant = await make_tenant(settings, "acme")
    await _migrate(settings, "downgrade", "0007")
    assert "not_found_url" not in await _columns(settings)
    async with connected(settings) as conn:
        for domain in ("a.test", "b.test"):
            await conn.execute(
                text(
                    "INSERT INTO domains (domain, workspace_id, created_at) "
                    "VALUES (:d, :w, CURRENT_TIMESTAMP)"
                ),
                {"d": domain, "w": tenant.workspace_id},
            )
    await upgrade(settings.database_url)
    rows = await fetch(settings, "SELECT domain, id, archived, not_found_url FROM domains")
    ids = [row["id"] for row in rows]
    assert all(str(i).startswith("dom_") for i in ids)
    assert len(set(ids)) == 2
    assert {bool(row["archived"]) for row in rows} == {False}
    await _migrate(settings, "downgrade", "0007")
    assert await _columns(settings) == {"domain", "workspace_id", "created_at"}
    await upgrade(settings.database_url)
