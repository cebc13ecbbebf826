"""Which cases a user may see, and the reads built on that. Every page and endpoint asks here.

Caseworkers see their own cases, supervisors their team's, data-protection officers all;
administrators and analysts see no individual case (analysts read aggregates in reports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from kinlink.accounts.models import User
from kinlink.accounts.roles import Role, works_on_records
from kinlink.people.models import PersonName

from .models import (
    Case,
    Document,
    Pathway,
    Reassignment,
    Referral,
    Stage,
    StageMove,
    Task,
    TaskStatus,
)

DUE_SOON_DAYS = 7
DEADLINE_LIST_LIMIT = 50


def cases_visible_to(user) -> QuerySet[Case]:
    cases = Case.objects.all()
    if not user.is_authenticated or not user.is_active:
        return cases.none()
    if user.role == Role.CASEWORKER:
        return cases.filter(caseworker=user)
    if user.role == Role.SUPERVISOR:
        return cases.filter(team_id=user.team_id) if user.team_id else cases.none()
    if user.role == Role.DPO:
        return cases
    return cases.none()


def can_view_case(user, case: Case) -> bool:
    return cases_visible_to(user).filter(pk=case.pk).exists()


def can_work_on_case(user, case: Case) -> bool:
    """Caseworkers and supervisors change the cases they see; the data-protection officer
    reads them for oversight but does not work on them."""
    return works_on_records(user.role) and can_view_case(user, case)


def is_in_own_caseload(user, case: Case) -> bool:
    if user.role == Role.CASEWORKER:
        return case.caseworker_id == user.pk
    if user.role == Role.SUPERVISOR:
        return user.team_id is not None and case.team_id == user.team_id
    return False


def case_detail_for(user, pk: int) -> Case:
    """One visible case with what its page shows; raises Case.DoesNotExist otherwise."""
    return (
        cases_visible_to(user)
        .select_related("person", "pathway", "stage", "caseworker", "team")
        .prefetch_related(
            "person__names",
            Prefetch("pathway__stages", queryset=Stage.objects.order_by("position", "id")),
        )
        .get(pk=pk)
    )


def caseload(user, *, stage_id: int | None = None, query: str = "", open_only: bool = True):
    """The user's cases for the caseload page, each with its number of overdue tasks."""
    today = timezone.localdate()
    overdue = (
        Task.objects.filter(case=OuterRef("pk"), status=TaskStatus.OPEN, due_on__lt=today)
        .order_by()
        .values("case")
        .annotate(n=Count("id"))
        .values("n")
    )
    cases = (
        cases_visible_to(user)
        .select_related("stage", "caseworker", "person")
        .prefetch_related("person__names")
        .annotate(overdue=Coalesce(Subquery(overdue), 0))
    )
    if open_only:
        cases = cases.filter(closed_on__isnull=True)
    if stage_id:
        cases = cases.filter(stage_id=stage_id)
    if query:
        named = PersonName.objects.filter(
            Q(given_name__icontains=query) | Q(family_name__icontains=query)
        ).values("person_id")
        cases = cases.filter(
            Q(reference__iexact=query) | Q(person__reference__iexact=query) | Q(person_id__in=named)
        )
    return cases.order_by("reference")


def tasks_visible_to(user) -> QuerySet[Task]:
    return Task.objects.filter(case__in=cases_visible_to(user))


def documents_visible_to(user) -> QuerySet[Document]:
    return Document.objects.filter(case__in=cases_visible_to(user))


def referrals_visible_to(user) -> QuerySet[Referral]:
    return Referral.objects.filter(case__in=cases_visible_to(user))


def moves_visible_to(user) -> QuerySet[StageMove]:
    return StageMove.objects.filter(case__in=cases_visible_to(user))


def active_pathways() -> QuerySet[Pathway]:
    return Pathway.objects.filter(active=True).prefetch_related("stages")


def default_pathway() -> Pathway | None:
    return (
        Pathway.objects.filter(active=True, is_default=True).first()
        or Pathway.objects.filter(active=True).first()
    )


def case_plan(case: Case) -> QuerySet[Task]:
    return case.tasks.select_related("owner", "document__document_type").order_by(
        "status", "due_on", "id"
    )


def case_documents(case: Case) -> QuerySet[Document]:
    return case.documents.select_related("document_type").order_by("status", "expires_on", "id")


def case_reassignments(case: Case) -> QuerySet[Reassignment]:
    return case.reassignments.select_related(
        "from_caseworker", "to_caseworker", "reassigned_by"
    ).order_by("-reassigned_at", "-id")


def case_referrals(case: Case) -> QuerySet[Referral]:
    return case.referrals.order_by("-referred_on", "-id")


# Time in stage -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageStay:
    stage: Stage
    entered_at: datetime
    left_at: datetime | None
    move: StageMove

    def duration(self, now: datetime) -> timedelta:
        return (self.left_at or now) - self.entered_at

    @property
    def is_current(self) -> bool:
        return self.left_at is None


def stage_stays(case: Case) -> list[StageStay]:
    """Each stay of the case in a stage, oldest first; the last one is the current stage."""
    moves = list(
        case.moves.select_related("to_stage", "from_stage", "moved_by").order_by("moved_at", "id")
    )
    return [
        StageStay(
            stage=move.to_stage,
            entered_at=move.moved_at,
            left_at=moves[i + 1].moved_at if i + 1 < len(moves) else None,
            move=move,
        )
        for i, move in enumerate(moves)
    ]


def days_per_stage(case: Case, now: datetime | None = None) -> dict[int, int]:
    """Whole days spent in each stage (summed over repeated stays), keyed by stage id."""
    now = now or timezone.now()
    totals: dict[int, int] = {}
    for stay in stage_stays(case):
        totals[stay.stage.pk] = totals.get(stay.stage.pk, 0) + stay.duration(now).days
    return totals


# Deadlines ----------------------------------------------------------------------------------


@dataclass
class Deadlines:
    today: date
    overdue: list[Task] = field(default_factory=list)
    due_soon: list[Task] = field(default_factory=list)
    team_overdue: list[Task] = field(default_factory=list)
    overdue_count: int = 0
    due_soon_count: int = 0
    team_overdue_count: int = 0
    shows_team: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.overdue_count or self.due_soon_count or self.team_overdue_count)


# What a deadline line shows; the rest of the case, person, owner and document stays in the
# database (the home page runs this for every caseworker).
DEADLINE_FIELDS = (
    *(f.name for f in Task._meta.concrete_fields),
    "case__reference",
    "case__person_id",
    "case__person__reference",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "document__document_type__name",
)


def _deadline_tasks(tasks: QuerySet[Task]) -> QuerySet[Task]:
    names = Prefetch("case__person__names", queryset=PersonName.objects.order_by("id"))
    return (
        tasks.select_related("case", "case__person", "owner", "document__document_type")
        .only(*DEADLINE_FIELDS)
        .prefetch_related(names)
        .order_by("due_on", "id")
    )


def _owned_open_tasks(user) -> QuerySet[Task]:
    # Services give every task an owner and cancel the open tasks of a case that closes, so
    # the (owner, status, due_on) index alone answers this, with no join to the cases.
    return Task.objects.filter(owner=user, status=TaskStatus.OPEN)


def deadlines_for(user, today: date | None = None) -> Deadlines:
    """What the user's home page shows: their overdue tasks and those due in the next seven
    days; a supervisor also sees every overdue task of their team."""
    today = today or timezone.localdate()
    result = Deadlines(today=today)
    if not works_on_records(user.role):
        return result
    soon = today + timedelta(days=DUE_SOON_DAYS)
    own = Q(owner=user)
    team = user.role == Role.SUPERVISOR and bool(user.team_id)
    # Every count in one query on the (owner, status, due_on) index (a supervisor's with
    # their team's); the lists, whose joins cost more to build than to run, only where
    # there is something to list (most users, most days, have nothing).
    counts = {
        "overdue": Count("due_on", filter=own & Q(due_on__lt=today)),
        "due_soon": Count("due_on", filter=own & Q(due_on__gte=today)),
    }
    if team:
        owners = User.objects.filter(Q(team_id=user.team_id) | Q(pk=user.pk)).values("pk")
        tasks = Task.objects.filter(owner__in=owners, status=TaskStatus.OPEN)
        counts["team_overdue"] = Count("due_on", filter=~own & Q(due_on__lt=today))
    else:
        tasks = _owned_open_tasks(user)
    counts = tasks.filter(due_on__lt=soon).aggregate(**counts)
    result.overdue_count = counts["overdue"]
    result.due_soon_count = counts["due_soon"]
    shown_soon = min(result.due_soon_count, DEADLINE_LIST_LIMIT)
    if result.overdue_count <= DEADLINE_LIST_LIMIT:
        # Every overdue task and then the first due soon, in one list (by due date).
        if result.overdue_count or shown_soon:
            upcoming = _owned_open_tasks(user).filter(due_on__lt=soon)
            tasks = list(_deadline_tasks(upcoming)[: result.overdue_count + shown_soon])
            result.overdue = [task for task in tasks if task.due_on < today]
            result.due_soon = [task for task in tasks if task.due_on >= today]
    else:
        overdue = _owned_open_tasks(user).filter(due_on__lt=today)
        result.overdue = list(_deadline_tasks(overdue)[:DEADLINE_LIST_LIMIT])
        if shown_soon:
            due_soon = _owned_open_tasks(user).filter(due_on__gte=today, due_on__lt=soon)
            result.due_soon = list(_deadline_tasks(due_soon)[:shown_soon])
    if team:
        result.shows_team = True
        result.team_overdue_count = counts["team_overdue"]
        if result.team_overdue_count:
            result.team_overdue = _team_overdue(user, today)
    return result


def _team_overdue(supervisor, today: date) -> list[Task]:
    """Overdue tasks held by the supervisor's team (not by the supervisor), of the team's
    cases only (what the supervisor may open). Their count, a number without names, counts
    every case's (`deadlines_for`)."""
    members = User.objects.filter(team_id=supervisor.team_id).exclude(pk=supervisor.pk).values("pk")
    shown = Task.objects.filter(
        owner_id__in=members,
        status=TaskStatus.OPEN,
        due_on__lt=today,
        case__team_id=supervisor.team_id,
    )
    return list(_deadline_tasks(shown)[:DEADLINE_LIST_LIMIT])


def expiring_documents(user, today: date | None = None, days: int = 90) -> QuerySet[Document]:
    """Current documents of the user's open cases that expire within `days` (or have expired)."""
    today = today or timezone.localdate()
    return (
        documents_visible_to(user)
        .filter(
            status="current",
            expires_on__isnull=False,
            expires_on__lte=today + timedelta(days=days),
            case__closed_on__isnull=True,
        )
        .select_related("case", "case__person", "document_type")
        .prefetch_related("case__person__names")
        .order_by("expires_on", "id")
    )
