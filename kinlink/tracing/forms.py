"""Forms of the tracing and registry pages: input shapes only; the rules are in services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinlink.people.forms import BIRTH_HELP, SHORT_TEXT, apply_errors
from kinlink.people.models import ConsentMethod, ConsentScope, Gender

from .models import (
    Decision,
    EnquirerRelationship,
    MessageDirection,
    Outcome,
    VerificationKind,
    VerificationMethod,
)

__all__ = ["apply_errors"]

DATE = forms.DateInput(attrs={"type": "date"})


class EnquiryForm(forms.Form):
    enquirer_reference = forms.CharField(
        label=_("Enquirer already registered (reference)"),
        max_length=20,
        required=False,
        help_text=_("Or fill in the enquirer's name below."),
    )
    enquirer_given_name = forms.CharField(
        label=_("Enquirer's given name"), max_length=200, required=False
    )
    enquirer_family_name = forms.CharField(
        label=_("Enquirer's family name"), max_length=200, required=False
    )
    enquirer_contact = forms.CharField(
        label=_("How to reach the enquirer"),
        required=False,
        widget=SHORT_TEXT,
        help_text=_("Stored encrypted."),
    )
    relationship = forms.ChoiceField(
        label=_("The enquirer is the sought person's"), choices=EnquirerRelationship.choices
    )
    relationship_detail = forms.CharField(
        label=_("Relationship, in words"), max_length=100, required=False
    )
    given_name = forms.CharField(label=_("Given name"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    father_name = forms.CharField(label=_("Father's name"), max_length=200, required=False)
    mother_name = forms.CharField(label=_("Mother's name"), max_length=200, required=False)
    other_names = forms.CharField(
        label=_("Other names, nicknames, organisational names"),
        required=False,
        widget=SHORT_TEXT,
        help_text=_("One a line, in any script."),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    birth = forms.CharField(label=_("Born"), max_length=40, required=False, help_text=BIRTH_HELP)
    birth_place = forms.CharField(label=_("Birth place"), max_length=200, required=False)
    last_news_when = forms.CharField(label=_("Last news: when"), max_length=100, required=False)
    last_news_where = forms.CharField(label=_("Last news: where"), max_length=200, required=False)
    last_news_circumstances = forms.CharField(
        label=_("Last news: circumstances"), required=False, widget=SHORT_TEXT
    )

    def clean(self):
        data = super().clean()
        if not data.get("enquirer_reference") and not (
            data.get("enquirer_given_name") or data.get("enquirer_family_name")
        ):
            raise ValidationError(_("Give the enquirer's reference or their name."))
        return data

    def sought(self) -> dict[str, str]:
        fields = (
            "given_name",
            "family_name",
            "father_name",
            "mother_name",
            "other_names",
            "gender",
            "birth",
            "birth_place",
        )
        return {field: self.cleaned_data[field] for field in fields}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[c for c in Decision.choices if c[0] != Decision.PENDING])
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CloseForm(forms.Form):
    """Closing an enquiry: no outcome chosen in advance, and on the page only the outcomes
    it can be closed with now (`services.possible_outcomes`)."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, outcomes: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = list(Outcome.values if outcomes is None else outcomes)
        self.cache_variant = tuple(allowed)
        self.fields["outcome"].choices = [("", _("Choose the outcome"))] + [
            (value, label) for value, label in Outcome.choices if value in allowed
        ]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("The sought person's decision"),
        choices=ConsentScope.choices,
        widget=forms.RadioSelect,
    )
    obtained_on = forms.DateField(label=_("Date given"), widget=DATE)
    method = forms.ChoiceField(label=_("How it was obtained"), choices=ConsentMethod.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_obtained_on(self):
        value = self.cleaned_data["obtained_on"]
        if value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return value


class VerificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("What was verified"), choices=VerificationKind.choices)
    method = forms.ChoiceField(label=_("How"), choices=VerificationMethod.choices)
    verified_on = forms.DateField(label=_("When"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_verified_on(self):
        value = self.cleaned_data["verified_on"]
        if value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return value


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class MessageForm(forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=MessageDirection.choices)
    text = forms.CharField(label=_("Message"), max_length=4000, widget=forms.Textarea)
    transcribed = forms.BooleanField(label=_("Transcribed from paper or speech"), required=False)


class ReviewForm(forms.Form):
    approve = forms.TypedChoiceField(
        coerce=lambda value: value == "yes", choices=[("yes", "yes"), ("no", "no")]
    )
    note = forms.CharField(label=_("Review note"), max_length=300, required=False)


class DeliverForm(forms.Form):
    delivered = forms.TypedChoiceField(
        coerce=lambda value: value == "yes", choices=[("yes", "yes"), ("no", "no")]
    )


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("The answer"), max_length=4000, widget=forms.Textarea)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[("persons", _("persons")), ("enquiries", _("enquiries"))],
    )
    file = forms.FileField(label=_("CSV or XLSX file"))


class CaseloadExportForm(forms.Form):
    """The caseload export: the purpose decides which columns may be chosen (the service
    refuses the others); a passphrase seals the file in an AES-256 ZIP."""

    PURPOSES = (
        ("caseload review", _("caseload review")),
        ("tracing", _("tracing")),
        ("statistics", _("statistics")),
        ("transfer", _("transfer to a partner organisation")),
    )
    COLUMNS = (
        ("reference", _("reference")),
        ("status", _("status")),
        ("outcome", _("outcome")),
        ("relationship", _("relationship")),
        ("enquirer", _("enquirer's reference")),
        ("enquirer_name", _("enquirer's names")),
        ("sought_given_name", _("given name sought")),
        ("sought_family_name", _("family name sought")),
        ("sought_father_name", _("father's name sought")),
        ("sought_mother_name", _("mother's name sought")),
        ("sought_birth", _("birth sought")),
        ("sought_birth_place", _("birth place sought")),
        ("last_news_when", _("last news: when")),
        ("last_news_where", _("last news: where")),
        ("sought_person", _("person found (reference)")),
        ("sought_person_names", _("person found: names")),
        ("consent", _("consent")),
        ("caseworker", _("caseworker")),
        ("created_at", _("created")),
        ("closed_at", _("closed")),
        ("family_may_learn", _("what the family may learn")),
        ("sought_whereabouts", _("whereabouts the family may learn")),
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=(("csv", "CSV"), ("xlsx", "XLSX")), initial="xlsx"
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=PURPOSES, initial="caseload review")
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        choices=COLUMNS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every column the purpose needs."),
    )
    recipient = forms.CharField(
        label=_("For whom"),
        max_length=200,
        required=False,
        help_text=_("Who receives the file; yourself when left empty."),
    )
    passphrase = forms.CharField(
        label=_("Passphrase"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Seals the file in a ZIP encrypted with AES-256 (open it with 7-Zip). "
            "Required for large exports."
        ),
    )
