"""Forms of the registry pages: input shapes only; the rules are in people.services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Gender, LifeStatus, NameKind, RelationshipKind

SHORT_TEXT = forms.Textarea(attrs={"rows": 2})
BIRTH_HELP = _("A year or a date, as known: 1965, about 1965±3, 1344 (Solar Hijri), 1965-03-21.")


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the field it names if the form has it."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class NameForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NameKind.choices, initial=NameKind.LEGAL)
    given_name = forms.CharField(label=_("Given name"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    father_name = forms.CharField(label=_("Father's name"), max_length=200, required=False)
    mother_name = forms.CharField(label=_("Mother's name"), max_length=200, required=False)
    language = forms.CharField(
        label=_("Language"),
        max_length=10,
        required=False,
        help_text=_("For example fa, ar, en, sq. The script is detected."),
    )
    hidden = forms.BooleanField(
        label=_("Hidden name"),
        required=False,
        help_text=_(
            "Shown only to the person's caseworker, their supervisor and the data-protection "
            "officer; never exported."
        ),
    )


class PersonForm(forms.Form):
    """A new person: first name plus details."""

    given_name = forms.CharField(label=_("Given name"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    father_name = forms.CharField(label=_("Father's name"), max_length=200, required=False)
    mother_name = forms.CharField(label=_("Mother's name"), max_length=200, required=False)
    name_language = forms.CharField(label=_("Language of the name"), max_length=10, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    birth = forms.CharField(label=_("Born"), max_length=40, required=False, help_text=BIRTH_HELP)
    birth_place = forms.CharField(label=_("Birth place"), max_length=200, required=False)
    nationality = forms.CharField(label=_("Nationality"), max_length=100, required=False)
    languages = forms.CharField(
        label=_("Languages"), max_length=200, required=False, help_text=_("Separated by commas.")
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=LifeStatus.choices, initial=LifeStatus.UNKNOWN
    )
    last_known_location = forms.CharField(
        label=_("Last known location"), required=False, widget=SHORT_TEXT
    )
    contact = forms.CharField(label=_("Contact details"), required=False, widget=SHORT_TEXT)

    def name(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "given_name": data["given_name"],
            "family_name": data["family_name"],
            "father_name": data["father_name"],
            "mother_name": data["mother_name"],
            "language": data["name_language"],
        }

    def details(self) -> dict[str, str]:
        fields = ("gender", "birth", "birth_place", "nationality", "languages", "status")
        return {field: self.cleaned_data[field] for field in fields}


class PersonEditForm(forms.Form):
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    birth = forms.CharField(label=_("Born"), max_length=40, required=False, help_text=BIRTH_HELP)
    birth_place = forms.CharField(label=_("Birth place"), max_length=200, required=False)
    nationality = forms.CharField(label=_("Nationality"), max_length=100, required=False)
    languages = forms.CharField(label=_("Languages"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=LifeStatus.choices)
    last_known_location = forms.CharField(
        label=_("New last known location"),
        required=False,
        widget=SHORT_TEXT,
        help_text=_("Leave empty to keep what is recorded."),
    )
    contact = forms.CharField(
        label=_("New contact details"),
        required=False,
        widget=SHORT_TEXT,
        help_text=_("Leave empty to keep what is recorded."),
    )

    def changes(self) -> dict[str, str]:
        data = dict(self.cleaned_data)
        for sealed in ("last_known_location", "contact"):
            if not data[sealed]:
                data.pop(sealed)
        return data


class RelationshipForm(forms.Form):
    kind = forms.ChoiceField(label=_("This person is the … of"), choices=RelationshipKind.choices)
    relative = forms.CharField(
        label=_("Reference of the other person"),
        max_length=20,
        help_text=_("For example P-000012."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class MergeForm(forms.Form):
    duplicate = forms.CharField(
        label=_("Reference of the record to merge into this one"), max_length=20
    )
    reason = forms.CharField(label=_("Why are they the same person?"), max_length=300)
