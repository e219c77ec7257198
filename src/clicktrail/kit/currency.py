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
from typing import Any

import pycountry

# Currencies whose amounts are sent in whole units rather than hundredths: Dub's list (spec §2.2
# step 7). Dub keeps no three-decimal list, so BHD, JOD, KWD, OMR and TND amounts are read as
# hundredths like every other currency's, as Dub reads them.
ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())
# ISO 4217 codes that name fund codes, bond-market units, metals' test or "no currency" codes and
# other units no exchange publishes a daily rate for; a sale naming one gets "no rate" (422).
UNITS_AND_FUNDS = frozenset(
    "BOV CHE CHW CLF COU USN UYI UYW XAD XBA XBB XBC XBD XSU XTS XUA XXX".split()
)


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

    def to_json(self, **provenance: str) -> str:
        """Our format; `provenance` (licence, package, ...) is kept beside the source."""
        rates = {code: str(value) for code, value in sorted(self.rates.items())}
        payload = {"date": self.as_of.isoformat(), "source": self.source, **provenance}
        return json.dumps(payload | {"base": "USD", "rates": rates}, indent=1)


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
    """Our JSON (`{"date", "base": "USD", "rates": {...}}`), fawazahmed0/currency-api's JSON
    (`{"date", "<base>": {"<code>": rate, ...}}`) or the ECB's daily reference-rate CSV
    (`eurofxref.csv`, rates per euro), turned into rates per US dollar."""
    stripped = text.lstrip()
    try:
        if not stripped.startswith("{"):
            return _from_ecb_csv(text, source)
        data = json.loads(stripped, parse_float=Decimal)
        return _from_json(data) if "rates" in data else _from_currency_api(data, source)
    except (KeyError, ValueError, InvalidOperation, IndexError, TypeError) as exc:
        raise RatesError(f"not a rates file: {exc}") from exc


def _from_json(data: dict[str, Any]) -> RateTable:
    if str(data.get("base", "USD")).upper() != "USD":
        raise RatesError("rates must be per USD (base USD)")
    rates = {code.upper(): Decimal(str(value)) for code, value in data["rates"].items()}
    return _checked(date.fromisoformat(data["date"]), str(data.get("source", "file")), rates)


def _from_currency_api(data: dict[str, Any], source: str) -> RateTable:
    """Units of every currency per one unit of the file's base (`usd.json`, `eur.json`, ...).
    The source also lists crypto-assets and retired codes: only ISO 4217 ones are kept."""
    [base] = [key for key in data if key != "date"]
    per_base = {code.upper(): Decimal(str(value)) for code, value in data[base].items()}
    usd_per_base = per_base["USD"]
    rates = {
        code: value if base.upper() == "USD" else _significant(value / usd_per_base)
        for code, value in per_base.items()
        if is_iso_currency(code) and value > 0
    }
    return _checked(date.fromisoformat(data["date"]), f"fawazahmed0/currency-api ({source})", rates)


def _significant(value: Decimal) -> Decimal:
    return Decimal(f"{value:.10g}")


def _from_ecb_csv(text: str, source: str) -> RateTable:
    header, values = list(csv.reader(io.StringIO(text)))[:2]
    cells = {h.strip(): v.strip() for h, v in zip(header, values, strict=False) if h.strip()}
    as_of = _ecb_date(cells.pop("Date"))
    per_eur = {code: Decimal(value) for code, value in cells.items() if value}
    usd_per_eur = per_eur.pop("USD")
    rates = {code: (value / usd_per_eur) for code, value in per_eur.items()}
    rates["EUR"] = 1 / usd_per_eur
    rounded = {code: _significant(value) for code, value in rates.items()}
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
