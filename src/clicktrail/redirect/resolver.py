"""Short links resolved from memory; a bumped epoch (any worker's link change) empties it.
What was emptied is kept aside, and served only while the database cannot be reached: an
outage should not stop the links visitors already follow (README, "When PostgreSQL or Redis
is down")."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from clicktrail.models import Domain, Link
from clicktrail.storage.db import Database, is_unavailable
from clicktrail.storage.epoch import Epoch


@dataclass(frozen=True, slots=True)
class CachedLink:
    id: str
    workspace_id: str
    domain: str
    key: str
    url: str
    track_conversion: bool
    disabled: bool
    expires_at: datetime | None
    expired_url: str | None
    password: str | None
    ios: str | None
    android: str | None
    geo: dict[str, str]

    def target(self, os: str, country: str) -> str:
        """Dub's order: the iOS or Android URL on those systems, then the visitor's country's
        URL, then the link's own URL."""
        if self.ios and os == "iOS":
            return self.ios
        if self.android and os == "Android":
            return self.android
        return self.geo.get(country.upper()) or self.url


MAX_AGE_SECONDS = 60.0

_COLUMNS = (
    Link.id, Link.workspace_id, Link.domain, Link.key, Link.url, Link.track_conversion,
    Link.disabled_at, Link.expires_at, Link.expired_url, Link.password, Link.ios, Link.android,
    Link.geo,
)  # fmt: skip


class LinkResolver:
    def __init__(self, db: Database, epoch: Epoch, size: int) -> None:
        self._db = db
        self._epoch = epoch
        self._size = size
        self._seen = -1
        self._links: dict[tuple[str, str], CachedLink | None] = {}
        self._domains: frozenset[str] | None = None
        # domain -> its (notFoundUrl, expiredUrl), loaded with _domains
        self._fallbacks: dict[str, tuple[str | None, str | None]] = {}
        self._stale: dict[tuple[str, str], CachedLink | None] = {}
        self._stale_domains: frozenset[str] | None = None
        self._flushed = time.monotonic()

    def _fresh(self) -> int:
        """Drop everything when any worker changed a link, and in any case once a minute: a
        backstop should a change notice ever be lost (a Redis outage between hosts)."""
        epoch = self._epoch.current()
        now = time.monotonic()
        if epoch != self._seen or now - self._flushed > MAX_AGE_SECONDS:
            kept = len(self._stale) + len(self._links) <= self._size
            self._stale = (self._stale | self._links) if kept else self._links
            self._stale_domains = self._domains or self._stale_domains
            self._links = {}
            self._domains = None
            self._seen, self._flushed = epoch, now
        return epoch

    async def resolve(self, domain: str, key: str) -> CachedLink | None:
        epoch = self._fresh()
        slot = (domain, key.lower())
        if slot in self._links:
            return self._links[slot]
        try:
            link = await self._load(*slot)
        except Exception as error:
            if is_unavailable(error) and slot in self._stale:
                return self._stale[slot]
            raise
        if self._epoch.current() == epoch and self._size:  # a change while loading: don't keep
            if len(self._links) >= self._size:
                self._links.clear()
            self._links[slot] = link
        return link

    async def domains(self) -> frozenset[str]:
        """Every domain that has links or was added, to tell short-link hosts from the API host."""
        epoch = self._fresh()
        if self._domains is not None:
            return self._domains
        try:
            async with self._db.reader.connect() as conn:
                found = frozenset((await conn.scalars(select(Link.domain).distinct())).all())
                columns = (Domain.domain, Domain.not_found_url, Domain.expired_url)
                added = (await conn.execute(select(*columns))).all()
        except Exception as error:
            if is_unavailable(error) and self._stale_domains is not None:
                return self._stale_domains
            raise
        found |= {row.domain for row in added}
        if self._epoch.current() == epoch:
            self._domains = found
            self._fallbacks = {row.domain: (row.not_found_url, row.expired_url) for row in added}
        return found

    async def fallbacks(self, domain: str) -> tuple[str | None, str | None]:
        """Where the domain sends its unknown keys and its expired links, if it says."""
        await self.domains()
        return self._fallbacks.get(domain, (None, None))

    async def _load(self, domain: str, key_folded: str) -> CachedLink | None:
        stmt = select(*_COLUMNS).where(Link.domain == domain, Link.key_folded == key_folded)
        async with self._db.reader.connect() as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            return None
        return CachedLink(
            id=row.id,
            workspace_id=row.workspace_id,
            domain=row.domain,
            key=row.key,
            url=row.url,
            track_conversion=row.track_conversion,
            disabled=row.disabled_at is not None,
            expires_at=row.expires_at,
            expired_url=row.expired_url,
            password=row.password,
            ios=row.ios,
            android=row.android,
            geo={k.upper(): v for k, v in (row.geo or {}).items()},
        )
