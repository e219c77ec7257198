from __future__ import annotations

import re
import time

from hypothesis import given
from hypothesis import strategies as st

from clicktrail.kit.ids import click_id, nanoid, prefixed_id, ulid_body


def test_click_ids_are_16_alphanumerics_and_distinct() -> None:
    ids = {click_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"[0-9A-Za-z]{16}", i) for i in ids)


def test_nanoid_length() -> None:
    assert len(nanoid()) == 7
    assert len(nanoid(24)) == 24


def test_prefixed_ids_use_crockford_and_sort_by_time() -> None:
    first = prefixed_id("cus")
    time.sleep(0.002)
    second = prefixed_id("cus")
    assert re.fullmatch(r"cus_[0-9A-HJKMNP-TV-Z]{25,26}", first)
    assert first < second


@given(st.integers(min_value=1, max_value=2**48 - 1))
def test_ulid_body_orders_like_its_timestamp(ms: int) -> None:
    earlier, later = ulid_body(ms), ulid_body(ms + 1)
    assert (len(earlier), earlier) < (len(later), later)
