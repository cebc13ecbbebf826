"""Tracing: a family's enquiry, the candidates the matching engine proposes, the decisions
on them, the family messages relayed, and notifications to caseworkers.

Consent lives in `people.Consent` (context "enquiry:<id>"); what it allows is decided only
in `tracing.services`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kinlink.accounts.models import Team
from kinlink.audit.sensitive import SealedTextField
from kinlink.audit.tracking import AuditedModel
from kinlink.people.models import Gender, LegalBasis, Person


class EnquiryStatus(models.TextChoices):
    OPEN = "open", _("open")
    SEARCHING = "searching", _("searching")
    CANDIDATE_FOUND = "candidate_found", _("candidate found")
    PERSON_ASKED = "person_asked", _("sought person asked")
    CLOSED = "closed", _("closed")


class Outcome(models.TextChoices):
    CONTACT_RESTORED = "contact_restored", _("contact restored")
    ALIVE_NO_CONTACT = "alive_no_contact", _("found, alive and well, no contact wanted")
    NO_ANSWER = "no_answer", _("found, no answer")
    DECEASED = "deceased", _("deceased")
    NOT_FOUND = "not_found", _("not found")


class EnquirerRelationship(models.TextChoices):
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    SIBLING = "sibling", _("sibling")
    SPOUSE = "spouse", _("spouse")
    OTHER_RELATIVE = "other_relative", _("other relative")
    OTHER = "other", _("other")


class Enquiry(AuditedModel):
    """A family's request to find someone: who asks, and the sought person as they know them."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    external_id = models.CharField(_("imported id"), max_length=100, blank=True, db_index=True)
    enquirer = models.ForeignKey(
        Person, verbose_name=_("enquirer"), on_delete=models.PROTECT, related_name="enquiries_made"
    )
    relationship = models.CharField(
        _("relationship to the sought person"),
        max_length=20,
        choices=EnquirerRelationship.choices,
    )
    relationship_detail = models.CharField(_("relationship, in words"), max_length=100, blank=True)
    # The sought person as the family describes them, in any script.
    sought_given_name = models.CharField(_("given name"), max_length=200, blank=True)
    sought_family_name = models.CharField(_("family name"), max_length=200, blank=True)
    sought_father_name = models.CharField(_("father's name"), max_length=200, blank=True)
    sought_mother_name = models.CharField(_("mother's name"), max_length=200, blank=True)
    sought_other_names = models.TextField(_("other names (one a line)"), blank=True)
    sought_gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    sought_birth_entered = models.CharField(_("birth year or date"), max_length=40, blank=True)
    sought_birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sought_birth_year_end = models.PositiveSmallIntegerField(null=True, blank=True)
    sought_birth_margin = models.PositiveSmallIntegerField(default=0)
    sought_birth_calendar = models.CharField(max_length=12, default="gregorian", blank=True)
    sought_birth_place = models.CharField(_("birth place"), max_length=200, blank=True)
    last_news_when = models.CharField(_("last news: when"), max_length=100, blank=True)
    last_news_where = models.CharField(_("last news: where"), max_length=200, blank=True)
    last_news_circumstances = models.TextField(_("last news: circumstances"), blank=True)
    enquirer_contact = SealedTextField(_("how to reach the enquirer"), null=True, blank=True)
    sought_person = models.ForeignKey(
        Person,
        verbose_name=_("sought person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enquiries_about",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EnquiryStatus.choices, default=EnquiryStatus.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enquiries",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enquiries",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")
        indexes = [
            models.Index(fields=["caseworker", "status"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def sought_name(self) -> str:
        return " ".join(p for p in (self.sought_given_name, self.sought_family_name) if p)

    @property
    def consent_context(self) -> str:
        return f"enquiry:{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status == EnquiryStatus.CLOSED


class StatusChange(models.Model):
    """Every move of an enquiry from one status to another: when, by whom, why."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=EnquiryStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=EnquiryStatus.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.enquiry_id}: {self.from_status} → {self.to_status}"


class Decision(models.TextChoices):
    PENDING = "pending", _("not decided")
    SAME = "same", _("same person")
    NOT_SAME = "not_same", _("not the same")
    UNSURE = "unsure", _("unsure")


class Candidate(AuditedModel):
    """A registry person the matching engine proposed for an enquiry, and the decision on it.

    A pair decided "not the same" keeps its row, so it is never proposed again."""

    audit_exclude = ("updated_at", "score", "rank", "match_weight", "explanation", "evidence")

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="candidacies")
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.FloatField(_("score"))
    match_weight = models.FloatField(default=0)
    explanation = models.TextField(_("explanation"), blank=True)
    evidence = models.JSONField(default=list, blank=True)
    found_later = models.BooleanField(default=False)
    proposed_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["enquiry", "-score", "id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["enquiry", "person"], name="tracing_candidate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enquiry_id} ~ {self.person_id}"


class VerificationKind(models.TextChoices):
    RECOGNISED = "recognised", _("the enquirer recognises the person")
    RELATIONSHIP = "relationship", _("the relationship is confirmed")


class VerificationMethod(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    PHONE = "phone", _("by phone")
    PHOTO = "photo", _("photograph shown to the enquirer")
    QUESTIONS = "questions", _("details only the family would know")
    DOCUMENTS = "documents", _("documents")
    OTHER = "other", _("other")


class Verification(AuditedModel):
    """The separate, recorded step between "same person" and any disclosure: the enquirer
    recognises the person found, or the relationship is confirmed. It holds for the
    confirmation it was recorded after; reversing the confirmation voids it."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="verifications")
    kind = models.CharField(_("what was verified"), max_length=20, choices=VerificationKind.choices)
    method = models.CharField(_("how"), max_length=20, choices=VerificationMethod.choices)
    verified_on = models.DateField(_("when"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["candidate", "-recorded_at", "-id"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.kind}"


class CandidateDecision(AuditedModel):
    """The history of decisions on a candidate (a decision can be reversed)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.decision}"


class MessageDirection(models.TextChoices):
    TO_SOUGHT = "to_sought", _("from the family to the sought person")
    TO_ENQUIRER = "to_enquirer", _("from the sought person to the family")


class MessageState(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")
    DELIVERED = "delivered", _("delivered")
    REPLIED = "replied", _("replied")
    UNDELIVERABLE = "undeliverable", _("undeliverable")


class FamilyMessage(AuditedModel):
    """A short message relayed by the organisation, read by a second person before delivery."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=12, choices=MessageDirection.choices)
    text = models.TextField(_("message"))
    transcribed = models.BooleanField(_("transcribed from paper or speech"), default=False)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    state = models.CharField(
        _("state"), max_length=14, choices=MessageState.choices, default=MessageState.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["written_at", "id"]
        verbose_name = _("family message")
        verbose_name_plural = _("family messages")

    def __str__(self) -> str:
        return f"{self.enquiry_id} {self.direction} {self.state}"


class NotificationKind(models.TextChoices):
    NEW_CANDIDATE = "new_candidate", _("new candidate")
    MESSAGE_TO_REVIEW = "message_to_review", _("message to review")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.enquiry_id}"


class PendingImport(models.Model):
    """An uploaded file between its preview and its import, encrypted at rest (it may hold
    contact details), kept in the database so that any app server can finish the import."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    filename = models.CharField(max_length=200)
    content = SealedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"


class PersonKey(models.Model):
    """Blocking keys of a registry person (kinlink.matching.keys.record_keys), so that the
    database answers "who is worth comparing with this enquiry" for a large registry."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["key", "person"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="tracing_personkey_unique")
        ]

    def __str__(self) -> str:
        return self.key


class EnquiryKey(models.Model):
    """Blocking keys of an open enquiry, so a new person finds the enquiries to match."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["key", "enquiry"])]
        constraints = [
            models.UniqueConstraint(fields=["enquiry", "key"], name="tracing_enquirykey_unique")
        ]

    def __str__(self) -> str:
        return self.key


class TransferPurpose(models.TextChoices):
    TRACING = "tracing", _("tracing (search for the person)")
    RELAYING_MESSAGES = "relaying_messages", _("relaying family messages")


class Transfer(AuditedModel):
    """Data about a person sent to a partner organisation: recipient, purpose, legal basis
    and exactly what was sent (minimised to the purpose). A transfer never creates, changes
    or widens a consent; it only records what left and why."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfers")
    enquiry = models.ForeignKey(
        Enquiry, null=True, blank=True, on_delete=models.SET_NULL, related_name="transfers"
    )
    recipient = models.CharField(_("recipient organisation"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=20, choices=TransferPurpose.choices)
    basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    fields = models.JSONField(_("fields sent"), default=list)
    sent = models.JSONField(_("what was sent"), default=dict)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"{self.person_id} → {self.recipient}"


def notice_token() -> str:
    """An unguessable address for a published notice (256 bits)."""
    return secrets.token_urlsafe(32)


class TracingNotice(AuditedModel):
    """A public tracing notice for an enquirer who consents to publish it (as photo-based
    tracing does, where those who search publish their own photo). It holds only the
    enquirer's photo; the first name, the relationship, the name sought and the reference
    are read from the enquiry when it is shown. It is published (at /notices/<token>/) only
    while the enquirer's consent to publication for this enquiry is in force."""

    enquiry = models.OneToOneField(Enquiry, on_delete=models.CASCADE, related_name="notice")
    # Denormalised so the subject-access export and erasure find it by the person.
    enquirer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="notices")
    token = models.CharField(max_length=64, unique=True, default=notice_token)
    # The photo as a JPEG re-encoded without its metadata, base64, encrypted at rest.
    photo = SealedTextField(_("photo"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tracing notice")
        verbose_name_plural = _("tracing notices")

    def __str__(self) -> str:
        return f"notice {self.enquiry_id}"


class KeyIndex(models.Model):
    """Which version of the matching keys (kinlink.matching.keys.KEYS_VERSION) the
    PersonKey and EnquiryKey rows were made with: one row."""

    version = models.PositiveIntegerField(default=0)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"matching keys v{self.version}"
