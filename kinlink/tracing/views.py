"""Tracing pages: caseload, new enquiry, enquiry with candidates, consent, messages and the
printable reply to the family. Thin: every rule is in tracing.services; every query is
filtered by tracing.selectors, so an enquiry outside the caseload answers 404."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinlink.accounts.roles import works_on_records
from kinlink.people.selectors import (
    consent_history,
    hidden_name_texts_by_person,
    names_visible_to,
    persons_visible_to,
    shown_to,
)

from . import services
from .explanations import explanation_pieces
from .exports import FORMATS
from .forms import (
    CaseloadExportForm,
    CloseForm,
    ConsentForm,
    DecisionForm,
    DeliverForm,
    EnquiryForm,
    ImportForm,
    MessageForm,
    NoteForm,
    ReplyForm,
    ReviewForm,
    VerificationForm,
    WithdrawForm,
    apply_errors,
)
from .imports import COLUMNS, ImportFileError
from .models import Candidate, Decision, Enquiry, EnquiryStatus, FamilyMessage, Notification
from .selectors import (
    candidates_of,
    candidates_visible_to,
    caseload,
    enquiries_alike,
    enquiries_visible_to,
    messages_of,
    possible_other_records,
    shown_candidates,
    unread_notification_groups,
)


def _enquiry_or_404(request: HttpRequest, pk: int, *, only: tuple[str, ...] = ()) -> Enquiry:
    """`only`: the columns to load (all, and all of the related records', when empty)."""
    enquiries = enquiries_visible_to(request.user).select_related(
        "enquirer", "sought_person", "caseworker"
    )
    try:
        return (enquiries.only(*only) if only else enquiries).get(pk=pk)
    except Enquiry.DoesNotExist:
        # Same answer whether the enquiry exists or not: an id reveals nothing.
        raise Http404(_("No such enquiry in your caseload.")) from None


def _candidate_or_404(request: HttpRequest, pk: int) -> Candidate:
    candidate = (
        candidates_visible_to(request.user)
        .filter(pk=pk)
        .select_related("enquiry", "person")
        .first()
    )
    if candidate is None:
        raise Http404(_("No such candidate."))
    return candidate


def _message_or_404(request: HttpRequest, pk: int) -> FamilyMessage:
    message = (
        FamilyMessage.objects.filter(enquiry__in=enquiries_visible_to(request.user), pk=pk)
        .select_related("enquiry")
        .first()
    )
    if message is None:
        raise Http404(_("No such message."))
    return message


def _flash(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


LIST_COLUMNS = (
    "reference",
    "sought_given_name",
    "sought_family_name",
    "sought_birth_year",
    "relationship",
    "status",
    "outcome",
    "updated_at",
    "enquirer__reference",
    "caseworker__username",
    "caseworker__first_name",
    "caseworker__last_name",
)


@login_required
def enquiry_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()
    # Only the columns the list shows: the enquiry's and its enquirer's and caseworker's whole
    # rows made the page's 25 rows cost more than everything else on it.
    enquiries = caseload(request.user, status=status, query=query).only(*LIST_COLUMNS)
    page = Paginator(enquiries, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "query": query,
        "statuses": EnquiryStatus.choices,
        "notifications": unread_notification_groups(request.user, 20),
        "may_create": works_on_records(request.user.role),
    }
    return render(request, "tracing/enquiry_list.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = Notification.objects.filter(user=request.user, pk=pk).first()
    if notification is None:
        raise Http404(_("No such notification."))
    services.mark_notification_group_read(user=request.user, notification=notification)
    return redirect("tracing:enquiry_detail", notification.enquiry_id)


@login_required
def person_other_records(request: HttpRequest, pk: int) -> HttpResponse:
    """Records in the caseload that may be the same person, each with why and a merge."""
    visible = persons_visible_to(request.user)
    person = visible.prefetch_related("names").filter(pk=pk).first()
    if person is None:
        raise Http404(_("No such person in your caseload."))
    ranked = possible_other_records(request.user, person)
    others = visible.prefetch_related("names").in_bulk([c.person_id for c in ranked])
    rows = [
        {
            "person": others[c.person_id],
            "likelihood": c.pair_probability,
            "why": explanation_pieces(c.explanation, [dataclasses.asdict(e) for e in c.evidence]),
        }
        for c in ranked
    ]
    context = {"person": person, "rows": rows, "may_merge": works_on_records(request.user.role)}
    return render(request, "tracing/person_other_records.html", context)


@login_required
def enquiry_create(request: HttpRequest) -> HttpResponse:
    if not works_on_records(request.user.role):
        raise PermissionDenied(_("Only caseworkers and supervisors record enquiries."))
    form = EnquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enquirer = None
        if data["enquirer_reference"]:
            enquirer = (
                persons_visible_to(request.user)
                .filter(reference__iexact=data["enquirer_reference"].strip())
                .first()
            )
            if enquirer is None:
                form.add_error("enquirer_reference", _("No such person in your caseload."))
        if not form.errors:
            try:
                enquiry = services.create_enquiry(
                    user=request.user,
                    enquirer=enquirer,
                    new_enquirer=None
                    if enquirer
                    else {
                        "names": [
                            {
                                "given_name": data["enquirer_given_name"],
                                "family_name": data["enquirer_family_name"],
                            }
                        ]
                    },
                    relationship=data["relationship"],
                    relationship_detail=data["relationship_detail"],
                    sought=form.sought(),
                    last_news_when=data["last_news_when"],
                    last_news_where=data["last_news_where"],
                    last_news_circumstances=data["last_news_circumstances"],
                    enquirer_contact=data["enquirer_contact"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Enquiry recorded; the registry was searched."))
                alike = enquiries_alike(request.user, enquiry)
                if alike:
                    messages.warning(
                        request,
                        _(
                            "Other open enquiries seek a person with a name like this: "
                            "%(references)s. The same person may be sought twice."
                        )
                        % {"references": ", ".join(alike)},
                    )
                return redirect("tracing:enquiry_detail", enquiry.pk)
    return render(request, "tracing/enquiry_form.html", {"form": form})


#: An undecided candidate under this score is listed folded away on the enquiry page.
LONG_SHOT_BELOW = 0.01


def _long_shot(candidate: Candidate) -> bool:
    return candidate.score < LONG_SHOT_BELOW and candidate.decision == Decision.PENDING


# What a user is shown as (`display_name`: the full name, else the username).
USER_SHOWN = ("id", "username", "first_name", "last_name")
# The enquiry page prints every column of the enquiry but the enquirer's contact, and of the
# records it joins only these: no sealed column, no password hash is loaded for it.
DETAIL_COLUMNS = (
    *(f.name for f in Enquiry._meta.concrete_fields if f.name != "enquirer_contact"),
    "enquirer__id",
    "enquirer__reference",
    "sought_person__id",
    *(f"caseworker__{column}" for column in USER_SHOWN),
)
STATUS_CHANGE_COLUMNS = ("id", "enquiry_id", "to_status", "outcome", "at", "by", "note")
STATUS_CHANGE_COLUMNS += tuple(f"by__{column}" for column in USER_SHOWN)
MESSAGE_COLUMNS = ("id", "enquiry_id", "direction", "text", "transcribed", "state", "author")
MESSAGE_COLUMNS += ("written_at", "reviewed_by", "review_note")
MESSAGE_COLUMNS += tuple(f"author__{column}" for column in USER_SHOWN)
MESSAGE_COLUMNS += tuple(f"reviewed_by__{column}" for column in USER_SHOWN)


@login_required
def enquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(request, pk, only=DETAIL_COLUMNS)
    # the evidence (a short JSON list per candidate) marks each line of the explanation
    candidates = shown_candidates(request.user, candidates_of(enquiry), channel="page")
    # Which candidates' records the user may open: asked with the caseload check above.
    viewable = candidates.viewable
    # The candidates' names are loaded with them: only a person the user may not open who
    # has a hidden name has texts to hide, so the query for them is skipped when none has.
    hidden = hidden_name_texts_by_person(
        {
            c.person
            for c in candidates
            if c.person_id not in viewable and any(n.hidden for n in c.person.names.all())
        }
    )
    for candidate in candidates:
        candidate.viewable = candidate.person_id in viewable
        # another team's person: their hidden names stay hidden, also in the explanation
        candidate.shown_names = names_visible_to(
            request.user, candidate.person, viewable=candidate.viewable
        )
        candidate.shown_explanation = explanation_pieces(
            shown_to(
                request.user,
                candidate.person,
                candidate.explanation,
                viewable=candidate.viewable,
                hidden_texts=hidden.get(candidate.person_id, []),
            ),
            candidate.evidence,
        )
    consent = services.enquiry_consent(enquiry)
    confirmed = services.confirmed_candidate(enquiry)
    context = {
        "enquiry": enquiry,
        "confirmed": confirmed,
        "verification": services.enquiry_verification(enquiry, confirmed=confirmed),
        "verification_form": VerificationForm(),
        # undecided long shots folded away under the list: the page leads with the likely
        "candidates": [c for c in candidates if not _long_shot(c)],
        "weak_candidates": [c for c in candidates if _long_shot(c)],
        "status_changes": enquiry.status_changes.select_related("by").only(*STATUS_CHANGE_COLUMNS),
        "consent": consent,
        # who delivered a message is not shown here: no join for it
        "family_messages": messages_of(enquiry)
        .select_related(None)
        .select_related("author", "reviewed_by")
        .only(*MESSAGE_COLUMNS),
        "close_form": None
        if enquiry.is_closed
        else CloseForm(outcomes=services.possible_outcomes(enquiry, consent=consent)),
        "message_form": MessageForm(),
        "may_work": works_on_records(request.user.role),
    }
    return render(request, "tracing/enquiry_detail.html", context)


@login_required
@require_POST
def enquiry_search(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(request, pk)
    try:
        services.start_search(user=request.user, enquiry=enquiry)
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("tracing:enquiry_detail", enquiry.pk)


@login_required
@require_POST
def enquiry_asked(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(request, pk)
    form = NoteForm(request.POST)
    try:
        form.is_valid()
        services.mark_person_asked(
            user=request.user, enquiry=enquiry, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("tracing:enquiry_detail", enquiry.pk)


@login_required
@require_POST
def enquiry_close(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_enquiry(user=request.user, enquiry=enquiry, **form.cleaned_data)
        except ValidationError as exc:
            _flash(request, exc)
    else:
        messages.error(request, _("Choose the outcome the enquiry is closed with."))
    return redirect("tracing:enquiry_detail", enquiry.pk)


@login_required
@require_POST
def enquiry_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(request, pk)
    form = NoteForm(request.POST)
    form.is_valid()
    try:
        services.reopen_enquiry(
            user=request.user, enquiry=enquiry, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("tracing:enquiry_detail", enquiry.pk)


@login_required
@require_POST
def candidate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _candidate_or_404(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and give a reason."))
    else:
        try:
            services.decide_candidate(user=request.user, candidate=candidate, **form.cleaned_data)
        except ValidationError as exc:
            _flash(request, exc)
    return redirect("tracing:enquiry_detail", candidate.enquiry_id)


@login_required
@require_POST
def candidate_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the enquirer recognises the person found / the relationship is confirmed."""
    candidate = _candidate_or_404(request, pk)
    form = VerificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was verified, how and when."))
    else:
        try:
            services.record_verification(
                user=request.user, candidate=candidate, **form.cleaned_data
            )
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("The verification was recorded."))
    return redirect("tracing:enquiry_detail", candidate.enquiry_id)


@login_required
def enquiry_consent(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(request, pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_enquiry_consent(user=request.user, enquiry=enquiry, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("tracing:enquiry_detail", enquiry.pk)
    history = (
        consent_history(enquiry.sought_person, enquiry.consent_context)
        if enquiry.sought_person_id
        else []
    )
    context = {
        "enquiry": enquiry,
        "form": form,
        "withdraw_form": WithdrawForm(),
        "consent": services.enquiry_consent(enquiry),
        "history": history,
    }
    return render(request, "tracing/consent_form.html", context)


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(request, pk)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.withdraw_enquiry_consent(
            user=request.user, enquiry=enquiry, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("The consent was withdrawn."))
    return redirect("tracing:enquiry_consent", enquiry.pk)


@login_required
@require_POST
def message_create(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.write_message(user=request.user, enquiry=enquiry, **form.cleaned_data)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("The message waits for review by a second person."))
    else:
        messages.error(request, _("Write the message and choose its direction."))
    return redirect("tracing:enquiry_detail", enquiry.pk)


def _message_action(request: HttpRequest, pk: int, form_class, service, **extra) -> HttpResponse:
    message = _message_or_404(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("Something is missing in the form."))
    else:
        try:
            service(user=request.user, message=message, **form.cleaned_data, **extra)
        except ValidationError as exc:
            _flash(request, exc)
    return redirect("tracing:enquiry_detail", message.enquiry_id)


@login_required
@require_POST
def message_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _message_action(request, pk, ReviewForm, services.review_message)


@login_required
@require_POST
def message_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    return _message_action(request, pk, DeliverForm, services.deliver_message)


@login_required
@require_POST
def message_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _message_action(request, pk, ReplyForm, services.record_reply)


@login_required
def import_file(request: HttpRequest) -> HttpResponse:
    """Upload, preview (row errors by line and field), then import; re-runs create nothing
    twice."""
    if not works_on_records(request.user.role):
        raise PermissionDenied(_("Only caseworkers and supervisors import records."))
    form = ImportForm()
    context: dict = {"columns": COLUMNS}
    if request.method == "POST" and "pending" in request.POST:
        try:
            context["result"] = services.finish_import(
                user=request.user, pending_id=int(request.POST["pending"])
            )
        except (ValueError, ValidationError, ImportFileError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                context["pending"], context["preview"] = services.stage_import(
                    user=request.user,
                    kind=form.cleaned_data["kind"],
                    data=upload.read(),
                    filename=upload.name,
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
    context["form"] = form
    return render(request, "tracing/import.html", context)


def _export_context(form: CaseloadExportForm) -> dict:
    labels = dict(CaseloadExportForm.COLUMNS)
    return {
        "form": form,
        "purposes": [
            (label, [labels[c] for c in services.EXPORT_PURPOSES[key]])
            for key, label in CaseloadExportForm.PURPOSES
        ],
        "threshold": services.export_passphrase_threshold(),
    }


def _export_download(export: services.CaseloadExport) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def caseload_export_page(request: HttpRequest) -> HttpResponse:
    """Choose format, purpose, columns, recipient and a passphrase; the service minimises,
    refuses what the purpose does not need, encrypts and audits."""
    form = CaseloadExportForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            return _export_download(
                services.export_caseload_file(
                    user=request.user,
                    fmt=data["format"],
                    purpose=data["purpose"],
                    columns=data["columns"],
                    recipient=data["recipient"],
                    passphrase=data["passphrase"],
                )
            )
        except ValidationError as exc:
            apply_errors(form, exc)
    if request.method == "POST":
        status = 400
    return render(request, "tracing/export.html", _export_context(form), status=status)


@login_required
def caseload_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The quick links: every column of the purpose, no passphrase (small caseloads only)."""
    if fmt not in FORMATS:
        raise Http404(_("No such format."))
    try:
        export = services.export_caseload_file(
            user=request.user,
            fmt=fmt,
            purpose=request.GET.get("purpose", services.DEFAULT_EXPORT_PURPOSE),
            recipient=request.GET.get("for", ""),
        )
    except ValidationError as exc:
        form = CaseloadExportForm(initial={"format": fmt})
        apply_errors(form, exc)
        return render(request, "tracing/export.html", _export_context(form), status=400)
    return _export_download(export)


@login_required
def import_errors(request: HttpRequest, pending: int, fmt: str) -> HttpResponse:
    """The rows of an uploaded file that cannot be imported, as CSV or XLSX."""
    if fmt not in FORMATS:
        raise Http404(_("No such format."))
    if not works_on_records(request.user.role):
        raise PermissionDenied(_("Only caseworkers and supervisors import records."))
    try:
        data = services.pending_import_errors(user=request.user, pending_id=pending, fmt=fmt)
    except (ValidationError, ImportFileError) as exc:
        raise Http404(str(getattr(exc, "message", exc))) from exc
    response = HttpResponse(data, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="import-errors.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def family_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable reply to the family: exactly what the consent allows (audited)."""
    enquiry = _enquiry_or_404(request, pk)
    reply = services.family_reply(enquiry, user=request.user, channel="letter")
    response = render(request, "tracing/letter.html", {"enquiry": enquiry, "reply": reply})
    response["Cache-Control"] = "no-store"
    return response
