"""Forms of the case pages. They parse input; the rules are in services.py."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinlink.accounts.models import Team, User
from kinlink.accounts.roles import CASE_ROLES
from kinlink.people.selectors import persons_visible_to

from .aggregates import Scope
from .models import (
    Case,
    Document,
    DocumentStatus,
    DocumentType,
    Outcome,
    Pathway,
    Referral,
    ReferralOutcome,
    ReferralStatus,
    ServiceType,
    Stage,
    TaskTemplate,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE)


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError next to the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person) -> str:
        name = person.primary_name
        return f"{person.reference} · {name}" if name else person.reference


class CaseOpenForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=None)
    pathway = forms.ModelChoiceField(label=_("Pathway"), queryset=None)
    opened_on = date_field(_("Opened on"))
    reason = forms.CharField(label=_("How did the person come to us?"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            persons_visible_to(user)
            .exclude(pk__in=Case.objects.filter(closed_on__isnull=True).values("person_id"))
            .prefetch_related("names")
            .order_by("reference")
        )
        self.fields["pathway"].queryset = Pathway.objects.filter(active=True)
        default = self.fields["pathway"].queryset.filter(is_default=True).first()
        if default is not None:
            self.fields["pathway"].initial = default.pk
        self.fields["opened_on"].initial = timezone.localdate()


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, stage) -> str:
        return stage.label


class MoveForm(forms.Form):
    to_stage = StageChoiceField(label=_("Move to"), queryset=None)
    moved_on = date_field(_("On"), required=True)
    reason = forms.CharField(label=_("Why?"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(
        label=_("Outcome (when closing)"),
        choices=[("", "—"), *Outcome.choices],
        required=False,
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].queryset = case.pathway.stages.exclude(pk=case.stage_id)
        self.fields["moved_on"].initial = timezone.localdate()
        self.fields["outcome"].initial = case.outcome


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.display_name


def _colleagues(case: Case):
    users = User.objects.filter(is_active=True, role__in=CASE_ROLES)
    if case.team_id:
        return users.filter(team_id=case.team_id) | users.filter(pk=case.caseworker_id)
    return users.filter(pk=case.caseworker_id)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    due_on = date_field(_("Due on"))
    owner = OwnerChoiceField(label=_("Owner"), queryset=None, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _colleagues(case).order_by("username")


class DocumentTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, document_type) -> str:
        return document_type.label


class DocumentForm(forms.Form):
    document_type = DocumentTypeChoiceField(label=_("Type"), queryset=None)
    issuing_country = forms.CharField(label=_("Issuing country"), max_length=100, required=False)
    number = forms.CharField(
        label=_("Number"),
        max_length=100,
        required=False,
        help_text=_("Stored encrypted; reading it later is recorded."),
    )
    issued_on = date_field(_("Issued on"))
    expires_on = date_field(_("Expires on"))
    scan = forms.FileField(label=_("Scan"), required=False)
    replaces = forms.ModelChoiceField(
        label=_("Replaces"), queryset=None, required=False, empty_label="—"
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = DocumentType.objects.filter(active=True)
        self.fields["replaces"].queryset = case.documents.filter(
            status=DocumentStatus.CURRENT
        ).select_related("document_type")


class DocumentEditForm(forms.Form):
    issuing_country = forms.CharField(label=_("Issuing country"), max_length=100, required=False)
    issued_on = date_field(_("Issued on"))
    expires_on = date_field(_("Expires on"))
    status = forms.ChoiceField(label=_("Status"), choices=DocumentStatus.choices)
    number = forms.CharField(
        label=_("New number"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to keep the number on record."),
    )
    scan = forms.FileField(label=_("Replace the scan"), required=False)

    @classmethod
    def for_document(cls, document: Document, data=None, files=None) -> DocumentEditForm:
        return cls(
            data,
            files,
            initial={
                "issuing_country": document.issuing_country,
                "issued_on": document.issued_on,
                "expires_on": document.expires_on,
                "status": document.status,
            },
        )


class RevealNumberForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need the number?"), max_length=200)


class ReferralForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    partner = forms.CharField(label=_("Partner organisation"), max_length=200)
    referred_on = date_field(_("Referred on"))
    status = forms.ChoiceField(
        label=_("Status"), choices=ReferralStatus.choices, initial=ReferralStatus.PLANNED
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ReferralEditForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ReferralStatus.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReferralOutcome.choices, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    @classmethod
    def for_referral(cls, referral: Referral, data=None) -> ReferralEditForm:
        return cls(
            data,
            initial={
                "status": referral.status,
                "outcome": referral.outcome,
                "notes": referral.notes,
            },
        )


class ReassignForm(forms.Form):
    caseworker = OwnerChoiceField(label=_("Hand the case to"), queryset=None)
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}))
    include_tasks = forms.BooleanField(
        label=_("Hand over the previous caseworker's open tasks too"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, case: Case, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = candidates.exclude(pk=case.caseworker_id)


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or reference"), required=False)
    stage = forms.ModelChoiceField(
        label=_("Stage"), queryset=None, required=False, empty_label=_("any")
    )
    closed = forms.BooleanField(label=_("Include closed cases"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(pathway__active=True).select_related(
            "pathway"
        )
        self.fields["stage"].label_from_instance = lambda stage: stage.label


class ReportFilterForm(forms.Form):
    """The filters of the case reports; empty means everything."""

    date_from = date_field(_("From"))
    date_to = date_field(_("To"))
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label=_("any"),
    )
    pathway = forms.ModelChoiceField(
        label=_("Pathway"), queryset=Pathway.objects.all(), required=False, empty_label=_("any")
    )
    stage = StageChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.filter(pathway__active=True),
        required=False,
        empty_label=_("any"),
    )
    nationality = forms.CharField(label=_("Nationality"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathway"].label_from_instance = lambda pathway: pathway.label

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The end of the period comes before its start."))
        if data.get("stage") and data.get("pathway") and data["stage"].pathway != data["pathway"]:
            self.add_error("stage", _("This stage belongs to another pathway."))
        return data

    def scope(self) -> Scope:
        """The filters as an aggregates.Scope; an invalid form counts everything."""
        if not self.is_valid():
            return Scope()
        data = self.cleaned_data
        return Scope(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            team_id=data["team"].pk if data.get("team") else None,
            pathway_id=data["pathway"].pk if data.get("pathway") else None,
            stage_id=data["stage"].pk if data.get("stage") else None,
            nationality=(data.get("nationality") or "").strip(),
        )


# Configuration (administrators) -------------------------------------------------------------


class PathwayForm(forms.ModelForm):
    class Meta:
        model = Pathway
        fields = ["name", "description", "is_default", "active"]


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["name", "code", "position", "is_final"]


class TaskTemplateForm(forms.ModelForm):
    class Meta:
        model = TaskTemplate
        fields = ["title", "description", "due_after_days", "position", "active"]


class DocumentTypeForm(forms.ModelForm):
    class Meta:
        model = DocumentType
        fields = ["name", "code", "renewal_lead_days", "active"]
