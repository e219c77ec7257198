from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.api_keys.cache import KeyCache
from clicktrail.api_keys.repository import APIKeyRepository
from clicktrail.errors import NotFound, Unauthorized
from clicktrail.kit.clock import utcnow
from clicktrail.kit.crypto import keyed_hash, partial_key
from clicktrail.kit.ids import nanoid
from clicktrail.models import APIKey, Workspace
from clicktrail.storage.epoch import Epoch
from clicktrail.storage.unit import after_commit

PREFIX = "dub_"  # Dub's SDKs and tools treat `dub_` keys as workspace keys (spec §5.1)
WORKSPACE_REF_MISSING = (
    "Workspace ID not found. Did you forget to include a `workspaceId` query parameter? "
    "It looks like you might be using personal API keys, we also recommend refactoring to "
    "workspace API keys: https://d.to/keys"
)


@dataclass(frozen=True, slots=True)
class NewKey:
    record: APIKey
    key: str


class APIKeyService:
    async def create(
        self,
        session: AsyncSession,
        *,
        workspace: Workspace,
        secret: bytes,
        name: str = "Default",
        expires_at: datetime | None = None,
    ) -> NewKey:
        key = PREFIX + nanoid(24)
        record = APIKey(
            workspace_id=workspace.id,
            name=name,
            hashed_key=keyed_hash(secret, key),
            partial_key=partial_key(key),
            expires_at=expires_at,
        )
        await APIKeyRepository(session).add(record)
        return NewKey(record=record, key=key)

    async def authenticate(
        self, keys: KeyCache, *, key: str, hashed_key: str, has_workspace_ref: bool
    ) -> Workspace:
        """The workspace a key belongs to, or the §5.1 error for it."""
        if not key.startswith(PREFIX) and not has_workspace_ref:
            raise NotFound(WORKSPACE_REF_MISSING)
        known = await keys.find(hashed_key)
        if known is None:
            raise Unauthorized("Unauthorized: Invalid API key.")
        if known.expires_at is not None and known.expires_at < utcnow():
            raise Unauthorized("Unauthorized: Access token expired.")
        return known.workspace

    async def revoke(
        self, session: AsyncSession, *, workspace: Workspace, key_id: str, epoch: Epoch
    ) -> None:
        """Deleted, and every worker's remembered keys dropped once the deletion is committed."""
        if not await APIKeyRepository(session).delete(workspace_id=workspace.id, key_id=key_id):
            raise NotFound(f"API key {key_id!r} not found in workspace {workspace.slug!r}.")
        after_commit(session, epoch.bump)


api_key = APIKeyService()
