"""Which enquiries a user may see. Every page and endpoint about tracing filters here."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from kinlink.accounts.roles import Role
from kinlink.audit.models import Action
from kinlink.audit.services import record_many
from kinlink.people.selectors import persons_visible_to

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
        enquiries = (
            enquiries.filter(reference__iexact=query)
            | enquiries.filter(sought_given_name__icontains=query)
            | enquiries.filter(sought_family_name__icontains=query)
        )
    return enquiries.order_by("-updated_at", "-id")


def candidates_of(enquiry: Enquiry) -> QuerySet[Candidate]:
    """The enquiry's candidates, best first. A person merged into another record is no
    candidate any more (the survivor is matched in its place); only the merge history
    shows the old record."""
    return (
        enquiry.candidates.filter(person__merged_into__isnull=True)
        .select_related("person", "decided_by")
        .prefetch_related("person__names")
        .order_by("-score", "id")
    )


def candidates_visible_to(user) -> QuerySet[Candidate]:
    """Candidates of the enquiries the user may see (the persons proposed may be in anyone's
    caseload: tracing looks across the registry), merged-away persons left out."""
    return Candidate.objects.filter(
        enquiry__in=enquiries_visible_to(user), person__merged_into__isnull=True
    )


def shown_candidates(user, candidates: Iterable[Candidate], *, channel: str) -> list[Candidate]:
    """The candidates about to be shown to `user`, each one whose person is outside the
    user's caseload logged first (DESIGN rule 3: every access outside one's caseload is
    logged with a reason; here the reason is the enquiry being traced). Call it on exactly
    what a page or an endpoint displays."""
    candidates = list(candidates)
    ids = {candidate.person_id for candidate in candidates}
    inside = set(
        persons_visible_to(user).filter(pk__in=ids).order_by().values_list("pk", flat=True)
    )
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
            for candidate in candidates
            if candidate.person_id not in inside
        ]
    )
    return candidates


def messages_of(enquiry: Enquiry) -> QuerySet[FamilyMessage]:
    return enquiry.messages.select_related("author", "reviewed_by", "delivered_by")


def open_statuses() -> list[str]:
    return [s for s in EnquiryStatus.values if s != EnquiryStatus.CLOSED]


def unread_notifications(user) -> QuerySet[Notification]:
    """Unread, newest first; none about a candidate merged into another record since."""
    return (
        Notification.objects.filter(user=user, read_at__isnull=True)
        .exclude(candidate__person__merged_into__isnull=False)
        .select_related("enquiry", "candidate__person")
        .order_by("-created_at")
    )
