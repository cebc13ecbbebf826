"""Which enquiries a user may see. Every page and endpoint about tracing filters here."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, F, Max, Prefetch, QuerySet

from kinlink.accounts.roles import Role
from kinlink.audit.models import Action
from kinlink.audit.services import record_many
from kinlink.people.models import PersonName
from kinlink.people.selectors import persons_visible_to, search_persons

from .matching import (
    RankedCandidate,
    enquiries_with_similar_names,
    persons_with_similar_names,
    rank_for_person,
)
from .models import Candidate, Enquiry, EnquiryStatus, FamilyMessage, Notification


def enquiries_visible_to(user) -> QuerySet[Enquiry]:
    """Like persons: caseworkers their own, supervisors their team's, data-protection
    officers all; administrators and analysts none."""
    enquiries = Enquiry.objects.all()
    if not user.is_authenticated or not user.is_active:
        return enquiries.none()
    if user.role == Role.CASEWORKER:
        return enquiries.filter(caseworker=user)
    if user.role == Role.SUPERVISOR:
        return enquiries.filter(team_id=user.team_id) if user.team_id else enquiries.none()
    if user.role == Role.DPO:
        return enquiries
    return enquiries.none()


def can_view_enquiry(user, enquiry: Enquiry) -> bool:
    return enquiries_visible_to(user).filter(pk=enquiry.pk).exists()


def caseload(user, *, status: str = "", query: str = "") -> QuerySet[Enquiry]:
    enquiries = enquiries_visible_to(user).select_related("enquirer", "caseworker")
    if status:
        enquiries = enquiries.filter(status=status)
    if query:
        # the sought name as typed, or spelled another way in any script ("Hosein": حسین)
        similar = enquiries_with_similar_names(enquiries, query)
        enquiries = (
            enquiries.filter(reference__iexact=query)
            | enquiries.filter(sought_given_name__icontains=query)
            | enquiries.filter(sought_family_name__icontains=query)
            | enquiries.filter(pk__in=similar)
        )
    return enquiries.order_by("-updated_at", "-id")


# What the enquiry page and the candidates endpoint print of a candidate, its person, its
# names and who decided on it: not the person's sealed fields, caseload or history columns,
# not the deciding user's password, e-mail or flags.
CANDIDATE_COLUMNS = (
    "id",
    "enquiry_id",
    "person_id",
    "rank",
    "score",
    "explanation",
    "evidence",
    "found_later",
    "proposed_at",
    "decision",
    "decided_by_id",
    "decided_at",
    "decision_reason",
    "person__id",
    "person__reference",
    "person__birth_year",
    "person__birth_year_end",
    "person__birth_year_margin",
    "person__birth_place",
    "decided_by__id",
    "decided_by__username",
    "decided_by__first_name",
    "decided_by__last_name",
)
CANDIDATE_NAME_COLUMNS = ("id", "person_id", "given_name", "family_name", "father_name", "hidden")


def candidates_of(enquiry: Enquiry) -> QuerySet[Candidate]:
    """The enquiry's candidates, best first. A person merged into another record is no
    candidate any more (the survivor is matched in its place); only the merge history
    shows the old record. Only the columns a page or response shows are loaded (any other
    is read when first asked for)."""
    return (
        enquiry.candidates.filter(person__merged_into__isnull=True)
        .select_related("person", "decided_by")
        .only(*CANDIDATE_COLUMNS)
        .prefetch_related(
            # each person's names by id, as PersonName's default order (person, id) gives
            # them, without joining the persons to sort by the person's own order
            Prefetch(
                "person__names",
                PersonName.objects.only(*CANDIDATE_NAME_COLUMNS).order_by("person_id", "id"),
            )
        )
        .order_by("-score", "id")
    )


def candidates_visible_to(user) -> QuerySet[Candidate]:
    """Candidates of the enquiries the user may see (the persons proposed may be in anyone's
    caseload: tracing looks across the registry), merged-away persons left out."""
    return Candidate.objects.filter(
        enquiry__in=enquiries_visible_to(user), person__merged_into__isnull=True
    )


class ShownCandidates(list):
    """The candidates `shown_candidates` let through, with `viewable`: the ids of their
    persons whose records the user may open (`viewable_person_ids` for them, asked in the
    same query as the caseload check)."""

    viewable: set[int]


def shown_candidates(user, candidates: Iterable[Candidate], *, channel: str) -> ShownCandidates:
    """The candidates about to be shown to `user`, each one whose person is outside the
    user's caseload logged first (DESIGN rule 3: every access outside one's caseload is
    logged with a reason; here the reason is the enquiry being traced). Call it on exactly
    what a page or an endpoint displays."""
    shown = ShownCandidates(candidates)
    ids = {candidate.person_id for candidate in shown}
    # One query answers both questions: which records the user may open (merged ones
    # included, as `viewable_person_ids`) and which persons are in the caseload (not merged).
    rows = (
        persons_visible_to(user, include_merged=True)
        .filter(pk__in=ids)
        .order_by()
        .values_list("pk", "merged_into_id")
        if ids
        else []
    )
    shown.viewable = set()
    inside = set()
    for pk, merged_into in rows:
        shown.viewable.add(pk)
        if merged_into is None:
            inside.add(pk)
    outside = [candidate for candidate in shown if candidate.person_id not in inside]
    if outside:
        # One entry per person read, appended together: the chain's head is locked once.
        record_many(
            [
                {
                    "action": Action.READ,
                    "object_type": "people.person",
                    "object_id": candidate.person_id,
                    "field": "candidate",
                    "detail": {
                        "reason": "matching candidate outside the caseload",
                        "enquiry": candidate.enquiry.reference,
                        "candidate": candidate.pk,
                        "channel": channel,
                    },
                }
                for candidate in outside
            ]
        )
    return shown


def messages_of(enquiry: Enquiry) -> QuerySet[FamilyMessage]:
    return enquiry.messages.select_related("author", "reviewed_by", "delivered_by")


def open_statuses() -> list[str]:
    return [s for s in EnquiryStatus.values if s != EnquiryStatus.CLOSED]


def unread_notifications(user) -> QuerySet[Notification]:
    """Unread, newest first; none about a candidate merged into another record since, none
    of a closed enquiry (nothing can be done on it; they come back if it is reopened).
    Loaded with their enquiry's reference only (what a list of them shows); the candidate
    and its person are joined for the merge check, not read."""
    return (
        Notification.objects.filter(user=user, read_at__isnull=True)
        .exclude(enquiry__status=EnquiryStatus.CLOSED)
        .exclude(candidate__person__merged_into__isnull=False)
        .select_related("enquiry")
        .only(
            "id",
            "user_id",
            "kind",
            "enquiry_id",
            "candidate_id",
            "created_at",
            "read_at",
            "enquiry__id",
            "enquiry__reference",
        )
        .order_by("-created_at")
    )


def unread_notification_groups(user, limit: int) -> list[dict]:
    """Unread notifications folded into one line per enquiry and kind, newest first: three
    persons registered after an enquiry read as "3 persons ... E-000004", not as three
    identical lines. Each group: kind, enquiry_id, reference, count, latest (its newest
    notification's time) and pk (one of its notifications, to open and mark them read)."""
    groups = (
        unread_notifications(user)
        .select_related(None)
        .order_by()
        .values("kind", "enquiry_id", reference=F("enquiry__reference"))
        .annotate(count=Count("id"), latest=Max("created_at"), pk=Max("id"))
        .order_by("-latest", "-pk")
    )
    return list(groups[:limit])


#: How likely, that pair alone, another record must be to be shown as maybe the same person.
SAME_PERSON_AT = 0.3


def possible_other_records(user, person) -> list[RankedCandidate]:
    """Records in the caller's caseload that may be the same person as `person`, best
    first (registered twice, by two offices or in two scripts): those a merge could join.
    Only persons the caller sees are compared, so nothing is read outside the caseload."""
    ranked = rank_for_person(person, persons_visible_to(user))
    return [c for c in ranked if c.pair_probability >= SAME_PERSON_AT]


def persons_found(persons, query: str, *, at_most: int = 2000) -> list[int] | None:
    """Ids of the persons among `persons` that a search for `query` finds, sorted by
    reference: names containing it or that reference (`people.selectors.search_persons`),
    and names spelled another way in any script (`matching.persons_with_similar_names`).
    None when more than `at_most` names contain it: the caller then pages the substring
    matches in the database alone. The search runs once, not once to count and once per
    page."""
    rows = list(
        search_persons(persons, query)
        .order_by("reference")
        .values_list("reference", "pk")[: at_most + 1]
    )
    if len(rows) > at_most:
        return None
    listed = {pk for _, pk in rows}
    similar = persons_with_similar_names(persons, query, known=listed)
    if similar:
        rows += persons.filter(pk__in=similar).values_list("reference", "pk").order_by()
        rows.sort()
    return [pk for _, pk in rows]


def enquiries_alike(user, enquiry: Enquiry) -> list[str]:
    """References of the caller's other open enquiries whose sought person has a name alike
    to this one's, in any spelling or script: the same person may be sought twice, by two
    relatives or through two offices."""
    name = f"{enquiry.sought_given_name} {enquiry.sought_family_name}".strip()
    others = enquiries_visible_to(user).exclude(pk=enquiry.pk)
    ids = enquiries_with_similar_names(others, name)
    alike = Enquiry.objects.filter(pk__in=ids).order_by("reference")
    return list(alike.values_list("reference", flat=True))
