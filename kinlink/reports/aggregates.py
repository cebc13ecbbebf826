"""Aggregates for reports: every count below the threshold is hidden (DESIGN rule 5)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SMALL_CELL = 5


@dataclass(frozen=True)
class Cell:
    key: str
    count: int | None  # None: suppressed

    @property
    def shown(self) -> str:
        return str(self.count) if self.count is not None else f"<{SMALL_CELL}"


def suppress(count: int) -> int | None:
    return count if count >= SMALL_CELL else None


def suppressed_counts(rows: Iterable[dict], key: str) -> list[Cell]:
    return [Cell(str(row[key]), suppress(row["n"])) for row in rows]
