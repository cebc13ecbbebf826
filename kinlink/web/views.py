from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kinlink.accounts.roles import may_read_audit, may_see_reports
from kinlink.audit.selectors import filter_entries
from kinlink.audit.services import verify_chain
from kinlink.people import services as people_services
from kinlink.people.models import Gender, LifeStatus, Person, PersonName
from kinlink.people.selectors import persons_visible_to, search_persons
from kinlink.reports.aggregates import suppressed_counts
from kinlink.tracing.selectors import persons_found, unread_notification_groups

from .forms import AuditFilterForm, RevealForm

SEARCH_IDS_AT_ONCE = 2000


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# What the persons list prints of a person (no sealed fields, nothing else decoded).
PERSON_LIST_FIELDS = (
    "id",
    "reference",
    "birth_year",
    "birth_year_margin",
    "birth_place",
    "caseworker",
    "caseworker__username",
    "caseworker__first_name",
    "caseworker__last_name",
)


def _names_by_id() -> Prefetch:
    """Persons' names as pages print them (in id order within each person), without the
    join to the persons that their default ordering (by the person's reference) adds."""
    return Prefetch(
        "names",
        queryset=PersonName.objects.order_by("id").only(
            "id", "person_id", "given_name", "family_name"
        ),
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    persons = persons_visible_to(request.user)
    context = {
        "notifications": unread_notification_groups(request.user, 8),
        "person_count": persons.count(),
        "recent_persons": persons.only("id", "reference", "updated_at")
        .prefetch_related(_names_by_id())
        .order_by("-updated_at")[:8],
    }
    return render(request, "web/home.html", context)


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    persons = (
        persons_visible_to(request.user)
        .select_related("caseworker")
        .only(*PERSON_LIST_FIELDS)
        .prefetch_related(_names_by_id())
    )
    query = request.GET.get("q", "").strip()
    if query:
        # the matching ids, sorted, are paginated here and only the page's persons read
        ids = persons_found(persons, query, at_most=SEARCH_IDS_AT_ONCE)
        if ids is not None:
            page = Paginator(ids, 25).get_page(request.GET.get("page"))
            by_id = persons.in_bulk(list(page.object_list))
            page.object_list = [by_id[pk] for pk in page.object_list]
            return render(request, "web/person_list.html", {"page": page, "query": query})
        persons = search_persons(persons, query)
    page = Paginator(persons.order_by("reference"), 25).get_page(request.GET.get("page"))
    return render(request, "web/person_list.html", {"page": page, "query": query})


def _visible_person_or_404(request: HttpRequest, pk: int) -> Person:
    try:
        return persons_visible_to(request.user).prefetch_related("names").get(pk=pk)
    except Person.DoesNotExist:
        # Same answer whether the person exists or not: an id reveals nothing.
        raise Http404(_("No such person in your caseload.")) from None


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _visible_person_or_404(request, pk)
    return render(
        request, "web/person_detail.html", {"person": person, "reveal_form": RevealForm()}
    )


@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    person = _visible_person_or_404(request, pk)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        revealed = {
            "field": form.cleaned_data["field"],
            "value": people_services.read_sensitive_field(
                user=request.user,
                person=person,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
            ),
        }
    response = render(
        request,
        "web/person_detail.html",
        {"person": person, "reveal_form": form, "revealed": revealed},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET"])
def audit_list(request: HttpRequest) -> HttpResponse:
    if not may_read_audit(request.user.role):
        raise PermissionDenied(_("Only data-protection officers read the audit log."))
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = filter_entries(**{k: v for k, v in filters.items() if v})
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    chain = verify_chain() if request.GET.get("verify") else None
    return render(request, "web/audit_list.html", {"form": form, "page": page, "chain": chain})


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    if not may_see_reports(request.user.role):
        raise PermissionDenied(
            _("Reports are for supervisors, analysts and data-protection officers.")
        )
    # a record merged into another is the same person: counted once, as the survivor
    registry = Person.objects.filter(merged_into__isnull=True)
    by_status = suppressed_counts(
        registry.values("status").annotate(n=Count("id")).order_by("status"),
        "status",
        dict(LifeStatus.choices),
    )
    by_gender = suppressed_counts(
        registry.values("gender").annotate(n=Count("id")).order_by("gender"),
        "gender",
        dict(Gender.choices),
    )
    return render(request, "web/reports.html", {"by_status": by_status, "by_gender": by_gender})
