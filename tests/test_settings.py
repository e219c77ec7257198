"""Settings: every one documented, parsed as the README says."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest

from clicktrail.config import Settings
from clicktrail.storage.urls import async_url

README = Path(__file__).resolve().parent.parent / "README.md"


def documented_settings() -> set[str]:
    rows = re.findall(r"^\|\s*`CLICKTRAIL_([A-Z0-9_]+)`", README.read_text(), flags=re.M)
    return {name.lower() for name in rows}


def test_every_setting_is_documented_in_the_readme() -> None:
    assert set(Settings.model_fields) == documented_settings()


def test_settings_come_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKTRAIL_SHORT_DOMAIN", "WWW.Go.Example.com")
    monkeypatch.setenv("CLICKTRAIL_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1")
    monkeypatch.setenv("CLICKTRAIL_STORE_RAW_IPS", "true")
    settings = Settings()
    assert settings.short_domain == "go.example.com"
    assert settings.trusted_proxies == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    )
    assert settings.store_raw_ips is True
    assert settings.is_trusted_proxy("10.2.3.4")
    assert not settings.is_trusted_proxy("192.0.2.1")
    assert not settings.is_trusted_proxy("not-an-ip")


def test_bad_proxy_list_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKTRAIL_TRUSTED_PROXIES", "10.0.0.0/8,nonsense")
    with pytest.raises(ValueError, match="nonsense"):
        Settings()


@pytest.mark.parametrize(
    ("written", "driver"),
    [
        ("sqlite:///clicktrail.db", "sqlite+aiosqlite"),
        ("sqlite:////var/lib/clicktrail/data.db", "sqlite+aiosqlite"),
        ("postgresql://user@127.0.0.1:5432/clicktrail", "postgresql+asyncpg"),
        ("postgres://user@127.0.0.1/clicktrail", "postgresql+asyncpg"),
        ("postgresql+asyncpg://user@127.0.0.1/clicktrail", "postgresql+asyncpg"),
    ],
)
def test_database_urls_are_accepted_as_written(written: str, driver: str) -> None:
    assert async_url(written).drivername == driver


@pytest.mark.parametrize(
    ("domain", "scheme"),
    [("localhost:8000", "http"), ("127.0.0.1:9000", "http"), ("go.example.com", "https")],
)
def test_short_link_scheme_follows_the_host(domain: str, scheme: str) -> None:
    assert Settings(short_domain=domain).link_scheme == scheme
    assert Settings(short_domain=domain, short_link_scheme="https").link_scheme == "https"


def test_production_needs_a_secret_key_of_its_own() -> None:
    with pytest.raises(ValueError, match="CLICKTRAIL_SECRET_KEY must be set"):
        Settings(environment="production")
    assert Settings(environment="production", secret_key="s" * 32).secret_key is not None


@pytest.mark.parametrize(
    ("given", "stored"),
    [("WWW.Go.Example.com.:443", "go.example.com"), ("localhost:8000", "localhost:8000")],
)
def test_the_short_domain_is_kept_in_its_one_spelling(given: str, stored: str) -> None:
    assert Settings(short_domain=given).short_domain == stored


def test_a_short_domain_that_is_no_host_is_refused() -> None:
    with pytest.raises(ValueError, match="not a host name"):
        Settings(short_domain="go.example.com;Domain=.example.com")
