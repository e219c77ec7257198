"""Money totals that cannot overflow on either database.

A total of USD cents is kept as two BIGINT columns, `high` (the amount >> SHIFT) and `low`
(the amount's last SHIFT bits); every stored total is normalised (0 <= low < 2**SHIFT), so
that it has one spelling, sorts by (high, low) and is zero only when both are. A sale is at
most MOST_PER_SALE cents, so each of its parts is below 2**28 and any sum of fewer than
2**35 sales, stored or summed in a query, fits in 64 bits on SQLite and PostgreSQL alike.
Python joins the parts into an exact integer of any size."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, cast, func, literal_column

SHIFT = 28
UNIT = 1 << SHIFT
MOST_PER_SALE = (1 << 2 * SHIFT) - 1  # USD cents: $720 trillion, 8x the largest amount in cents
EXACT_SALES = 1 << (63 - SHIFT)  # any total of fewer sales than this is exact

# inlined: no parameter for the database to type
_SHIFT: ColumnElement[int] = literal_column(str(SHIFT))
_LOW_BITS: ColumnElement[int] = literal_column(str(UNIT - 1))

Parts = tuple[ColumnElement[Any], ColumnElement[Any]]


def split(amount: int) -> tuple[int, int]:
    """(high, low) of an amount; a negative one (a subtraction) has a negative high part."""
    return amount >> SHIFT, amount & (UNIT - 1)


def join(high: Any, low: Any) -> int:
    """The exact total of two parts as read back (None, Decimal or int)."""
    return (int(high or 0) << SHIFT) + int(low or 0)


def parts_of(amount: ColumnElement[Any]) -> Parts:
    """SQL for the two parts of one amount column (a sale's `amount`)."""
    return amount.bitwise_rshift(_SHIFT), amount.bitwise_and(_LOW_BITS)


def added(high: Any, low: Any, more_high: Any, more_low: Any) -> Parts:
    """SQL for the normalised parts of (high, low) + (more_high, more_low): the values of an
    UPDATE or upsert's SET, which both databases evaluate against the row before it."""
    return _carried(high + more_high, low + more_low)


def summed(high: ColumnElement[Any], low: ColumnElement[Any]) -> Parts:
    """SQL for the normalised parts of the sum of a group's parts. (PostgreSQL sums BIGINT
    into NUMERIC, which the bit operators do not take: the sums are cast back.)"""
    return _carried(cast(func.sum(high), BigInteger), cast(func.sum(low), BigInteger))


def _carried(high: Any, low: Any) -> Parts:
    """Whole units of `low` carried into `high`."""
    return high + low.bitwise_rshift(_SHIFT), low.bitwise_and(_LOW_BITS)
