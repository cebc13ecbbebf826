"""Legal basis per purpose, page of a person: every basis recorded for them (purpose,
basis, scope, date, who, how a consent was obtained, withdrawal), a form to record one and
a button to withdraw one. Thin: the rules are in people.basis."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kinlink.accounts.roles import works_on_records

from . import basis as legal_basis
from .forms import apply_errors
from .models import Consent, ConsentMethod, ConsentPurpose, LegalBasis
from .views import _person_or_404

# Family tracing (what the family may learn) is recorded on the enquiry's consent page.
PURPOSES = [(value, label) for value, label in ConsentPurpose.choices if value != "family_tracing"]


class BasisForm(forms.Form):
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=PURPOSES)
    basis = forms.ChoiceField(label=gettext_lazy("Legal basis"), choices=LegalBasis.choices)
    coverage = forms.CharField(label=gettext_lazy("What it covers"), max_length=300)
    obtained_on = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(
        label=gettext_lazy("How the consent was obtained"),
        choices=[("", "—"), *ConsentMethod.choices],
        required=False,
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


class BasisWithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


def _page(request: HttpRequest, person, form=None, status: int = 200) -> HttpResponse:
    context = {
        "person": person,
        "records": legal_basis.legal_bases_of(person),
        "form": form or BasisForm(),
        "withdraw_form": BasisWithdrawForm(),
        "may_edit": works_on_records(request.user.role) and not person.is_merged,
        "acts": sorted(legal_basis.BASES_FOR.items()),
    }
    return render(request, "people/person_bases.html", context, status=status)


@login_required
def person_bases(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    if request.method != "POST":
        return _page(request, person)
    form = BasisForm(request.POST)
    if form.is_valid():
        try:
            legal_basis.record_basis_by(user=request.user, person=person, **form.cleaned_data)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The legal basis was recorded."))
            return redirect("tracing:person_bases", person.pk)
    return _page(request, person, form, status=400)


@login_required
@require_POST
def person_basis_withdraw(request: HttpRequest, pk: int, record_pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    record = Consent.objects.filter(pk=record_pk, person=person).first()
    if record is None:
        raise Http404(_("No such record."))
    form = BasisWithdrawForm(request.POST)
    if form.is_valid():
        try:
            legal_basis.withdraw_basis_by(
                user=request.user, record=record, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Withdrawn."))
    else:
        messages.error(request, _("Say why it is withdrawn."))
    return redirect("tracing:person_bases", person.pk)
