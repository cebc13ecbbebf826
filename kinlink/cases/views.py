"""Case pages. Views parse input, call services and render; access comes from selectors and
every record outside the user's reach answers 404, as if it did not exist."""

from __future__ import annotations

import csv
import mimetypes
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kinlink.accounts.roles import Role, may_see_reports, works_on_records
from kinlink.audit.models import Action
from kinlink.audit.services import record
from kinlink.web import dates

from . import aggregates, charts, forms, selectors, services
from .models import (
    Case,
    Document,
    DocumentType,
    Pathway,
    Referral,
    ReferralOutcome,
    Stage,
    TaskStatus,
    TaskTemplate,
)

PAGE_SIZE = 25


def _may_see_cases(user) -> bool:
    return works_on_records(user.role) or user.role == Role.DPO


def _require_case_roles(request: HttpRequest) -> None:
    if not _may_see_cases(request.user):
        raise PermissionDenied(
            _("Cases are for caseworkers, supervisors and the data-protection officer.")
        )


def _case_or_404(request: HttpRequest, pk: int) -> Case:
    try:
        case = selectors.case_detail_for(request.user, pk)
    except Case.DoesNotExist:
        raise Http404(_("No such case in your caseload.")) from None
    services.note_case_read(request.user, case)
    return case


def _workable_case_or_404(request: HttpRequest, pk: int) -> Case:
    case = _case_or_404(request, pk)
    if not selectors.can_work_on_case(request.user, case):
        raise PermissionDenied(_("You may read this case but not change it."))
    return case


def _visible_or_404(queryset, pk: int) -> Model:
    try:
        return queryset.select_related("case").get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404(_("No such record in your caseload.")) from None


def _call_service(form: Form, action: Callable[[], object]) -> bool:
    """Run a service; its ValidationError lands on the form. True when it succeeded."""
    try:
        action()
    except ValidationError as error:
        forms.apply_errors(form, error)
        return False
    return True


def _to_case(case_pk: int, anchor: str = "") -> HttpResponse:
    url = reverse("cases:case_detail", args=[case_pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


# Caseload, deadlines ---------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    _require_case_roles(request)
    form = forms.CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.caseload(
        request.user,
        stage_id=filters["stage"].pk if filters.get("stage") else None,
        query=(filters.get("q") or "").strip(),
        open_only=not filters.get("closed"),
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "may_open": works_on_records(request.user.role),
        "querystring": _querystring_without_page(request),
    }
    return render(request, "cases/case_list.html", context)


def _querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def deadlines(request: HttpRequest) -> HttpResponse:
    _require_case_roles(request)
    today = timezone.localdate()
    context = {
        "deadlines": selectors.deadlines_for(request.user, today),
        "expiring": selectors.expiring_documents(request.user, today),
    }
    return render(request, "cases/deadlines.html", context)


# Cases ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    if not works_on_records(request.user.role):
        raise PermissionDenied(_("Only caseworkers and supervisors open cases."))
    initial = {"person": request.GET.get("person")} if request.GET.get("person") else {}
    form = forms.CaseOpenForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result: dict[str, Case] = {}

        def open_it() -> None:
            result["case"] = services.open_case(
                user=request.user,
                person=data["person"],
                pathway=data["pathway"],
                opened_on=data["opened_on"],
                reason=data["reason"],
            )

        if _call_service(form, open_it):
            messages.success(request, _("Case opened."))
            return _to_case(result["case"].pk)
    return render(request, "cases/case_form.html", {"form": form})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    now = timezone.now()
    stays = selectors.stage_stays(case)
    context = {
        "case": case,
        "stages": list(case.pathway.stages.all()),
        "visited": {stay.stage.pk for stay in stays},
        "stays": [(stay, stay.duration(now).days) for stay in reversed(stays)],
        "days_in_stage": (now - case.stage_entered_at).days,
        "tasks": selectors.case_plan(case),
        "documents": selectors.case_documents(case),
        "referrals": selectors.case_referrals(case),
        "may_work": selectors.can_work_on_case(request.user, case),
        "may_reassign": request.user.role == Role.SUPERVISOR
        and selectors.can_work_on_case(request.user, case),
        "reassignments": selectors.case_reassignments(case),
        "today": timezone.localdate(),
        "reveal_form": forms.RevealNumberForm(),
    }
    return render(request, "cases/case_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_move(request: HttpRequest, pk: int) -> HttpResponse:
    case = _workable_case_or_404(request, pk)
    form = forms.MoveForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        moved = _call_service(
            form,
            lambda: services.move_case(
                user=request.user,
                case=case,
                to_stage=data["to_stage"],
                reason=data["reason"],
                moved_at=data["moved_on"],
                outcome=data["outcome"],
            ),
        )
        if moved:
            messages.success(request, _("The case has moved."))
            return _to_case(case.pk)
    return render(request, "cases/case_move.html", {"case": case, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def case_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _workable_case_or_404(request, pk)
    if request.user.role != Role.SUPERVISOR:
        raise PermissionDenied(_("Only a supervisor reassigns cases."))
    candidates = services.reassignment_candidates(request.user)
    form = forms.ReassignForm(request.POST or None, case=case, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _call_service(
            form,
            lambda: services.reassign_case(
                user=request.user,
                case=case,
                caseworker=data["caseworker"],
                reason=data["reason"],
                include_tasks=data["include_tasks"],
            ),
        )
        if done:
            messages.success(request, _("The case has a new caseworker."))
            return _to_case(case.pk, "reassignments")
    return render(request, "cases/case_reassign.html", {"case": case, "form": form})


# Plan ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _workable_case_or_404(request, pk)
    form = forms.TaskForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        added = _call_service(
            form,
            lambda: services.add_task(
                user=request.user,
                case=case,
                title=data["title"],
                due_on=data["due_on"],
                owner=data["owner"],
                notes=data["notes"],
            ),
        )
        if added:
            messages.success(request, _("Task added."))
            return _to_case(case.pk, "plan")
    return render(
        request, "cases/object_form.html", {"case": case, "form": form, "title": _("New task")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_or_404(selectors.tasks_visible_to(request.user), pk)
    case = _workable_case_or_404(request, task.case_id)
    initial = {"title": task.title, "due_on": task.due_on, "owner": task.owner, "notes": task.notes}
    form = forms.TaskForm(request.POST or None, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _call_service(
            form,
            lambda: services.update_task(
                user=request.user,
                task=task,
                title=data["title"],
                due_on=data["due_on"],
                owner=data["owner"],
                notes=data["notes"],
            ),
        )
        if saved:
            messages.success(request, _("Task saved."))
            return _to_case(case.pk, "plan")
    return render(
        request, "cases/object_form.html", {"case": case, "form": form, "title": task.label}
    )


@login_required
@require_POST
def task_status(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_or_404(selectors.tasks_visible_to(request.user), pk)
    status = request.POST.get("status", "")
    if status not in TaskStatus.values:
        raise Http404(_("Unknown task status."))
    services.set_task_status(user=request.user, task=task, status=status)
    return _to_case(task.case_id, "plan")


# Documents -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _workable_case_or_404(request, pk)
    form = forms.DocumentForm(request.POST or None, request.FILES or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        added = _call_service(
            form,
            lambda: services.add_document(
                user=request.user,
                case=case,
                document_type=data["document_type"],
                issuing_country=data["issuing_country"],
                number=data["number"],
                issued_on=data["issued_on"],
                expires_on=data["expires_on"],
                scan=data["scan"],
                replaces=data["replaces"],
            ),
        )
        if added:
            messages.success(request, _("Document recorded."))
            return _to_case(case.pk, "documents")
    context = {"case": case, "form": form, "title": _("New document"), "multipart": True}
    return render(request, "cases/object_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = _visible_or_404(selectors.documents_visible_to(request.user), pk)
    case = _workable_case_or_404(request, document.case_id)
    form = forms.DocumentEditForm.for_document(
        document, request.POST or None, request.FILES or None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _call_service(form, lambda: _save_document(request.user, document, data))
        if saved:
            messages.success(request, _("Document saved."))
            return _to_case(case.pk, "documents")
    context = {
        "case": case,
        "form": form,
        "title": document.document_type.label,
        "multipart": True,
    }
    return render(request, "cases/object_form.html", context)


def _save_document(user, document: Document, data: dict) -> None:
    services.update_document(
        user=user,
        document=document,
        issuing_country=data["issuing_country"],
        issued_on=data["issued_on"],
        expires_on=data["expires_on"],
        number=data["number"],
        scan=data["scan"],
    )
    if data["status"] != document.status:
        services.mark_document(user=user, document=document, status=data["status"])


@login_required
def document_scan(request: HttpRequest, pk: int) -> HttpResponse:
    document = _visible_or_404(selectors.documents_visible_to(request.user), pk)
    try:
        content = services.read_document_scan(user=request.user, document=document)
    except ValidationError:
        raise Http404(_("This document has no scan.")) from None
    content_type = document.scan_content_type or "application/octet-stream"
    extension = mimetypes.guess_extension(content_type) or ".bin"
    response = HttpResponse(content, content_type=content_type)
    filename = f"{document.case.reference}-document-{document.pk}{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def document_number(request: HttpRequest, pk: int) -> HttpResponse:
    document = _visible_or_404(selectors.documents_visible_to(request.user), pk)
    form = forms.RevealNumberForm(request.POST)
    number = None
    if form.is_valid():
        number = services.read_document_number(
            user=request.user, document=document, reason=form.cleaned_data["reason"]
        )
    response = render(
        request,
        "cases/document_number.html",
        {"document": document, "case": document.case, "form": form, "number": number},
    )
    response["Cache-Control"] = "no-store"
    return response


# Referrals -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _workable_case_or_404(request, pk)
    form = forms.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        added = _call_service(
            form,
            lambda: services.add_referral(
                user=request.user,
                case=case,
                service_type=data["service_type"],
                partner=data["partner"],
                referred_on=data["referred_on"],
                status=data["status"],
                notes=data["notes"],
            ),
        )
        if added:
            messages.success(request, _("Referral recorded."))
            return _to_case(case.pk, "referrals")
    return render(
        request, "cases/object_form.html", {"case": case, "form": form, "title": _("New referral")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    referral: Referral = _visible_or_404(selectors.referrals_visible_to(request.user), pk)
    case = _workable_case_or_404(request, referral.case_id)
    form = forms.ReferralEditForm.for_referral(referral, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _call_service(
            form,
            lambda: services.update_referral(
                user=request.user,
                referral=referral,
                status=data["status"],
                outcome=data["outcome"],
                notes=data["notes"],
            ),
        )
        if saved:
            messages.success(request, _("Referral saved."))
            return _to_case(case.pk, "referrals")
    title = f"{referral.get_service_type_display()}: {referral.partner}"
    return render(request, "cases/object_form.html", {"case": case, "form": form, "title": title})


# Configuration (administrators) ---------------------------------------------------------------


def _require_admin(request: HttpRequest) -> None:
    if not services.may_configure_cases(request.user):
        raise PermissionDenied(_("Only administrators define pathways and document types."))


@login_required
def settings_home(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    context = {
        "pathways": Pathway.objects.prefetch_related("stages"),
        "document_types": DocumentType.objects.all(),
    }
    return render(request, "cases/settings.html", context)


def _config_form(
    request: HttpRequest,
    form: Form,
    save: Callable[[Model], object],
    done_url: str,
    title: str,
    **extra,
) -> HttpResponse:
    saved = request.method == "POST" and form.is_valid()
    if saved and _call_service(form, lambda: save(form.instance)):
        messages.success(request, _("Saved."))
        return redirect(done_url)
    return render(request, "cases/settings_form.html", {"form": form, "title": title, **extra})


@login_required
@require_http_methods(["GET", "POST"])
def pathway_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    pathway = get_object_or_404(Pathway, pk=pk) if pk else Pathway()
    form = forms.PathwayForm(request.POST or None, instance=pathway)
    return _config_form(
        request,
        form,
        lambda obj: services.save_pathway(user=request.user, pathway=obj),
        reverse("cases:settings"),
        pathway.label if pk else _("New pathway"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def stage_edit(request: HttpRequest, pathway_pk: int, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    pathway = get_object_or_404(Pathway, pk=pathway_pk)
    stage = get_object_or_404(Stage, pk=pk, pathway=pathway) if pk else Stage(pathway=pathway)
    form = forms.StageForm(request.POST or None, instance=stage)
    if pk and request.method == "POST" and "delete" in request.POST:
        try:
            services.delete_stage(user=request.user, stage=stage)
        except ValidationError:
            messages.error(request, _("Cases have been in this stage; rename it instead."))
            return redirect("cases:stage_edit", pathway.pk, stage.pk)
        messages.success(request, _("Stage deleted."))
        return redirect("cases:settings")
    return _config_form(
        request,
        form,
        lambda obj: services.save_stage(user=request.user, stage=obj),
        reverse("cases:settings"),
        stage.label if pk else _("New stage"),
        stage=stage if pk else None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, stage_pk: int, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    stage = get_object_or_404(Stage, pk=stage_pk)
    template = (
        get_object_or_404(TaskTemplate, pk=pk, stage=stage) if pk else TaskTemplate(stage=stage)
    )
    form = forms.TaskTemplateForm(request.POST or None, instance=template)
    return _config_form(
        request,
        form,
        lambda obj: services.save_task_template(user=request.user, template=obj),
        reverse("cases:stage_edit", args=[stage.pathway_id, stage.pk]),
        template.label if pk else _("New task template"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_type_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    document_type = get_object_or_404(DocumentType, pk=pk) if pk else DocumentType()
    form = forms.DocumentTypeForm(request.POST or None, instance=document_type)
    return _config_form(
        request,
        form,
        lambda obj: services.save_document_type(user=request.user, document_type=obj),
        reverse("cases:settings"),
        document_type.label if pk else _("New document type"),
    )


# Reports ---------------------------------------------------------------------------------------


def _require_reports(request: HttpRequest) -> None:
    if not may_see_reports(request.user.role):
        raise PermissionDenied(
            _("Reports are for supervisors, analysts and data-protection officers.")
        )


def _report_scope(request: HttpRequest) -> tuple[forms.ReportFilterForm, aggregates.Scope]:
    form = forms.ReportFilterForm(request.GET or None)
    return form, form.scope()


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    _require_reports(request)
    today = timezone.localdate()
    language = translation.get_language() or "en"
    rtl = translation.get_language_bidi()
    calendar = getattr(request, "calendar", "gregorian")
    form, scope = _report_scope(request)
    periods = dates.month_ends(scope.end(today), calendar, first=scope.date_from, months=12)[
        -aggregates.MAX_MONTHS :
    ]
    moves = aggregates.load_moves(scope)
    over_time = aggregates.stages_over_time(today, moves=moves, scope=scope, periods=periods)
    times = aggregates.time_in_stage(moves, scope)
    outcomes = aggregates.case_outcomes(scope)
    overdue = aggregates.overdue_tasks(today, scope)
    months = [dates.format_month(day, calendar, language) for day in over_time.periods]
    context = {
        "form": form,
        "filtered": bool(request.GET) and form.is_valid(),
        "querystring": request.GET.urlencode(),
        "over_time": over_time,
        "months": months,
        "times": times,
        "outcomes": outcomes,
        "referrals": aggregates.referral_outcomes(scope),
        "referral_outcomes": [label for _value, label in ReferralOutcome.choices],
        "overdue": overdue,
        "charts": report_charts(over_time, times, outcomes, overdue, rtl, months, language),
        "csv_tables": aggregates.CSV_TABLES,
    }
    return render(request, "cases/reports.html", context)


def report_charts(
    over_time,
    times,
    outcomes,
    overdue,
    rtl: bool,
    months: list[str] | None = None,
    language: str = "en",
) -> dict[str, charts.Spec]:
    """The JSON chart specs of the reports page; Chart.js draws them in the browser."""
    spreads = [_spread(t) if t.stays is not None else t.stage.label for t in times]
    months = months or [day.strftime("%Y-%m") for day in over_time.periods]
    return {
        "over_time": charts.stacked_columns(
            _("Cases per stage at the end of each month"),
            months,
            [(s.stage.label, [c.count for c in s.cells]) for s in over_time.series],
            rtl=rtl,
            locale=language,
        ),
        "time_in_stage": charts.spreads(
            _("Days in each stage"),
            spreads,
            rtl=rtl,
            locale=language,
            range_label=_("Range (days)"),
            middle_label=_("Middle half (days)"),
            median_label=_("Median (days)"),
        ),
        "outcomes": charts.horizontal_bars(
            _("Closed cases by outcome"),
            [(c.key, c.count) for c in outcomes],
            rtl=rtl,
            locale=language,
        ),
        "overdue": charts.horizontal_bars(
            _("Overdue tasks by stage"),
            [(c.key, c.count) for c in overdue.by_stage],
            rtl=rtl,
            locale=language,
        ),
    }


def _spread(t: aggregates.StageTime) -> charts.Spread:
    return charts.Spread(
        t.stage.label, t.shortest, t.lower_quartile, t.median, t.upper_quartile, t.longest
    )


@login_required
def report_csv(request: HttpRequest, table: str) -> HttpResponse:
    _require_reports(request)
    if table not in aggregates.CSV_TABLES:
        raise Http404(_("No such report."))
    form, scope = _report_scope(request)
    header, rows = aggregates.csv_table(table, scope=scope)
    filters = {key: value for key, value in request.GET.items() if value and key in form.fields}
    record(
        Action.EXPORT,
        object_type="cases.report",
        object_id=table,
        detail={"filters": filters} if filters else None,
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kinlink-cases-{table}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
