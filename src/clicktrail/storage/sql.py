"""The one place that knows which SQL dialect is in use for upserts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite


def insert(table: Table | Any, dialect: str) -> Any:
    """An INSERT with `on_conflict_do_nothing` / `on_conflict_do_update` for this dialect."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
