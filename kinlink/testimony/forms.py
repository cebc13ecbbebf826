"""Forms of the testimony pages. They parse input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kinlink.people.models import ConsentMethod, Person
from kinlink.people.selectors import persons_visible_to

from .models import (
    NAMING_PURPOSES,
    AttachmentKind,
    DatePrecision,
    EventType,
    Place,
    PlaceKind,
    Purpose,
    SourceKind,
    Use,
)

LANGUAGES = [
    ("fa", _("Persian")),
    ("ar", _("Arabic")),
    ("en", _("English")),
    ("sq", _("Albanian")),
    ("ku", _("Kurdish")),
    ("other", _("other")),
]
DECISIONS = [("grant", _("gives consent")), ("withdraw", _("withdraws consent"))]


def _date(label, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        name = obj.primary_name
        return f"{obj.reference} · {name}" if name else obj.reference


class PersonsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        name = obj.primary_name
        return f"{obj.reference} · {name}" if name else obj.reference


def _persons(user):
    return persons_visible_to(user).prefetch_related("names").order_by("reference")


class TestimonyForm(forms.Form):
    witness = PersonChoiceField(label=_("Witness"), queryset=Person.objects.none())
    recorded_on = _date(_("Date recorded"))
    recorded_place = forms.CharField(label=_("Place recorded"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    source_kind = forms.ChoiceField(label=_("Source"), choices=SourceKind.choices)
    source_url = forms.URLField(
        label=_("Address of the publication"), required=False, assume_scheme="https"
    )
    source_captured_on = _date(_("Date captured"), required=False)
    account = forms.CharField(
        label=_("Account"), widget=forms.Textarea(attrs={"rows": 12, "dir": "auto"})
    )
    uses = forms.MultipleChoiceField(
        label=_("The witness consents to these uses"),
        choices=Use.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_method = forms.ChoiceField(
        label=_("How consent was obtained"), choices=ConsentMethod.choices
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["witness"].queryset = _persons(user)


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need to read it?"), max_length=200)


class EventForm(forms.Form):
    event_type = forms.ModelChoiceField(label=_("What happened"), queryset=EventType.objects.none())
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.none(), required=False)
    place_detail = forms.CharField(label=_("Where exactly"), max_length=200, required=False)
    start = _date(_("Start"), required=False)
    start_precision = forms.ChoiceField(label=_("Precision"), choices=DatePrecision.choices)
    end = _date(_("End"), required=False)
    end_precision = forms.ChoiceField(label=_("Precision"), choices=DatePrecision.choices)
    victims = PersonsChoiceField(label=_("Victims"), queryset=Person.objects.none(), required=False)
    victim_descriptions = forms.CharField(
        label=_("Victims without a record (one description per line)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    perpetrators = PersonsChoiceField(
        label=_("Alleged perpetrators"), queryset=Person.objects.none(), required=False
    )
    perpetrator_descriptions = forms.CharField(
        label=_("Alleged perpetrators without a record (one description per line)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    passage = forms.CharField(
        label=_("Supporting passage (copied from the account)"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        from .selectors import active_event_types

        super().__init__(*args, **kwargs)
        self.fields["event_type"].queryset = active_event_types()
        self.fields["place"].queryset = Place.objects.order_by("name")
        self.fields["victims"].queryset = _persons(user)
        self.fields["perpetrators"].queryset = _persons(user)

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    identifies_people = forms.BooleanField(
        label=_("It shows who someone is (voice, face, name)"), required=False, initial=True
    )


class UseConsentForm(forms.Form):
    use = forms.ChoiceField(label=_("Use"), choices=Use.choices)
    decision = forms.ChoiceField(label=_("The witness"), choices=DECISIONS)
    given_on = _date(_("Date"))
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class NamingConsentForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Person"), coerce=int, choices=[])
    purpose = forms.ChoiceField(
        label=_("To be named in"),
        choices=[(p.value, p.label) for p in Purpose if p in NAMING_PURPOSES],
    )
    decision = forms.ChoiceField(label=_("The person"), choices=DECISIONS)
    given_on = _date(_("Date"))
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            (p.pk, f"{p.reference} · {p.primary_name or ''}") for p in people
        ]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words, in any script"), required=False)
    event_type = forms.ModelChoiceField(
        label=_("What happened"), queryset=EventType.objects.all(), required=False
    )
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.all(), required=False)
    since = _date(_("From"), required=False)
    until = _date(_("Until"), required=False)
    # A reference, not a list: a data-protection officer may see thousands of persons.
    person = forms.CharField(
        label=_("Person (reference)"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "P-000123"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_person(self) -> Person | None:
        reference = self.cleaned_data["person"].strip()
        if not reference:
            return None
        person = persons_visible_to(self.user).filter(reference__iexact=reference).first()
        if person is None:
            raise forms.ValidationError(_("No such person in your caseload."))
        return person


class ExportForm(forms.Form):
    recipient = forms.CharField(label=_("Recipient"), max_length=200)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    note = forms.CharField(label=_("Note (case number, request)"), max_length=300, required=False)


class PlaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlaceKind.choices)
    country = forms.CharField(label=_("Country"), max_length=100, required=False)
    aliases = forms.CharField(
        label=_("Other names, in any script (one per line)"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        required=False,
    )


class AliasForm(forms.Form):
    name = forms.CharField(label=_("Another name"), max_length=200)


class EventTypeForm(forms.Form):
    name = forms.CharField(label=_("New event type"), max_length=100)


class CorrectAccountForm(forms.Form):
    account = forms.CharField(
        label=_("Corrected account (the whole text)"),
        widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
    )
    reason = forms.CharField(label=_("Why is it corrected?"), max_length=500)


class CorrectEventForm(EventForm):
    keep_passage = forms.BooleanField(
        label=_("Keep the supporting passage as it is"), required=False, initial=True
    )
    reason = forms.CharField(label=_("Why is it corrected?"), max_length=500)

    @classmethod
    def initial_for(cls, event) -> dict:
        participants = list(event.participants.all())

        def of(role: str, described: bool):
            if described:
                return "\n".join(
                    p.description for p in participants if p.role == role and not p.person_id
                )
            return [p.person_id for p in participants if p.role == role and p.person_id]

        return {
            "event_type": event.event_type_id,
            "place": event.place_id,
            "place_detail": event.place_detail,
            "start": event.start,
            "start_precision": event.start_precision,
            "end": event.end,
            "end_precision": event.end_precision,
            "victims": of("victim", False),
            "victim_descriptions": of("victim", True),
            "perpetrators": of("perpetrator", False),
            "perpetrator_descriptions": of("perpetrator", True),
        }


class MentionForm(forms.Form):
    names = forms.CharField(
        label=_(
            "Names and other names of one person the account mentions (one a line, any script)"
        ),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
