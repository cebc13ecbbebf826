"""Which enquiries a user may see. Every page and endpoint about tracing filters here."""

from __future__ import annotations

from django.db.models import QuerySet

from kinlink.accounts.roles import Role

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
        return enquiries.filter(team=user.team) if user.team_id else enquiries.none()
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
    return (
        enquiry.candidates.select_related("person", "decided_by")
        .prefetch_related("person__names")
        .order_by("-score", "id")
    )


def messages_of(enquiry: Enquiry) -> QuerySet[FamilyMessage]:
    return enquiry.messages.select_related("author", "reviewed_by", "delivered_by")


def open_statuses() -> list[str]:
    return [s for s in EnquiryStatus.values if s != EnquiryStatus.CLOSED]


def unread_notifications(user) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(user=user, read_at__isnull=True)
        .select_related("enquiry", "candidate__person")
        .order_by("-created_at")
    )
