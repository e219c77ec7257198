"""The instance secret: from settings, or generated once and shared through the database."""

from __future__ import annotations

from sqlalchemy import select

from clicktrail.config import Settings
from clicktrail.kit.crypto import new_secret
from clicktrail.models import InstanceSetting
from clicktrail.storage.db import Database
from clicktrail.storage.sql import insert

SECRET_NAME = "secret_key"  # noqa: S105 - the row's name, not a secret


async def instance_secret(db: Database, settings: Settings) -> bytes:
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    async with db.writer.begin() as conn:
        # Racing workers all insert-or-ignore, then all read the one value that won.
        stmt = insert(InstanceSetting.__table__, conn.dialect.name).values(
            name=SECRET_NAME, value=new_secret()
        )
        await conn.execute(stmt.on_conflict_do_nothing(index_elements=["name"]))
        value = await conn.scalar(
            select(InstanceSetting.value).where(InstanceSetting.name == SECRET_NAME)
        )
    assert value is not None
    return value.encode()
