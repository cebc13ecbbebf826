"""Testimony pages. Thin: parse a form, call a service or selector, render.

Records outside the user's reach answer 404, as if they did not exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinlink.accounts.roles import may_see_reports
from kinlink.people.models import Person
from kinlink.people.selectors import names_visible_to, persons_visible_to

from . import evidence, jobs, selectors, services
from .forms import (
    AliasForm,
    AttachmentForm,
    CorrectAccountForm,
    CorrectEventForm,
    EventForm,
    EventTypeForm,
    ExportForm,
    MentionForm,
    NamingConsentForm,
    PlaceForm,
    RevealForm,
    SearchForm,
    TestimonyForm,
    UseConsentForm,
)
from .models import Attachment, EventType, JobStatus, Place, Purpose, Testimony, Use

# Bundles of up to this many testimonies are built during the request; larger ones in the
# background, with a progress bar (`jobs.py`).
INLINE_EXPORT_LIMIT = 25


def _page_number(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return 1


def _testimony_or_404(request: HttpRequest, pk: int) -> Testimony:
    try:
        return selectors.testimonies_visible_to(request.user).select_related("witness").get(pk=pk)
    except Testimony.DoesNotExist:
        raise Http404(_("No such testimony in your caseload.")) from None


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@login_required
def testimony_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, user=request.user)
    query = selectors.SearchQuery()
    if form.is_valid():
        data = form.cleaned_data
        query = selectors.SearchQuery(
            text=data["q"],
            event_type=data["event_type"],
            place=data["place"],
            since=data["since"],
            until=data["until"],
            person=data["person"],
        )
    if form.is_bound and not form.is_valid():
        page = selectors.SearchPage([], 1, has_next=False, count=0)
    else:
        page = selectors.search_testimonies(request.user, query).page(_page_number(request))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "querystring": params.urlencode(),
        "capped": page.count is not None and page.count >= selectors.SEARCH_COUNT_CAP,
        "cap": selectors.SEARCH_COUNT_CAP,
        "may_record": selectors.may_record_testimonies(request.user),
        "may_export": selectors.may_export_evidence(request.user),
    }
    return render(request, "testimony/testimony_list.html", context)


@login_required
def testimony_create(request: HttpRequest) -> HttpResponse:
    if not selectors.may_record_testimonies(request.user):
        raise PermissionDenied(_("Only caseworkers and supervisors record testimonies."))
    form = TestimonyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            testimony = services.record_testimony(
                user=request.user,
                witness=data["witness"],
                recorded_on=data["recorded_on"],
                recorded_place=data["recorded_place"],
                language=data["language"],
                source_kind=data["source_kind"],
                source_url=data["source_url"],
                source_captured_on=data["source_captured_on"],
                account=data["account"],
                uses=data["uses"],
                consent_method=data["consent_method"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Testimony %(ref)s recorded.") % {"ref": testimony.reference}
            )
            return redirect("testimony:detail", pk=testimony.pk)
    return render(request, "testimony/testimony_form.html", {"form": form})


def _detail_context(request: HttpRequest, testimony: Testimony, **forms) -> dict:
    people = selectors.people_of(testimony)
    naming = selectors.naming_status(p.pk for p in people)
    events = selectors.with_event_details(testimony.events.all()).order_by("earliest", "id")
    uses = selectors.uses_in_force(testimony)
    return {
        "testimony": testimony,
        # hidden names only for those who may open the witness's record
        "witness_names": names_visible_to(request.user, testimony.witness),
        "events": events,
        "attachments": testimony.attachments.all(),
        "uses": [label for use, label in Use.choices if use in uses],
        "consents": selectors.consent_history(testimony),
        "people": [
            (
                p,
                naming.get(p.pk, {}).get(Purpose.HUMAN_RIGHTS_REPORT, False),
                naming.get(p.pk, {}).get(Purpose.COURT, False),
            )
            for p in people
        ],
        "may_record": selectors.may_record_testimonies(request.user),
        "reveal_form": forms.get("reveal_form") or RevealForm(),
        "event_form": forms.get("event_form") or EventForm(user=request.user),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "use_form": forms.get("use_form") or UseConsentForm(),
        "naming_form": forms.get("naming_form") or NamingConsentForm(people=people),
        "mention_form": forms.get("mention_form") or MentionForm(),
        "mention_count": testimony.mentions.count(),
        "revealed": forms.get("revealed"),
    }


@login_required
def testimony_detail(request: HttpRequest, pk: int) -> HttpResponse:
    testimony = _testimony_or_404(request, pk)
    return render(request, "testimony/testimony_detail.html", _detail_context(request, testimony))


@login_required
@require_POST
def testimony_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    testimony = _testimony_or_404(request, pk)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        revealed = services.reveal_account(
            user=request.user, testimony=testimony, reason=form.cleaned_data["reason"]
        )
    context = _detail_context(request, testimony, reveal_form=form, revealed=revealed)
    return _no_store(render(request, "testimony/testimony_detail.html", context))


def _participants(form: EventForm) -> list[services.ParticipantInput]:
    data = form.cleaned_data
    return [
        *(services.ParticipantInput("victim", person=p) for p in data["victims"]),
        *(
            services.ParticipantInput("victim", description=d)
            for d in form.lines(data["victim_descriptions"])
        ),
        *(services.ParticipantInput("perpetrator", person=p) for p in data["perpetrators"]),
        *(
            services.ParticipantInput("perpetrator", description=d)
            for d in form.lines(data["perpetrator_descriptions"])
        ),
    ]


@login_required
@require_POST
def event_create(request: HttpRequest, pk: int) -> HttpResponse:
    testimony = _testimony_or_404(request, pk)
    form = EventForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        participants = _participants(form)
        try:
            services.add_event(
                user=request.user,
                testimony=testimony,
                event_type=data["event_type"],
                place=data["place"],
                place_detail=data["place_detail"],
                start=data["start"],
                start_precision=data["start_precision"],
                end=data["end"],
                end_precision=data["end_precision"],
                participants=participants,
                passage=data["passage"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Event added."))
            return redirect("testimony:detail", pk=testimony.pk)
    context = _detail_context(request, testimony, event_form=form)
    return render(request, "testimony/testimony_detail.html", context, status=400)


@login_required
@require_POST
def attachment_create(request: HttpRequest, pk: int) -> HttpResponse:
    testimony = _testimony_or_404(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_attachment(
                user=request.user,
                testimony=testimony,
                upload=data["file"],
                kind=data["kind"],
                description=data["description"],
                identifies_people=data["identifies_people"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Attachment stored with its fingerprint."))
            return redirect("testimony:detail", pk=testimony.pk)
    context = _detail_context(request, testimony, attachment_form=form)
    return render(request, "testimony/testimony_detail.html", context, status=400)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    visible = selectors.testimonies_visible_to(request.user)
    try:
        attachment = Attachment.objects.select_related("testimony").get(
            pk=pk, testimony__in=visible
        )
    except Attachment.DoesNotExist:
        raise Http404(_("No such attachment in your caseload.")) from None
    try:
        handle = services.open_attachment(user=request.user, attachment=attachment)
    except services.AttachmentIntegrityError:
        context = {"attachment": attachment}
        return render(request, "testimony/integrity_error.html", context, status=409)
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name)
    return _no_store(response)


@login_required
@require_POST
def use_consent(request: HttpRequest, pk: int) -> HttpResponse:
    testimony = _testimony_or_404(request, pk)
    form = UseConsentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        services.record_use_consent(
            user=request.user,
            testimony=testimony,
            use=data["use"],
            granted=data["decision"] == "grant",
            given_on=data["given_on"],
            method=data["method"],
            note=data["note"],
        )
        messages.success(request, _("Consent recorded."))
        return redirect("testimony:detail", pk=testimony.pk)
    context = _detail_context(request, testimony, use_form=form)
    return render(request, "testimony/testimony_detail.html", context, status=400)


@login_required
@require_POST
def naming_consent(request: HttpRequest, pk: int) -> HttpResponse:
    testimony = _testimony_or_404(request, pk)
    people = selectors.people_of(testimony)
    form = NamingConsentForm(request.POST, people=people)
    if form.is_valid():
        data = form.cleaned_data
        person = next(p for p in people if p.pk == data["person"])
        services.record_naming_consent(
            user=request.user,
            person=person,
            purpose=data["purpose"],
            granted=data["decision"] == "grant",
            given_on=data["given_on"],
            method=data["method"],
            note=data["note"],
        )
        messages.success(request, _("Consent to be named recorded."))
        return redirect("testimony:detail", pk=testimony.pk)
    context = _detail_context(request, testimony, naming_form=form)
    return render(request, "testimony/testimony_detail.html", context, status=400)


@login_required
def person_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    person = Person.objects.prefetch_related("names").filter(pk=pk).first()
    events = list(selectors.timeline_of(request.user, person)) if person else []
    visible = person is not None and persons_visible_to(request.user).filter(pk=pk).exists()
    if person is None or not (events or visible):
        raise Http404(_("No such person in your caseload."))
    # reached through an event only: the record's hidden names stay hidden
    names = names_visible_to(request.user, person, viewable=visible)
    context = {"person": person, "names": names, "events": events}
    return render(request, "testimony/person_timeline.html", context)


@login_required
def place_list(request: HttpRequest) -> HttpResponse:
    form = PlaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            place = services.create_place(
                user=request.user,
                name=data["name"],
                kind=data["kind"],
                country=data["country"],
                aliases=EventForm.lines(data["aliases"]),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("testimony:place", pk=place.pk)
    query = request.GET.get("q", "").strip()
    places = selectors.places_matching(query) if query else Place.objects.order_by("name")
    context = {
        "form": form,
        "places": places.prefetch_related("aliases"),
        "query": query,
        "may_edit": selectors.may_record_testimonies(request.user)
        or selectors.may_export_evidence(request.user),
    }
    return render(request, "testimony/place_list.html", context)


@login_required
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        place = selectors.place_with_aliases(pk)
    except Place.DoesNotExist:
        raise Http404(_("No such place.")) from None
    form = AliasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_place_alias(user=request.user, place=place, name=form.cleaned_data["name"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("testimony:place", pk=place.pk)
    context = {
        "place": place,
        "events": selectors.events_at_place(request.user, place),
        "form": form,
    }
    return render(request, "testimony/place_detail.html", context)


@login_required
def event_types(request: HttpRequest) -> HttpResponse:
    form = EventTypeForm(request.POST or None)
    if request.method == "POST":
        if "toggle" in request.POST:
            event_type = EventType.objects.filter(pk=request.POST["toggle"]).first()
            if event_type is None:
                raise Http404(_("No such event type."))
            services.set_event_type_active(
                user=request.user, event_type=event_type, active=not event_type.active
            )
            return redirect("testimony:event_types")
        if form.is_valid():
            try:
                services.add_event_type(user=request.user, name=form.cleaned_data["name"])
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                return redirect("testimony:event_types")
    context = {"form": form, "types": EventType.objects.all()}
    return render(request, "testimony/event_types.html", context)


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    if not selectors.may_export_evidence(request.user):
        raise PermissionDenied(_("Only supervisors and data-protection officers export evidence."))
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = jobs.request_export(
                user=request.user,
                recipient=data["recipient"],
                purpose=data["purpose"],
                note=data["note"],
                inline_limit=INLINE_EXPORT_LIMIT,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if job.status == JobStatus.DONE:
                messages.success(
                    request, _("Bundle %(ref)s ready.") % {"ref": job.export.reference}
                )
            elif job.status == JobStatus.FAILED:
                messages.error(request, _("The export failed: %(error)s") % {"error": job.error})
            else:
                messages.info(request, _("The bundle is being built; its progress is shown below."))
            return redirect("testimony:exports")
    context = {
        "form": form,
        "exports": selectors.exports_visible_to(request.user),
        "jobs": selectors.export_jobs_visible_to(request.user).exclude(status=JobStatus.DONE)[:20],
    }
    return render(request, "testimony/export_list.html", context)


def _job_or_404(request: HttpRequest, pk: int):
    job = selectors.export_jobs_visible_to(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("No such export."))
    return job


@login_required
def export_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Polled by testimony/export_progress.js."""
    job = _job_or_404(request, pk)
    state = jobs.job_state(job)
    if job.export_id:
        state["download"] = reverse("testimony:export_download", args=[job.export_id])
    response = JsonResponse(state)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def export_job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    jobs.retry(user=request.user, job=job)
    messages.info(request, _("The export was started again."))
    return redirect("testimony:exports")


# -- corrections, history, people mentioned -----------------------------------------------


@login_required
def testimony_history(request: HttpRequest, pk: int) -> HttpResponse:
    testimony = _testimony_or_404(request, pk)
    form = RevealForm(request.POST or None)
    accounts = events = None
    if request.method == "POST" and form.is_valid():
        accounts, events = services.reveal_history(
            user=request.user, testimony=testimony, reason=form.cleaned_data["reason"]
        )
    context = {
        "testimony": testimony,
        "form": form,
        "versions": selectors.account_versions(testimony),
        "accounts": accounts,
        "events": events,
        "may_record": selectors.may_record_testimonies(request.user),
        "correct_form": CorrectAccountForm(initial={"account": accounts[0].text})
        if accounts
        else None,
    }
    return _no_store(render(request, "testimony/history.html", context))


@login_required
@require_POST
def account_correct(request: HttpRequest, pk: int) -> HttpResponse:
    testimony = _testimony_or_404(request, pk)
    form = CorrectAccountForm(request.POST)
    if form.is_valid():
        try:
            version = services.correct_account(
                user=request.user,
                testimony=testimony,
                account=form.cleaned_data["account"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Account corrected: version %(n)s.") % {"n": version.number}
            )
    else:
        messages.error(request, _("Give the corrected text and the reason."))
    return redirect("testimony:history", pk=testimony.pk)


@login_required
def event_correct(request: HttpRequest, pk: int) -> HttpResponse:
    visible = selectors.events_visible_to(request.user)
    event = visible.select_related("testimony").filter(pk=pk).first()
    if event is None:
        raise Http404(_("No such event in your caseload."))
    if not selectors.may_record_testimonies(request.user):
        raise PermissionDenied(_("Only caseworkers and supervisors record testimonies."))
    initial = CorrectEventForm.initial_for(event)
    form = CorrectEventForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.correct_event(
                user=request.user,
                event=event,
                reason=data["reason"],
                event_type=data["event_type"],
                place=data["place"],
                place_detail=data["place_detail"],
                start=data["start"],
                start_precision=data["start_precision"],
                end=data["end"],
                end_precision=data["end_precision"],
                participants=_participants(form),
                passage=None if data["keep_passage"] else data["passage"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Event corrected; the earlier version is kept."))
            return redirect("testimony:history", pk=event.testimony_id)
    context = {"event": event, "form": form}
    return render(request, "testimony/event_correct.html", context)


@login_required
@require_POST
def mention_create(request: HttpRequest, pk: int) -> HttpResponse:
    testimony = _testimony_or_404(request, pk)
    form = MentionForm(request.POST)
    if form.is_valid():
        try:
            services.add_mentioned_person(
                user=request.user,
                testimony=testimony,
                names=EventForm.lines(form.cleaned_data["names"]),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The names will be redacted from every bundle."))
            return redirect("testimony:detail", pk=testimony.pk)
    context = _detail_context(request, testimony, mention_form=form)
    return render(request, "testimony/testimony_detail.html", context, status=400)


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.exports_visible_to(request.user).filter(pk=pk).first()
    if export is None:
        raise Http404(_("No such export."))
    handle = evidence.open_export(user=request.user, export=export)
    response = FileResponse(handle, as_attachment=True, filename=f"{export.reference}.zip")
    return _no_store(response)


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    if not may_see_reports(request.user.role):
        raise PermissionDenied(
            _("Reports are for supervisors, analysts and data-protection officers.")
        )
    return render(request, "testimony/figures.html", selectors.event_figures())
