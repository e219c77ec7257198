"""Money: ISO 4217 codes, exchange-rate tables, and exact conversion to USD cents."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from importlib import resources

import pycountry

# Currencies whose amounts are sent in whole units rather than hundredths (spec §2.2 step 7).
ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())


class RatesError(ValueError):
    """A rates file that cannot be read."""


@dataclass(frozen=True, slots=True)
class RateTable:
    """Units of each currency per one US dollar, as published on `as_of`."""

    as_of: date
    source: str
    rates: dict[str, Decimal]

    def rate(self, code: str) -> Decimal | None:
        return Decimal(1) if code == "USD" else self.rates.get(code)

    def to_json(self) -> str:
        rates = {code: str(value) for code, value in sorted(self.rates.items())}
        payload = {"date": self.as_of.isoformat(), "source": self.source, "base": "USD"}
        return json.dumps(payload | {"rates": rates}, indent=1)


@dataclass(frozen=True, slots=True)
class Conversion:
    usd_cents: int
    rate: Decimal


def is_iso_currency(code: str) -> bool:
    return len(code) == 3 and code.isalpha() and code.upper() in _iso_codes()


@cache
def _iso_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def to_usd_cents(amount: int, code: str, rate: Decimal) -> int:
    """`amount` in the currency's minor units (whole units for zero-decimal ones), in US cents,
    rounded half up. Exact: no binary floating point anywhere."""
    usd = Decimal(amount) / rate
    if code.upper() in ZERO_DECIMAL:
        usd *= 100
    return int(usd.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_rates(text: str, source: str = "file") -> RateTable:
    """Our JSON (`{"date", "base": "USD", "rates": {...}}`) or the ECB's daily reference-rate
    CSV (`eurofxref.csv`, rates per euro), turned into rates per US dollar."""
    stripped = text.lstrip()
    try:
        return _from_json(stripped) if stripped.startswith("{") else _from_ecb_csv(text, source)
    except (KeyError, ValueError, InvalidOperation, IndexError) as exc:
        raise RatesError(f"not a rates file: {exc}") from exc


def _from_json(text: str) -> RateTable:
    data = json.loads(text)
    if str(data.get("base", "USD")).upper() != "USD":
        raise RatesError("rates must be per USD (base USD)")
    rates = {code.upper(): Decimal(str(value)) for code, value in data["rates"].items()}
    return _checked(date.fromisoformat(data["date"]), str(data.get("source", "file")), rates)


def _from_ecb_csv(text: str, source: str) -> RateTable:
    header, values = list(csv.reader(io.StringIO(text)))[:2]
    cells = {h.strip(): v.strip() for h, v in zip(header, values, strict=False) if h.strip()}
    as_of = _ecb_date(cells.pop("Date"))
    per_eur = {code: Decimal(value) for code, value in cells.items() if value}
    usd_per_eur = per_eur.pop("USD")
    rates = {code: (value / usd_per_eur) for code, value in per_eur.items()}
    rates["EUR"] = 1 / usd_per_eur
    rounded = {code: Decimal(f"{value:.10g}") for code, value in rates.items()}
    return _checked(as_of, f"European Central Bank ({source})", rounded)


def _ecb_date(text: str) -> date:
    return datetime.strptime(text, "%d %B %Y").date()  # noqa: DTZ007 - a calendar date


def _checked(as_of: date, source: str, rates: dict[str, Decimal]) -> RateTable:
    for code, value in rates.items():
        if not is_iso_currency(code):
            raise RatesError(f"{code!r} is not an ISO 4217 currency code")
        if value <= 0:
            raise RatesError(f"the rate for {code} must be positive")
    rates.pop("USD", None)
    return RateTable(as_of=as_of, source=source, rates=rates)


def bundled_rates() -> RateTable:
    text = resources.files("clicktrail.data").joinpath("fx_rates.json").read_text()
    return parse_rates(text)
