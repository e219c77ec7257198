"""The one typed settings object, read from `CLICKTRAIL_*` environment variables."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from clicktrail.kit.hosts import fold_host, fold_name, is_host

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Environment(StrEnum):
    development = "development"
    testing = "testing"
    production = "production"


class Settings(BaseSettings):
    """Every setting is documented in the README's Settings table (a test checks that)."""

    model_config = SettingsConfigDict(env_prefix="CLICKTRAIL_", frozen=True, extra="ignore")

    environment: Environment = Environment.development
    # SQLAlchemy-style URL; plain `sqlite:///` and `postgresql://` URLs get their async driver.
    database_url: str = "sqlite:///clicktrail.db"
    # Optional: shared rate limits, cache invalidation and queues across workers and hosts.
    redis_url: str | None = None
    # While Redis is unreachable, rate-limited API requests are let through (open) or get 503.
    rate_limit_on_redis_failure: Literal["open", "closed"] = "open"
    # Host (and port) of short links when a link names no domain; default: the server's own.
    short_domain: str = "localhost:8000"
    # Scheme of shortLink values; default: http for localhost and IP hosts, else https.
    short_link_scheme: str | None = None
    # Hosts that `?redir_url=` may send a visitor to besides the link's own destination host,
    # comma-separated; `*.example.com` allows every subdomain of example.com. (Dub allows any.)
    redir_url_allowed_hosts: Annotated[tuple[str, ...], NoDecode] = ()
    # Key for hashing API keys and visitor IPs. Generated and stored in the database when unset.
    secret_key: SecretStr | None = None
    # Peers whose X-Forwarded-For and geo headers are believed: addresses or CIDRs, comma-separated.
    trusted_proxies: Annotated[tuple[IPNetwork, ...], NoDecode] = ()
    # Store visitors' raw IP addresses on clicks instead of a keyed hash of them.
    store_raw_ips: bool = False
    # Path to a MaxMind-format (.mmdb) city or country database for click geolocation.
    geoip_path: Path | None = None
    # Largest number of clicks one group-commit transaction writes.
    click_batch_size: int = Field(default=512, ge=1, le=10_000)
    # Links kept in each worker's in-process cache.
    link_cache_size: int = Field(default=100_000, ge=0)
    # Seconds a database statement may wait on a lock before the request fails.
    database_timeout: float = Field(default=10.0, gt=0)
    # Seconds the queries of one /analytics or /events request may run before they are stopped.
    analytics_timeout: float = Field(default=10.0, gt=0)
    # Bytes of request body the API reads; a larger body gets 413 before it is read.
    body_limit: int = Field(default=1024 * 1024, ge=1)
    # Seconds a client has to send a request's line and headers, from connecting or its first
    # byte; then 408 and the connection is closed. Bounds clients that trickle headers.
    header_timeout: float = Field(default=10.0, gt=0)
    # Seconds a client has to send a request's whole body once its headers are in; then 408.
    body_timeout: float = Field(default=30.0, gt=0)
    # Open connections each server process serves; a request on one more gets 503. Keep it
    # below the process's open-file limit (`ulimit -n`).
    connection_limit: int = Field(default=1000, ge=1)
    # Where webhooks are delivered from: in every server process, or only by `clicktrail worker`.
    # Test only: seconds each fold waits before its commit, so that a test can stop the server
    # in the middle of one. Never set it in production: it delays every counter.
    fold_delay: float = Field(default=0.0, ge=0, le=60)
    webhook_dispatcher: Literal["embedded", "external"] = "embedded"
    # Allow webhook URLs that resolve to private, loopback or link-local addresses.
    webhook_allow_private: bool = False
    # Seconds a webhook receiver has to answer a delivery.
    webhook_timeout: float = Field(default=10.0, gt=0)
    # Seconds before a failed delivery's first retry; each further retry waits about twice as long.
    webhook_retry_base: float = Field(default=10.0, gt=0)
    # Seconds after an event during which its delivery is retried; then it is marked failed.
    webhook_retry_window: float = Field(default=26 * 3600.0, gt=0)

    # URL of exchange rates (our JSON, fawazahmed0/currency-api's JSON or the ECB's CSV), loaded
    # at startup and then every FX_REFRESH seconds; unset: rates change only by `fx update`.
    fx_url: str | None = None
    # Seconds between two loads of FX_URL (default one day); a failed load keeps the old rates.
    fx_refresh: float = Field(default=86_400.0, gt=0)

    @model_validator(mode="after")
    def _secret_outside_the_database(self) -> Settings:
        # A key stored beside the hashes it keys would let a database dump reverse every
        # hashed IPv4 address by brute force.
        if self.environment is Environment.production and self.secret_key is None:
            raise ValueError("CLICKTRAIL_SECRET_KEY must be set when ENVIRONMENT is production")
        return self

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_networks(cls, value: object) -> tuple[IPNetwork, ...]:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            return tuple(ipaddress.ip_network(p, strict=False) for p in parts)
        if isinstance(value, list | tuple):
            return tuple(ipaddress.ip_network(str(p), strict=False) for p in value)
        raise ValueError("expected a comma-separated list of addresses or CIDRs")

    @field_validator("redir_url_allowed_hosts", mode="before")
    @classmethod
    def _parse_hosts(cls, value: object) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValueError("expected a comma-separated list of host names")
        return tuple(_allowed_host(str(item)) for item in items if str(item).strip())

    @field_validator("short_domain")
    @classmethod
    def _normalise_domain(cls, value: str) -> str:
        host = fold_host(value)
        if not is_host(host):
            raise ValueError(f"not a host name, with an optional port: {value!r}")
        return host

    @cached_property
    def link_scheme(self) -> str:
        if self.short_link_scheme:
            return self.short_link_scheme
        host = self.short_domain.rsplit(":", 1)[0].strip("[]")
        return "http" if host == "localhost" or _is_ip(host) else "https"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def is_trusted_proxy(self, address: str) -> bool:
        return bool(self.trusted_proxies) and _in_networks(self.trusted_proxies, address)


@lru_cache(maxsize=1024)
def _in_networks(networks: tuple[IPNetwork, ...], address: str) -> bool:
    """Asked several times per redirect, mostly for the same few proxies' addresses."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def _allowed_host(entry: str) -> str:
    entry = entry.strip()
    wildcard = entry.startswith("*.")
    name = fold_name(entry.removeprefix("*."))
    if not is_host(name) or ":" in name:
        raise ValueError(f"not a host name: {entry!r}")
    return f"*.{name}" if wildcard else name


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
