"""Everything a worker process holds for its lifetime, built from settings at startup."""

from __future__ import annotations

from dataclasses import dataclass

from clicktrail.api.ratelimit import RateLimiter
from clicktrail.api_keys.cache import KeyCache
from clicktrail.config import Settings
from clicktrail.folding.folder import Folder
from clicktrail.fx.refresh import RatesRefresher
from clicktrail.fx.service import Rates
from clicktrail.kit.hosts import fold_host
from clicktrail.redirect.agents import parse_agent
from clicktrail.redirect.clicks import ClickRecorder
from clicktrail.redirect.geo import GeoIP, geoip_from_path
from clicktrail.redirect.resolver import LinkResolver
from clicktrail.storage.batches import SessionBatches
from clicktrail.storage.db import Database
from clicktrail.storage.epoch import Epoch, open_epoch
from clicktrail.storage.instance import instance_secret
from clicktrail.webhooks.dispatcher import Dispatcher

KEY_CACHE_SIZE = 10_000  # API keys each worker remembers (api_keys/cache.py)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    secret: bytes
    epoch: Epoch
    resolver: LinkResolver
    keys: KeyCache
    clicks: ClickRecorder
    conversions: SessionBatches
    geoip: GeoIP
    limiter: RateLimiter
    rates: Rates
    dispatcher: Dispatcher | None
    folder: Folder
    refresher: RatesRefresher | None = None

    @classmethod
    async def start(cls, settings: Settings) -> Runtime:
        db = Database(settings)
        epoch = await open_epoch(settings.database_url, settings.redis_url)
        clicks = ClickRecorder(db, settings)
        clicks.start()
        conversions = SessionBatches(db, shared=db.is_sqlite)
        conversions.start()
        parse_agent("Mozilla/5.0")  # load the parser's rules now, not on the first visitor
        secret = await instance_secret(db, settings)
        dispatcher = Dispatcher(db, settings) if settings.webhook_dispatcher == "embedded" else None
        if dispatcher is not None:
            dispatcher.start()
        rates = Rates(db)
        refresher = _refresher(db, rates, settings)
        folder = Folder(db, delay=settings.fold_delay)
        folder.start()
        return cls(
            settings=settings,
            db=db,
            secret=secret,
            epoch=epoch,
            resolver=LinkResolver(db, epoch, settings.link_cache_size),
            keys=KeyCache(db, epoch, KEY_CACHE_SIZE),
            clicks=clicks,
            conversions=conversions,
            geoip=geoip_from_path(settings.geoip_path),
            limiter=RateLimiter(settings.redis_url, settings.rate_limit_on_redis_failure),
            rates=rates,
            dispatcher=dispatcher,
            folder=folder,
            refresher=refresher,
        )

    async def close(self) -> None:
        if self.refresher is not None:
            await self.refresher.close()
        await self.folder.close()
        if self.dispatcher is not None:
            await self.dispatcher.close()
        await self.clicks.close()
        await self.conversions.close()
        await self.limiter.close()
        await self.epoch.close()
        await self.db.dispose()

    async def link_domain(self, host: str) -> str:
        """The domain whose links a request's Host header names (the default one if none)."""
        host = fold_host(host)
        if host and host in await self.resolver.domains():
            return host
        return self.settings.short_domain

    async def is_short_host(self, host: str) -> bool:
        """A host that serves only short links (not the shared API host)."""
        host = fold_host(host)
        return host != self.settings.short_domain and host in await self.resolver.domains()


def _refresher(db: Database, rates: Rates, settings: Settings) -> RatesRefresher | None:
    if settings.fx_url is None:
        return None
    refresher = RatesRefresher(db, rates, settings.fx_url, settings.fx_refresh)
    refresher.start()
    return refresher
