"""Numbers about cases for supervisors, analysts and the data-protection officer: cases per
stage over time, time in stage, outcomes and overdue tasks. Aggregates only; every count
below five is hidden (reports/aggregates.py), and so is every statistic of fewer than five
stays, because the median of three stays describes three people.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kinlink.reports.aggregates import SMALL_CELL, Cell, suppress

from .models import (
    Case,
    Outcome,
    Referral,
    ReferralOutcome,
    ServiceType,
    Stage,
    StageMove,
    Task,
    TaskStatus,
)

LATENESS = [(1, 7, "1–7"), (8, 30, "8–30"), (31, 90, "31–90"), (91, None, "> 90")]


def _cell(key: str, count: int) -> Cell:
    return Cell(key, suppress(count))


@dataclass(frozen=True)
class Scope:
    """What a report counts: a period and the cases of a team, pathway, stage or nationality.

    The period selects the month ends shown over time, the stays that ended, the cases and
    referrals closed, and the overdue tasks that fell due within it. The stage narrows each
    table to that stage's row; outcomes, overdue tasks and referrals to the cases now in it.
    Every count stays subject to small-cell suppression, whatever the filters.
    """

    date_from: date | None = None
    date_to: date | None = None
    team_id: int | None = None
    pathway_id: int | None = None
    stage_id: int | None = None
    nationality: str = ""

    def cases(self, *, in_stage: bool = False) -> QuerySet[Case]:
        cases = Case.objects.all()
        if self.team_id:
            cases = cases.filter(team_id=self.team_id)
        if self.pathway_id:
            cases = cases.filter(pathway_id=self.pathway_id)
        if self.nationality:
            cases = cases.filter(person__nationality__iexact=self.nationality)
        if in_stage and self.stage_id:
            cases = cases.filter(stage_id=self.stage_id)
        return cases

    @property
    def narrows_cases(self) -> bool:
        return bool(self.team_id or self.pathway_id or self.nationality)

    def within(self, day: date) -> bool:
        return (self.date_from is None or day >= self.date_from) and (
            self.date_to is None or day <= self.date_to
        )

    def end(self, today: date) -> date:
        return min(self.date_to, today) if self.date_to else today


EVERYTHING = Scope()


def _stages(scope: Scope = EVERYTHING) -> list[Stage]:
    """Stages of active pathways, the default pathway first, each in its own order."""
    stages = Stage.objects.filter(pathway__active=True)
    if scope.pathway_id:
        stages = stages.filter(pathway_id=scope.pathway_id)
    if scope.stage_id:
        stages = stages.filter(pk=scope.stage_id)
    return list(
        stages.select_related("pathway").order_by(
            "-pathway__is_default", "pathway__name", "position", "id"
        )
    )


Moves = list[tuple[int, list[tuple[datetime, int]]]]


def load_moves(scope: Scope = EVERYTHING) -> Moves:
    """Every case's moves as (case id, [(moved at, stage id), ...] in order); read once and
    handed to each report that needs it."""
    moves = StageMove.objects.all()
    if scope.narrows_cases:
        moves = moves.filter(case__in=scope.cases())
    rows = moves.order_by("case_id", "moved_at", "id").values_list(
        "case_id", "moved_at", "to_stage_id"
    )
    grouped: Moves = []
    for case_id, moved_at, stage_id in rows.iterator(chunk_size=5000):
        if not grouped or grouped[-1][0] != case_id:
            grouped.append((case_id, []))
        grouped[-1][1].append((moved_at, stage_id))
    return grouped


# Cases per stage over time -------------------------------------------------------------------


@dataclass(frozen=True)
class StageSeries:
    stage: Stage
    cells: list[Cell]


@dataclass(frozen=True)
class StagesOverTime:
    periods: list[date]
    series: list[StageSeries]


def month_ends(today: date, months: int) -> list[date]:
    """The last day of each of the `months` months up to today's month; today for this one."""
    ends = [today]
    first = today.replace(day=1)
    for _ in range(months - 1):
        last_of_previous = first - timedelta(days=1)
        ends.append(last_of_previous)
        first = last_of_previous.replace(day=1)
    return list(reversed(ends))


MAX_MONTHS = 60


def month_ends_between(first: date, last: date) -> list[date]:
    """The month ends from the month holding `first` to `last` (at most MAX_MONTHS)."""
    ends = month_ends(last, MAX_MONTHS)
    return [day for day in ends if day >= first] or [last]


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def stages_over_time(
    today: date | None = None,
    months: int = 12,
    moves: Moves | None = None,
    scope: Scope = EVERYTHING,
    periods: list[date] | None = None,
) -> StagesOverTime:
    """How many cases stood in each stage at the end of each month (or of each of `periods`,
    e.g. the month ends of the Solar Hijri calendar)."""
    today = today or timezone.localdate()
    moves = load_moves(scope) if moves is None else moves
    if periods is None:
        periods = (
            month_ends_between(scope.date_from, scope.end(today))
            if scope.date_from
            else month_ends(scope.end(today), months)
        )
    cutoffs = [_end_of_day(day) for day in periods]
    counts: list[Counter] = [Counter() for _ in periods]
    for _case_id, case_moves in moves:
        index = 0
        for i, cutoff in enumerate(cutoffs):
            while index < len(case_moves) and case_moves[index][0] <= cutoff:
                index += 1
            if index:
                counts[i][case_moves[index - 1][1]] += 1
    series = [
        StageSeries(stage, [_cell(str(day), counts[i][stage.pk]) for i, day in enumerate(periods)])
        for stage in _stages(scope)
    ]
    return StagesOverTime(periods, series)


# Time in stage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageTime:
    stage: Stage
    stays: int | None  # None: fewer than five, everything hidden
    median: float | None = None
    lower_quartile: float | None = None
    upper_quartile: float | None = None
    shortest: float | None = None
    longest: float | None = None

    @property
    def shown(self) -> str:
        return str(self.stays) if self.stays is not None else f"<{SMALL_CELL}"


def _completed_stays(moves: Moves, scope: Scope = EVERYTHING) -> dict[int, list[float]]:
    days: dict[int, list[float]] = defaultdict(list)
    for _case_id, case_moves in moves:
        for (entered, stage_id), (left, _next) in itertools.pairwise(case_moves):
            if scope.within(timezone.localdate(left)):
                days[stage_id].append((left - entered).total_seconds() / 86400)
    return days


def time_in_stage(moves: Moves | None = None, scope: Scope = EVERYTHING) -> list[StageTime]:
    """Days spent in each stage by the stays that have ended (within the scope's period):
    median, quartiles and range."""
    stays = _completed_stays(load_moves(scope) if moves is None else moves, scope)
    result = []
    for stage in _stages(scope):
        values = sorted(stays.get(stage.pk, []))
        if len(values) < SMALL_CELL:
            result.append(StageTime(stage, None))
            continue
        lower, median, upper = statistics.quantiles(values, n=4, method="inclusive")
        result.append(
            StageTime(
                stage,
                len(values),
                round(median, 1),
                round(lower, 1),
                round(upper, 1),
                round(values[0], 1),
                round(values[-1], 1),
            )
        )
    return result


# Outcomes --------------------------------------------------------------------------------------


def _closed_within(queryset, scope: Scope):
    if scope.date_from:
        queryset = queryset.filter(closed_on__gte=scope.date_from)
    if scope.date_to:
        queryset = queryset.filter(closed_on__lte=scope.date_to)
    return queryset


def case_outcomes(scope: Scope = EVERYTHING) -> list[Cell]:
    """Closed cases by outcome (closed within the scope's period)."""
    closed = _closed_within(scope.cases(in_stage=True).filter(closed_on__isnull=False), scope)
    closed = closed.order_by()
    rows = {row["outcome"]: row["n"] for row in closed.values("outcome").annotate(n=Count("id"))}
    return [_cell(str(label), rows.get(value, 0)) for value, label in Outcome.choices]


@dataclass(frozen=True)
class ReferralRow:
    service: str
    cells: list[Cell]  # one per ReferralOutcome, in order


def referral_outcomes(scope: Scope = EVERYTHING) -> list[ReferralRow]:
    """Ended referrals by service and how far they met the person's needs."""
    referrals = _closed_within(Referral.objects.filter(closed_on__isnull=False), scope)
    if scope.narrows_cases or scope.stage_id:
        referrals = referrals.filter(case__in=scope.cases(in_stage=True))
    counts = Counter(referrals.values_list("service_type", "outcome").order_by())
    return [
        ReferralRow(
            str(service_label),
            [
                _cell(str(label), counts[(service, value)])
                for value, label in ReferralOutcome.choices
            ],
        )
        for service, service_label in ServiceType.choices
    ]


# Overdue tasks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    total: Cell
    by_stage: list[Cell]
    by_lateness: list[Cell]


def overdue_tasks(today: date | None = None, scope: Scope = EVERYTHING) -> Overdue:
    """Open tasks of open cases past their due date today (that fell due within the scope's
    period), by the stage their case is in and by how late they are."""
    today = today or timezone.localdate()
    overdue = Task.objects.filter(
        status=TaskStatus.OPEN, due_on__lt=today, case__closed_on__isnull=True
    )
    if scope.date_from:
        overdue = overdue.filter(due_on__gte=scope.date_from)
    if scope.date_to:
        overdue = overdue.filter(due_on__lte=scope.date_to)
    if scope.narrows_cases or scope.stage_id:
        overdue = overdue.filter(case__in=scope.cases(in_stage=True))
    per_stage = {
        row["case__stage_id"]: row["n"]
        for row in overdue.order_by().values("case__stage_id").annotate(n=Count("id"))
    }
    buckets = {
        f"late{i}": Count(
            "id",
            filter=Q(due_on__lte=today - timedelta(days=low))
            & (Q(due_on__gte=today - timedelta(days=high)) if high else Q()),
        )
        for i, (low, high, _label) in enumerate(LATENESS)
    }
    lateness = overdue.order_by().aggregate(**buckets)
    return Overdue(
        total=_cell("total", sum(per_stage.values())),
        by_stage=[_cell(stage.label, per_stage.get(stage.pk, 0)) for stage in _stages(scope)],
        by_lateness=[
            _cell(label, lateness[f"late{i}"]) for i, (_low, _high, label) in enumerate(LATENESS)
        ],
    )


# CSV -------------------------------------------------------------------------------------------

CSV_TABLES = ("stages-over-time", "time-in-stage", "outcomes", "referral-outcomes", "overdue")


def csv_table(
    name: str, today: date | None = None, scope: Scope = EVERYTHING
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of one report table for the scope, hidden counts written as "<5"."""
    today = today or timezone.localdate()
    if name == "stages-over-time":
        data = stages_over_time(today, scope=scope)
        header = ["stage", *[day.isoformat() for day in data.periods]]
        return header, [[s.stage.label, *[c.shown for c in s.cells]] for s in data.series]
    if name == "time-in-stage":
        header = ["stage", "stays", "median_days", "q1_days", "q3_days", "min_days", "max_days"]
        rows = [
            [t.stage.label, t.shown, *["" if v is None else f"{v:g}" for v in _stats(t)]]
            for t in time_in_stage(scope=scope)
        ]
        return header, rows
    if name == "outcomes":
        return ["outcome", "closed_cases"], [[c.key, c.shown] for c in case_outcomes(scope)]
    if name == "referral-outcomes":
        header = ["service", *[str(label) for _v, label in ReferralOutcome.choices]]
        return header, [[r.service, *[c.shown for c in r.cells]] for r in referral_outcomes(scope)]
    if name == "overdue":
        overdue = overdue_tasks(today, scope)
        rows = [["total", "", overdue.total.shown]]
        rows += [["stage", c.key, c.shown] for c in overdue.by_stage]
        rows += [["days_late", c.key, c.shown] for c in overdue.by_lateness]
        return ["by", "group", "overdue_tasks"], rows
    raise KeyError(name)


def _stats(t: StageTime) -> list[float | None]:
    return [t.median, t.lower_quartile, t.upper_quartile, t.shortest, t.longest]
