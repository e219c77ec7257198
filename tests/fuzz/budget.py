"""A time budget per operation, so that a slow machine runs fewer cases instead of longer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

BUDGETS: list[Budget] = []


@dataclass
class Budget:
    seconds: float
    spent: dict[str, float] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        BUDGETS.append(self)

    def report(self) -> list[str]:
        """A line per operation whose budget ran out, for the end of the run."""
        return [
            f"fuzz: {operation}: {count} cases left out after {self.seconds:g} s"
            for operation, count in sorted(self.skipped.items())
        ]

    @contextmanager
    def spend(self, operation: str) -> Iterator[bool]:
        """Yields whether `operation` has time left, and counts the time taken."""
        if self.spent.get(operation, 0.0) >= self.seconds:
            self.skipped[operation] = self.skipped.get(operation, 0) + 1
            yield False
            return
        started = time.monotonic()
        try:
            yield True
        finally:
            elapsed = time.monotonic() - started
            self.spent[operation] = self.spent.get(operation, 0.0) + elapsed
