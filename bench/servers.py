"""Servers under test, started as users start them: a process of their own on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class Served:
    base: str
    process: subprocess.Popen[bytes]

    def peak_memory_mb(self) -> float:
        """The largest peak resident size (VmHWM) of the server and its worker processes."""
        pids = [self.process.pid, *_descendants(self.process.pid)]
        return max((_vm_hwm_kb(pid) for pid in pids), default=0) / 1024

    def cpu_seconds(self) -> float:
        """Processor time used so far by the server and its worker processes: per request, a
        figure that other load on the machine changes much less than requests per second."""
        pids = [self.process.pid, *_descendants(self.process.pid)]
        return sum(_cpu_ticks(pid) for pid in pids) / os.sysconf("SC_CLK_TCK")


def clean_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLICKTRAIL_")}
    return env | settings


def clicktrail(port: int, workers: int) -> list[str]:
    return [sys.executable, "-m", "clicktrail", "serve", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers)]  # fmt: skip


def ceiling(port: int, workers: int) -> list[str]:
    """The bare ASGI 302 under uvicorn with clicktrail's own serving options."""
    return [sys.executable, "-m", "uvicorn", "bench.ceiling:app", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--log-level", "warning",
            "--no-proxy-headers"]  # fmt: skip


@contextmanager
def serving(command: list[str], env: dict[str, str], log: Path, probe: str) -> Iterator[Served]:
    """Run `command` (which serves on the port it was given) until the block ends."""
    port = command[command.index("--port") + 1]
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            _wait_until_up(base + probe, proc)
            yield Served(base, proc)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the server did not come up")


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def _vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
