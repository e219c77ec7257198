"""The arithmetic behind the README's bound: parts that join back exactly, and sums of fewer
than EXACT_SALES sales whose parts all fit in a signed 64-bit integer."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from clicktrail.storage import totals

INT64 = 2**63 - 1


@given(st.integers(min_value=-(2**90), max_value=2**90))
def test_parts_join_back_exactly(amount: int) -> None:
    high, low = totals.split(amount)
    assert 0 <= low < totals.UNIT
    assert totals.join(high, low) == amount


def test_any_sum_below_the_bound_fits_in_64_bits() -> None:
    most_high, most_low = totals.split(totals.MOST_PER_SALE)
    n = totals.EXACT_SALES - 1
    assert n * most_high + (n * most_low >> totals.SHIFT) <= INT64  # a stored total
    assert n * most_low <= INT64  # a sum of the low parts of raw sales
    assert n == 2**35 - 1
