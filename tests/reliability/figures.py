"""The reliability figures a run of this suite produces (printed in pytest's terminal summary).

Tests add what they checked (cells of the authorization matrix, fuzz cases, hostile files, faults,
concurrent users) and what went wrong (cross-user leaks, lost jobs); docs/reliability.md and the
README quote the printed numbers.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

FIGURES: Counter[str] = Counter()
MEASURES: dict[str, Any] = {}


def count(name: str, n: int = 1) -> None:
    FIGURES[name] += n


def measure(name: str, value: Any) -> None:
    """A figure that is a value, not a count (a latency, a list of what was excluded)."""
    MEASURES[name] = value


def summary_lines() -> list[str]:
    lines = [f"{name}: {FIGURES[name]}" for name in sorted(FIGURES)]
    lines += [f"{name}: {value}" for name, value in sorted(MEASURES.items())]
    return lines
