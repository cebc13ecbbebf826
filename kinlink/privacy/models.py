"""Data-subject rights: erasure and pseudonymisation requests (which stay as the tombstone of
what was done), stable pseudonyms, and retention periods per record type.

The rules live in services.py; these tables only hold what was decided and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kinlink.audit.tracking import AuditedModel
from kinlink.people.models import Person


class LegalGround(models.TextChoices):
    """Why a person's data must go (GDPR article 17(1) and the retention schedule)."""

    NO_LONGER_NEEDED = "no_longer_needed", _("no longer needed for its purpose")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("consent withdrawn, no other legal basis")
    OBJECTION = "objection", _("the person objected, no overriding grounds")
    UNLAWFUL = "unlawful", _("processed unlawfully")
    LEGAL_OBLIGATION = "legal_obligation", _("a legal obligation requires it")
    RETENTION = "retention", _("retention period over")


class Requester(models.TextChoices):
    SUBJECT = "subject", _("the person themself")
    REPRESENTATIVE = "representative", _("a representative of the person")
    ORGANISATION = "organisation", _("the organisation")
    RETENTION = "retention", _("the retention schedule")


class Method(models.TextChoices):
    ERASE = "erase", _("erase")
    PSEUDONYMISE = "pseudonymise", _("pseudonymise")


class RequestState(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("carried out")
    REFUSED = "refused", _("refused")


class ErasureRequest(AuditedModel):
    """A request to erase or pseudonymise one person, and what was done about it.

    Once carried out it is the tombstone: the person's reference, the legal ground, who
    decided and when, and how many records of each kind were changed (counts, no values)."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    person_reference = models.CharField(_("person's reference"), max_length=20)
    ground = models.CharField(_("legal ground"), max_length=30, choices=LegalGround.choices)
    ground_detail = models.CharField(
        _("legal ground, in words"),
        max_length=300,
        blank=True,
        help_text=_("Never write the person's name or whereabouts here."),
    )
    requested_by = models.CharField(_("requested by"), max_length=20, choices=Requester.choices)
    requested_on = models.DateField(_("requested on"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=RequestState.choices, default=RequestState.OPEN
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.CharField(_("why it was refused"), max_length=300, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        indexes = [models.Index(fields=["state", "-recorded_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state == RequestState.OPEN


class Pseudonym(models.Model):
    """The stable pseudonym of a person: random, so it says nothing about who they are, and
    kept, so pseudonymising twice gives the same label."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.label


class RecordType(models.TextChoices):
    CLOSED_ENQUIRY = "closed_enquiry", _("closed enquiries (after closure)")
    CLOSED_CASE = "closed_case", _("closed cases (after closure)")
    INACTIVE_PERSON = (
        "inactive_person",
        _("persons with nothing open and no activity (after the last activity)"),
    )
    LOGIN_RECORDS = "login_records", _("failed-login and login-attempt records")


class RetentionAction(models.TextChoices):
    PSEUDONYMISE = "pseudonymise", _("pseudonymise")
    DELETE = "delete", _("delete")


# What happens to each record type once its period is over; the period is configurable,
# the action is not (it is the rule the code enforces).
RECORD_ACTIONS: dict[str, str] = {
    RecordType.CLOSED_ENQUIRY: RetentionAction.PSEUDONYMISE,
    RecordType.CLOSED_CASE: RetentionAction.PSEUDONYMISE,
    RecordType.INACTIVE_PERSON: RetentionAction.PSEUDONYMISE,
    RecordType.LOGIN_RECORDS: RetentionAction.DELETE,
}

DEFAULT_PERIODS: dict[str, int] = {
    RecordType.CLOSED_ENQUIRY: 3652,  # 10 years
    RecordType.CLOSED_CASE: 2557,  # 7 years
    RecordType.INACTIVE_PERSON: 3652,  # 10 years
    RecordType.LOGIN_RECORDS: 180,
}


class RetentionRule(AuditedModel):
    record_type = models.CharField(
        _("record type"), max_length=30, choices=RecordType.choices, unique=True
    )
    period_days = models.PositiveIntegerField(_("kept for (days)"))
    enabled = models.BooleanField(_("applied"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["record_type"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return f"{self.record_type}: {self.period_days} days"

    @property
    def action(self) -> str:
        return RECORD_ACTIONS[self.record_type]


class RetentionMark(models.Model):
    """One record a retention rule already acted on, so that a second run skips it."""

    record_type = models.CharField(max_length=30, choices=RecordType.choices)
    object_id = models.BigIntegerField()
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "object_id"], name="privacy_retention_mark_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_type}:{self.object_id}"
