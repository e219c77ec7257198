"""Rewrite the bundled exchange-rate snapshot (src/clicktrail/data/fx_rates.json).

Usage: python scripts/refresh_bundled_rates.py VERSION

VERSION is a dated version of the npm package @fawazahmed0/currency-api (`npm view
@fawazahmed0/currency-api versions` lists them, `2026.9.29` is the rates of 2026-09-29). The
script fetches it with `npm pack`, reads its `v1/currencies/usd.json` (units of every currency
per US dollar), keeps the ISO 4217 codes, and records the package, version and licence.

An ECB reference-rate CSV is read too: python scripts/refresh_bundled_rates.py --file eurofxref.csv
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from clicktrail.kit.currency import parse_rates

TARGET = Path(__file__).resolve().parent.parent / "src" / "clicktrail" / "data" / "fx_rates.json"
PACKAGE = "@fawazahmed0/currency-api"
MEMBER = "package/v1/currencies/usd.json"
# The package declares no licence; its source repository, fawazahmed0/exchange-api on GitHub,
# is published under CC0 1.0 (public-domain dedication), the LICENSE file at its root.
LICENCE = "CC0-1.0 (fawazahmed0/exchange-api)"


def from_package(version: str) -> None:
    spec = f"{PACKAGE}@{version}"
    with tempfile.TemporaryDirectory() as work:
        command = ["npm", "pack", spec, "--silent", "--pack-destination", work]
        name = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()
        with tarfile.open(Path(work) / name.splitlines()[-1]) as archive:
            member = archive.extractfile(MEMBER)
            if member is None:
                raise SystemExit(f"{spec} has no {MEMBER}")
            text = member.read().decode()
    table = parse_rates(text, f"{spec} on npm, v1/currencies/usd.json")
    write(table.to_json(package=spec, licence=LICENCE))
    print(f"{TARGET}: {len(table.rates)} currencies besides USD as of {table.as_of}")


def from_file(path: str) -> None:
    table = parse_rates(Path(path).read_text(), Path(path).name)
    write(table.to_json())
    print(f"{TARGET}: {len(table.rates)} currencies besides USD as of {table.as_of}")


def write(text: str) -> None:
    TARGET.write_text(text + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "--file":
        from_file(sys.argv[2])
    else:
        from_package(sys.argv[1])
