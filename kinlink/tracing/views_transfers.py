"""Pages of transfers to partner organisations: the list of what left (for the persons and
enquiries the user may see), a form that shows exactly which fields each purpose sends,
and the record of one transfer. Thin: the rules are in tracing.services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinlink.accounts.roles import works_on_records
from kinlink.people.forms import apply_errors
from kinlink.people.models import LegalBasis

from . import services
from .models import TransferPurpose
from .selectors import enquiries_visible_to
from .services import transfers_visible_to

FIELD_LABELS = {
    "reference": gettext_lazy("reference"),
    "names": gettext_lazy("names (given, family, father's; script)"),
    "gender": gettext_lazy("gender"),
    "birth": gettext_lazy("birth year or date"),
    "birth_place": gettext_lazy("birth place"),
}


class TransferForm(forms.Form):
    recipient = forms.CharField(label=gettext_lazy("Recipient organisation"), max_length=200)
    purpose = forms.ChoiceField(
        label=gettext_lazy("Purpose"), choices=TransferPurpose.choices, widget=forms.RadioSelect
    )
    basis = forms.ChoiceField(label=gettext_lazy("Legal basis"), choices=LegalBasis.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


def _purposes() -> list[dict]:
    return [
        {
            "value": value,
            "label": label,
            "fields": [FIELD_LABELS[name] for name in services.TRANSFER_FIELDS[value]],
            "bases": [
                LegalBasis(basis).label
                for basis in LegalBasis.values
                if services.basis_allows(value, basis)
            ],
        }
        for value, label in TransferPurpose.choices
    ]


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    transfers = transfers_visible_to(request.user).order_by("-at", "-id")[:200]
    return render(request, "tracing/transfer_list.html", {"transfers": transfers})


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = transfers_visible_to(request.user).filter(pk=pk).first()
    if transfer is None:
        raise Http404(_("No such transfer."))
    fields = [(FIELD_LABELS.get(name, name), transfer.sent.get(name)) for name in transfer.fields]
    return render(request, "tracing/transfer_detail.html", {"transfer": transfer, "fields": fields})


@login_required
def transfer_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Transfer the person sought by an enquiry to a partner organisation."""
    enquiry = enquiries_visible_to(request.user).select_related("sought_person").filter(pk=pk)
    enquiry = enquiry.first()
    if enquiry is None:
        raise Http404(_("No such enquiry in your caseload."))
    if not works_on_records(request.user.role):
        raise PermissionDenied(_("Only caseworkers and supervisors transfer data."))
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if enquiry.sought_person is None:
            form.add_error(None, _("Confirm a candidate first."))
        else:
            try:
                transfer = services.transfer_to_partner(
                    user=request.user,
                    person=enquiry.sought_person,
                    enquiry=enquiry,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The transfer was recorded."))
                return redirect("tracing:transfer_detail", transfer.pk)
    context = {"enquiry": enquiry, "form": form, "purposes": _purposes()}
    status = 400 if form.errors else 200
    return render(request, "tracing/transfer_form.html", context, status=status)
