"""Forms of the data-protection pages. They parse input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LegalGround, Method, Requester


def _date(label) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


class PersonLookupForm(forms.Form):
    reference = forms.CharField(label=_("Person's reference"), max_length=20)


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=[("json", "JSON"), ("pdf", "PDF")])
    reason = forms.CharField(
        label=_("Why (kept in the audit log)"),
        max_length=300,
        help_text=_("For example: subject-access request received by letter on 3 May."),
    )


class RequestForm(forms.Form):
    ground = forms.ChoiceField(label=_("Legal ground"), choices=LegalGround.choices)
    ground_detail = forms.CharField(
        label=_("Legal ground, in words"),
        max_length=300,
        required=False,
        help_text=_("Never write the person's name or whereabouts here."),
    )
    requested_by = forms.ChoiceField(label=_("Requested by"), choices=Requester.choices)
    requested_on = _date(_("Requested on"))


class CarryOutForm(forms.Form):
    method = forms.ChoiceField(
        label=_("What to do"), choices=Method.choices, widget=forms.RadioSelect
    )
    confirm_reference = forms.CharField(
        label=_("Type the person's reference to confirm"), max_length=20
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Why it is refused"), max_length=300)


class RetentionRuleForm(forms.Form):
    period_days = forms.IntegerField(label=_("Kept for (days)"), min_value=1, max_value=36600)
    enabled = forms.BooleanField(label=_("Applied"), required=False)
