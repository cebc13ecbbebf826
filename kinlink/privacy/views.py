"""Data-protection pages for data-protection officers (retention also for administrators).

Thin: parse a form, call a service or selector, render. Every other role gets 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kinlink.people.models import Person

from . import selectors, services
from .forms import (
    CarryOutForm,
    ExportForm,
    PersonLookupForm,
    RefuseForm,
    RequestForm,
    RetentionRuleForm,
)
from .models import ErasureRequest, RetentionRule


def _person(pk: int) -> Person:
    return get_object_or_404(Person, pk=pk)


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
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    services.require_dpo(request.user)
    lookup = PersonLookupForm(request.GET or None)
    if lookup.is_valid():
        reference = lookup.cleaned_data["reference"].strip().upper()
        person = Person.objects.filter(reference=reference).first()
        if person is not None:
            return redirect("privacy:person", pk=person.pk)
        lookup.add_error("reference", _("No person has this reference."))
    context = {
        "lookup": lookup,
        "requests": selectors.requests_for()[:200],
        "exports": selectors.recent_exports(),
    }
    return _no_store(render(request, "privacy/index.html", context))


def _person_page(request: HttpRequest, person: Person, **forms) -> HttpResponse:
    context = {
        "overview": services.overview(person),
        "export_form": forms.get("export_form") or ExportForm(),
        "request_form": forms.get("request_form") or RequestForm(),
    }
    return _no_store(render(request, "privacy/person.html", context))


@login_required
@require_http_methods(["GET"])
def person_data(request: HttpRequest, pk: int) -> HttpResponse:
    services.require_dpo(request.user)
    return _person_page(request, _person(pk))


@login_required
@require_POST
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    services.require_dpo(request.user)
    person = _person(pk)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _person_page(request, person, export_form=form)
    try:
        result = services.export_subject_data(
            user=request.user,
            person=person,
            reason=form.cleaned_data["reason"],
            fmt=form.cleaned_data["format"],
        )
    except ValidationError as exc:
        _form_errors(form, exc)
        return _person_page(request, person, export_form=form)
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return _no_store(response)


@login_required
@require_POST
def request_create(request: HttpRequest, pk: int) -> HttpResponse:
    services.require_dpo(request.user)
    person = _person(pk)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            created = services.record_request(user=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Request %(ref)s recorded.") % {"ref": created.reference})
            return redirect("privacy:request", pk=created.pk)
    return _person_page(request, person, request_form=form)


def _request_page(request: HttpRequest, erasure: ErasureRequest, **forms) -> HttpResponse:
    context = {
        "erasure": erasure,
        "holds": services.legal_holds(erasure.person) if erasure.is_open else [],
        "carry_out_form": forms.get("carry_out_form") or CarryOutForm(),
        "refuse_form": forms.get("refuse_form") or RefuseForm(),
    }
    return _no_store(render(request, "privacy/request.html", context))


def _erasure(pk: int) -> ErasureRequest:
    erasure = selectors.requests_for().filter(pk=pk).first()
    if erasure is None:
        raise Http404(_("No such request."))
    return erasure


@login_required
@require_http_methods(["GET"])
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    services.require_dpo(request.user)
    return _request_page(request, _erasure(pk))


@login_required
@require_POST
def request_carry_out(request: HttpRequest, pk: int) -> HttpResponse:
    services.require_dpo(request.user)
    erasure = _erasure(pk)
    form = CarryOutForm(request.POST)
    if form.is_valid():
        try:
            services.carry_out_request(user=request.user, request=erasure, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Done. The person's data is no longer held."))
            return redirect("privacy:request", pk=erasure.pk)
    return _request_page(request, erasure, carry_out_form=form)


@login_required
@require_POST
def request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    services.require_dpo(request.user)
    erasure = _erasure(pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            services.refuse_request(
                user=request.user, request=erasure, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("privacy:request", pk=erasure.pk)
    return _request_page(request, erasure, refuse_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def retention(request: HttpRequest) -> HttpResponse:
    services.require_retention_editor(request.user)
    rules = services.ensure_default_rules()
    failed: dict[int, RetentionRuleForm] = {}
    if request.method == "POST":
        rule = get_object_or_404(RetentionRule, pk=request.POST.get("rule"))
        form = RetentionRuleForm(request.POST)
        if form.is_valid():
            try:
                services.update_retention_rule(user=request.user, rule=rule, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Retention period saved."))
                return redirect("privacy:retention")
        failed[rule.pk] = form
    rows = [
        (
            rule,
            failed.get(rule.pk)
            or RetentionRuleForm(
                initial={"period_days": rule.period_days, "enabled": rule.enabled}
            ),
        )
        for rule in rules
    ]
    return render(request, "privacy/retention.html", {"rows": rows})
