"""Running wrk (https://github.com/wg/wrk) with a Lua scenario, and reading its report."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent / "wrk"
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Load:
    duration: int = 10
    connections: int = 64
    threads: int = 2


@dataclass(frozen=True)
class Report:
    requests: int
    per_second: float
    p50_ms: float
    p99_ms: float
    failed: int  # answers other than 2xx/3xx, and socket errors

    @property
    def answered(self) -> int:
        return self.requests - self.failed


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is needed: apt-get install wrk (Debian), brew install wrk (macOS)")
    return found


def run(base: str, script: str, args: list[str], load: Load) -> Report:
    command = [
        require_wrk(), f"-t{load.threads}", f"-c{load.connections}", f"-d{load.duration}s",
        "--latency", "--timeout", "5s", "-s", str(SCRIPTS / script), base, "--", *args,
    ]  # fmt: skip
    env = os.environ | {"WRK_LIB": str(SCRIPTS)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    return parse(done.stdout)


def parse(text: str) -> Report:
    requests = int(_find(r"(\d+) requests in", text))
    failed = int(_find(r"Non-2xx or 3xx responses: (\d+)", text, "0"))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    if errors:
        failed += sum(int(n) for n in errors.groups())
    return Report(
        requests=requests,
        per_second=float(_find(r"Requests/sec:\s+([\d.]+)", text)),
        p50_ms=_latency("50%", text),
        p99_ms=_latency("99%", text),
        failed=failed,
    )


def _find(pattern: str, text: str, default: str | None = None) -> str:
    match = re.search(pattern, text)
    if match is None:
        if default is None:
            raise ValueError(f"not in wrk's report: {pattern}\n{text}")
        return default
    return match.group(1)


def _latency(percentile: str, text: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS[unit]
