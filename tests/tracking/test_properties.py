"""Properties, checked on many generated cases: exact currency conversion, and which lead a
sale is attributed to."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clicktrail.kit.currency import ZERO_DECIMAL, bundled_rates, to_usd_cents
from tests.tracking.helpers import Json, Tracker

RATES = bundled_rates()
CODES = sorted(RATES.rates)


def expected_cents(amount: int, code: str, rate: Decimal) -> int:
    """The same sum done with fractions, rounded half up: an independent oracle."""
    usd = Fraction(amount) / Fraction(rate) * (100 if code in ZERO_DECIMAL else 1)
    whole, rest = divmod(usd, 1)
    return int(whole) + (1 if rest >= Fraction(1, 2) else 0)


@given(amount=st.integers(min_value=0, max_value=10**13), code=st.sampled_from(CODES))
def test_conversion_is_exact_and_rounds_half_up(amount: int, code: str) -> None:
    rate = RATES.rates[code]
    assert to_usd_cents(amount, code, rate) == expected_cents(amount, code, rate)


@given(
    amounts=st.tuples(st.integers(0, 10**9), st.integers(0, 10**9)),
    code=st.sampled_from(CODES),
)
def test_conversion_never_reverses_order(amounts: tuple[int, int], code: str) -> None:
    low, high = sorted(amounts)
    rate = RATES.rates[code]
    assert to_usd_cents(low, code, rate) <= to_usd_cents(high, code, rate)


@given(
    rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(100_000), places=6),
    amount=st.integers(0, 10**9),
)
def test_any_positive_rate_converts_exactly(rate: Decimal, amount: int) -> None:
    assert to_usd_cents(amount, "EUR", rate) == expected_cents(amount, "EUR", rate)


EVENTS = ["Sign up", "Trial", "Demo", "Invite", "Upgrade"]
_customers = itertools.count()


@pytest.fixture
async def three_links(track: Tracker) -> list[Json]:
    return [await track.link() for _ in range(3)]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    leads=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(EVENTS)), min_size=1, max_size=5),
    # No name (the latest lead of all) half the time: a name matches at most one lead, since
    # repeats of an event are duplicates.
    wanted=st.one_of(st.none(), st.sampled_from([*EVENTS, "sign up"])),
)
async def test_a_sale_goes_to_the_latest_matching_lead(
    track: Tracker, three_links: list[Json], leads: list[tuple[int, str]], wanted: str | None
) -> None:
    external = f"prop-{next(_customers)}"
    recorded: list[tuple[str, str]] = []  # (event name, link id) of leads that were not repeats
    for link_index, event in leads:
        link = three_links[link_index]
        answer = await track.lead(
            clickId=await track.click(link), eventName=event, customerExternalId=external
        )
        if answer["link"] is not None:
            recorded.append((event, link["id"]))
    assert [name for name, _ in recorded] == list(dict.fromkeys(e for _, e in leads))
    body = {"customerExternalId": external, "amount": 100, "leadEventName": wanted}
    response = await track.post("/track/sale", body)
    matching = [link_id for name, link_id in recorded if wanted is None or name == wanted]
    if not matching:
        assert response.status_code == 404
        return
    assert response.status_code == 200, response.text
    customer_id = response.json()["customer"]["id"]
    [sale] = await track.rows("SELECT link_id FROM sales WHERE customer_id = :c", c=customer_id)
    assert sale["link_id"] == matching[-1]
