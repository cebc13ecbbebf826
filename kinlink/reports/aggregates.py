"""Aggregates for reports: every count below the threshold is hidden (DESIGN rule 5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def suppressed_counts(
    rows: Iterable[dict], key: str, labels: Mapping[str, str] | None = None
) -> list[Cell]:
    """One cell per row of a `values(key).annotate(n=Count(...))` query, small counts hidden."""
    labels = labels or {}
    return [Cell(str(labels.get(row[key], row[key])), suppress(row["n"])) for row in rows]
