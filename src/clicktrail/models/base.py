"""Declarative base with deterministic constraint names and timezone-aware timestamps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, MetaData, String, false, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from clicktrail.kit.clock import as_utc, utcnow
from clicktrail.kit.crypto import Secret
from clicktrail.storage import totals

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as UTC; always read back timezone-aware (SQLite would hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 - SQLAlchemy's signature
    ) -> datetime | None:
        return None if value is None else as_utc(value)


class SecretString(TypeDecorator[str]):
    """A string written and read as `Secret`, so that logged parameters and rows hide it."""

    impl = String
    cache_ok = True

    def process_bind_param(
        self,
        value: str | None,
        dialect: Dialect,  # noqa: ARG002 - SQLAlchemy's signature
    ) -> str | None:
        return None if value is None else Secret(value)

    def process_result_value(
        self,
        value: str | None,
        dialect: Dialect,  # noqa: ARG002 - SQLAlchemy's signature
    ) -> str | None:
        return None if value is None else Secret(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime}  # noqa: RUF012 - SQLAlchemy reads it as a class attribute


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SaleTotal:
    """A total of USD cents in the two parts of storage/totals.py, which cannot overflow."""

    sale_amount_high: Mapped[int] = mapped_column(
        BigInteger, default=0, server_default=text("0"), comment="USD cents >> 28"
    )
    sale_amount_low: Mapped[int] = mapped_column(
        BigInteger, default=0, server_default=text("0"), comment="the last 28 bits of the USD cents"
    )

    @property
    def sale_amount(self) -> int:
        return totals.join(self.sale_amount_high, self.sale_amount_low)


PENDING = "NOT folded"  # the predicate of the pending-event indexes; queries repeat it as is


def folded_column() -> Mapped[bool]:
    """An event's fold mark: set, in the folder's transaction, once its counts are added."""
    return mapped_column(default=False, server_default=false())


def pending_index(table: str) -> Index:
    """The events not folded yet, by workspace: small, whatever the size of the table."""
    where = text(PENDING)
    return Index(f"ix_{table}_pending", "workspace_id", sqlite_where=where, postgresql_where=where)
