from django import forms
from django.utils.translation import gettext_lazy as _

from kinlink.audit.models import Action


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User"), required=False)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("any")), *Action.choices]
    )
    object_type = forms.CharField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[
            ("contact", _("contact details")),
            ("last_known_location", _("last known location")),
        ]
    )
    reason = forms.CharField(label=_("Why do you need it?"), max_length=200)
