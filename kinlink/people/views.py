"""Registry pages: record a person, see their record with names, relationships and history,
edit, add names and relationships, merge two records. Thin: the rules are in services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinlink.accounts.roles import works_on_records

from . import services
from .forms import MergeForm, NameForm, PersonEditForm, PersonForm, RelationshipForm, apply_errors
from .models import Person, PersonMerge, PersonName
from .selectors import persons_visible_to, relationships_of, versions_of


def _visible(request: HttpRequest) -> QuerySet[Person]:
    return persons_visible_to(request.user, include_merged=True).prefetch_related("names")


def _person_or_404(request: HttpRequest, pk: int) -> Person:
    try:
        return _visible(request).get(pk=pk)
    except Person.DoesNotExist:
        raise Http404(_("No such person in your caseload.")) from None


def _by_reference(request: HttpRequest, reference: str) -> Person | None:
    return persons_visible_to(request.user).filter(reference__iexact=reference.strip()).first()


def _record_person_or_404(request: HttpRequest, pk: int) -> Person:
    """The person for their record page: with their caseworker, and whether any record was
    merged into theirs, so that a record without merges (nearly all) costs no query for them."""
    try:
        return (
            _visible(request)
            .select_related("caseworker")
            .annotate(
                has_merged_records=Exists(Person.objects.filter(merged_into=OuterRef("pk"))),
                has_open_merges=Exists(
                    PersonMerge.objects.filter(survivor=OuterRef("pk"), undone_at__isnull=True)
                ),
            )
            .get(pk=pk)
        )
    except Person.DoesNotExist:
        raise Http404(_("No such person in your caseload.")) from None


def _record_page(request: HttpRequest, person: Person, **forms) -> HttpResponse:
    # Without the annotations of _record_person_or_404 (a form posted with errors), look.
    has_merged_records = getattr(person, "has_merged_records", True)
    has_open_merges = getattr(person, "has_open_merges", True)
    context = {
        "person": person,
        "relationships": relationships_of(person),
        "versions": versions_of(person)[:20],
        "merged_records": person.merged_records.all() if has_merged_records else (),
        "open_merges": person.merges_in.filter(undone_at__isnull=True).select_related("merged")
        if has_open_merges
        else (),
        "name_form": forms.get("name_form") or NameForm(),
        "relationship_form": forms.get("relationship_form") or RelationshipForm(),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "may_edit": works_on_records(request.user.role) and not person.is_merged,
    }
    status = 400 if forms else 200
    return render(request, "people/person_record.html", context, status=status)


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    if not works_on_records(request.user.role):
        raise PermissionDenied(_("Only caseworkers and supervisors record persons."))
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.register_person(
                user=request.user,
                names=[form.name()],
                contact=form.cleaned_data["contact"],
                last_known_location=form.cleaned_data["last_known_location"],
                **form.details(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Person recorded."))
            return redirect("tracing:person_record", person.pk)
    return render(request, "people/person_form.html", {"form": form})


@login_required
def person_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_page(request, _record_person_or_404(request, pk))


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    initial = {
        "gender": person.gender,
        "birth": services.birth_text(person),
        "birth_place": person.birth_place,
        "nationality": person.nationality,
        "languages": person.languages,
        "status": person.status,
    }
    form = PersonEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(user=request.user, person=person, changes=form.changes())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("tracing:person_record", person.pk)
    return render(request, "people/person_edit.html", {"form": form, "person": person})


@login_required
@require_POST
def person_add_name(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    form = NameForm(request.POST)
    if form.is_valid():
        try:
            services.add_name(user=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("tracing:person_record", person.pk)
    return _record_page(request, person, name_form=form)


@login_required
@require_POST
def person_remove_name(request: HttpRequest, pk: int, name_pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    name = PersonName.objects.filter(person=person, pk=name_pk).first()
    if name is None:
        raise Http404(_("No such name."))
    try:
        services.remove_name(user=request.user, name=name)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("tracing:person_record", person.pk)


@login_required
@require_POST
def person_add_relationship(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    form = RelationshipForm(request.POST)
    if form.is_valid():
        relative = _by_reference(request, form.cleaned_data["relative"])
        if relative is None:
            form.add_error("relative", _("No such person in your caseload."))
        else:
            try:
                services.add_relationship(
                    user=request.user,
                    person=person,
                    kind=form.cleaned_data["kind"],
                    relative=relative,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("tracing:person_record", person.pk)
    return _record_page(request, person, relationship_form=form)


@login_required
@require_POST
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        duplicate = _by_reference(request, form.cleaned_data["duplicate"])
        if duplicate is None:
            form.add_error("duplicate", _("No such person in your caseload."))
        else:
            try:
                services.merge_persons(
                    user=request.user,
                    survivor=person,
                    merged=duplicate,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The two records were merged."))
                return redirect("tracing:person_record", person.pk)
    return _record_page(request, person, merge_form=form)


@login_required
@require_POST
def merge_undo(request: HttpRequest, pk: int, merge_pk: int) -> HttpResponse:
    """Undo a merge into this record: both records come back as they were."""
    person = _person_or_404(request, pk)
    merge = PersonMerge.objects.filter(pk=merge_pk, survivor=person).first()
    if merge is None:
        raise Http404(_("No such merge."))
    try:
        services.undo_merge(user=request.user, merge=merge, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The merge was undone."))
    return redirect("tracing:person_record", person.pk)
