"""Database URLs as users write them, turned into the async drivers we run on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url


def async_url(raw: str) -> URL:
    url = make_url(raw)
    driver = url.drivername
    if driver in {"sqlite", "sqlite+pysqlite"}:
        return url.set(drivername="sqlite+aiosqlite")
    if driver in {"postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"}:
        return url.set(drivername="postgresql+asyncpg")
    return url


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for other databases."""
    if not url.drivername.startswith("sqlite") or not url.database:
        return None
    return Path(url.database)
