"""Where a scenario's time goes: py-spy samples the server while wrk drives one scenario of
`bench.throughput`, and the summary shows each thread's busy share and the functions that
take the most of it (inclusive, clicktrail's own and the libraries' it calls).

    python -m bench.profile "track lead" [--db sqlite|postgres] [--duration 10] [--top 25]

Needs py-spy (`pip install py-spy`) and wrk. The raw stacks stay in bench/.data/profile-*.txt.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench import servers, throughput, wrk

RATE = 200  # samples per second
_FRAME = re.compile(r"^(?P<name>.+?) \((?P<file>[^:()]+)(?::\d+)?\)$")


@dataclass(frozen=True)
class Stacks:
    """py-spy's raw output: one line per distinct stack, `frame;frame;... count`."""

    samples: Counter[tuple[str, ...]]

    @classmethod
    def read(cls, path: Path) -> Stacks:
        samples: Counter[tuple[str, ...]] = Counter()
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if stack:
                samples[tuple(stack.split(";"))] += int(count)
        return cls(samples)

    def threads(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for stack, count in self.samples.items():
            found[_thread_name(stack)] += count
        return found

    def inclusive(self, thread: str) -> Counter[str]:
        """Samples under each of clicktrail's functions (once per stack, however deep)."""
        found: Counter[str] = Counter()
        for stack, count in self.samples.items():
            if _thread_name(stack) == thread:
                for frame in {_short(f) for f in stack[1:] if "clicktrail/" in f}:
                    found[frame] += count
        return found

    def leaves(self, thread: str) -> Counter[str]:
        """Samples in each function itself: where the processor actually was."""
        found: Counter[str] = Counter()
        for stack, count in self.samples.items():
            if _thread_name(stack) == thread and len(stack) > 1:
                found[_short(stack[-1])] += count
        return found


def _thread_name(stack: tuple[str, ...]) -> str:
    """`thread (123): MainThread` is the event loop; `Thread-4 (_connection_worker_thread)` is
    one of aiosqlite's connection threads, all counted as one."""
    name = stack[0].split(": ", 1)[-1]
    if name == "MainThread":
        return "event loop"
    return re.sub(r"^Thread-\d+ ", "", name)


def _short(frame: str) -> str:
    match = _FRAME.match(frame)
    if match is None:
        return frame
    path = match["file"]
    for marker in ("site-packages/", "src/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match['name']} ({path})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    names = [s.name for s in throughput.SCENARIOS]
    parser.add_argument("scenario", choices=names)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    spy = shutil.which("py-spy")
    if spy is None:
        raise SystemExit("py-spy is needed: pip install py-spy")
    scenario = next(s for s in throughput.SCENARIOS if s.name == args.scenario)
    out = throughput.DATA / f"profile-{args.db}-{scenario.mode}.txt"
    report = _profile(spy, scenario, args.db, wrk.Load(args.duration, args.connections), out)
    print(f"{scenario.name} on {args.db}: {report.per_second:,.0f}/s, "
          f"p50 {report.p50_ms:.1f} ms, p99 {report.p99_ms:.1f} ms")  # fmt: skip
    print(_summary(Stacks.read(out), args.duration, args.top))


def _profile(
    spy: str, scenario: throughput.Scenario, db: str, load: wrk.Load, out: Path
) -> wrk.Report:
    throughput.DATA.mkdir(exist_ok=True)
    with throughput.fresh_database(db) as url:
        env = servers.clean_env(CLICKTRAIL_DATABASE_URL=url, CLICKTRAIL_TRUSTED_PROXIES="127.0.0.1")
        command = servers.clicktrail(servers.free_port(), 1)
        with servers.serving(command, env, throughput.DATA / "profile.log", "/health") as served:
            fixture = throughput.prepare(served.base, url)
            record = [spy, "record", "--pid", str(served.process.pid), "--rate", str(RATE),
                      "--duration", str(load.duration), "--threads", "--format", "raw",
                      "--nonblocking", "--output", str(out)]  # fmt: skip
            spying = subprocess.Popen(record, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
            report = wrk.run(
                served.base, scenario.script, throughput.wrk_args(scenario, fixture), load
            )
            spying.wait(timeout=load.duration + 30)
    return report


def _summary(stacks: Stacks, duration: int, top: int) -> str:
    possible = duration * RATE
    lines = []
    for thread, count in stacks.threads().most_common():
        lines.append(f"\n{thread}: busy {count / possible:.0%} of the run ({count:,} samples)")
        for title, found in (("clicktrail's functions, inclusive", stacks.inclusive(thread)),
                             ("where the time is spent", stacks.leaves(thread))):  # fmt: skip
            lines.append(f"  {title}:")
            lines += [f"  {n / count:6.1%}  {frame}" for frame, n in found.most_common(top)]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
