"""Testimonies, the events they describe, their attachments, consents and evidence exports.

Consents are records with a history, never flags: the newest record for a (testimony, use)
or a (person, purpose) is the one in force, and a withdrawal is a new record. Every export
looks them up again, so a withdrawal is honoured by every later export.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kinlink.accounts.models import Team
from kinlink.audit.sensitive import SealedTextField
from kinlink.audit.tracking import AuditedModel
from kinlink.people.models import ConsentMethod, Person


class Use(models.TextChoices):
    """What the witness allows their testimony to be used for."""

    INTERNAL = "internal", _("internal use only")
    ANONYMISED = "anonymised", _("anonymised in reports")
    NAMED_REPORT = "named_report", _("named in a human-rights report")
    COURT = "court", _("court")


class Purpose(models.TextChoices):
    """What an evidence bundle is for; `PURPOSE_USES` says which consents cover it."""

    ANONYMISED_REPORT = "anonymised_report", _("anonymised report")
    HUMAN_RIGHTS_REPORT = "human_rights_report", _("human-rights report")
    COURT = "court", _("court")


# A testimony goes into a bundle only when one of these uses is in force for it.
PURPOSE_USES: dict[str, frozenset[str]] = {
    Purpose.ANONYMISED_REPORT: frozenset({Use.ANONYMISED, Use.NAMED_REPORT}),
    Purpose.HUMAN_RIGHTS_REPORT: frozenset({Use.NAMED_REPORT}),
    Purpose.COURT: frozenset({Use.COURT}),
}
# Purposes for which a person may consent to appear by name; in any other bundle everyone
# is a pseudonym.
NAMING_PURPOSES = (Purpose.HUMAN_RIGHTS_REPORT, Purpose.COURT)


class SourceKind(models.TextChoices):
    INTERVIEW = "interview", _("interview")
    WRITTEN_STATEMENT = "written_statement", _("written statement")
    PUBLICATION = "publication", _("published article or post")


class DatePrecision(models.TextChoices):
    DAY = "day", _("exact day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")
    ABOUT = "about", _("about (± 1 year)")


class ParticipantRole(models.TextChoices):
    VICTIM = "victim", _("victim")
    PERPETRATOR = "perpetrator", _("alleged perpetrator")


class AttachmentKind(models.TextChoices):
    AUDIO = "audio", _("audio")
    SCAN = "scan", _("scan")
    PHOTO = "photo", _("photo")
    DOCUMENT = "document", _("document")
    VIDEO = "video", _("video")


class Testimony(AuditedModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    witness = models.ForeignKey(
        Person, verbose_name=_("witness"), on_delete=models.PROTECT, related_name="testimonies"
    )
    recorded_on = models.DateField(_("date recorded"))
    recorded_place = models.CharField(_("place recorded"), max_length=200, blank=True)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("interviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=20, blank=True)
    account = SealedTextField(_("account"), null=True, blank=True)
    source_kind = models.CharField(
        _("source"), max_length=20, choices=SourceKind.choices, default=SourceKind.INTERVIEW
    )
    source_url = models.URLField(_("address of the publication"), max_length=500, blank=True)
    source_captured_on = models.DateField(_("date captured"), null=True, blank=True)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="testimonies",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="testimonies"
    )
    # The number of the account's version in force (see AccountVersion).
    account_version = models.PositiveIntegerField(_("version of the account"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name = _("testimony")
        verbose_name_plural = _("testimonies")
        indexes = [
            models.Index(fields=["caseworker", "-recorded_on"]),
            models.Index(fields=["team", "-recorded_on"]),
            models.Index(fields=["-recorded_on", "-id"]),
        ]

    def __str__(self) -> str:
        return self.reference


class TestimonyConsent(AuditedModel):
    """The witness's decision about one use of one testimony, at one time."""

    testimony = models.ForeignKey(Testimony, on_delete=models.PROTECT, related_name="consents")
    use = models.CharField(_("use"), max_length=20, choices=Use.choices)
    granted = models.BooleanField(_("granted"))
    given_on = models.DateField(_("date given"))
    method = models.CharField(
        _("how it was obtained"), max_length=20, choices=ConsentMethod.choices
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("consent to a use")
        verbose_name_plural = _("consents to uses")
        indexes = [models.Index(fields=["testimony", "use", "-id"])]

    def __str__(self) -> str:
        return f"{self.testimony_id} {self.use} {'+' if self.granted else '-'}"


class NamingConsent(AuditedModel):
    """A person's decision to appear by name (or not) in bundles for one purpose."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="naming_consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    granted = models.BooleanField(_("granted"))
    given_on = models.DateField(_("date given"))
    method = models.CharField(
        _("how it was obtained"), max_length=20, choices=ConsentMethod.choices
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("consent to be named")
        verbose_name_plural = _("consents to be named")
        indexes = [models.Index(fields=["person", "purpose", "-id"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose} {'+' if self.granted else '-'}"


class EventType(AuditedModel):
    """The editable vocabulary of what happened. Seeded types have translated labels."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("event type")
        verbose_name_plural = _("event types")

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        from .vocabulary import SEEDED_EVENT_TYPES

        return SEEDED_EVENT_TYPES.get(self.code, self.name)


class PlaceKind(models.TextChoices):
    CAMP = "camp", _("camp")
    FACILITY = "facility", _("facility")
    SETTLEMENT = "settlement", _("town or city")
    COUNTRY = "country", _("country")
    OTHER = "other", _("other")


class Place(AuditedModel):
    """A gazetteer entry. All its names, in every script, are `PlaceAlias` rows."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PlaceKind.choices, default=PlaceKind.OTHER
    )
    country = models.CharField(_("country"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        return self.name


class PlaceAlias(AuditedModel):
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=200)
    script = models.CharField(_("script"), max_length=10, blank=True)
    normalized = models.CharField(max_length=200, db_index=True)
    skeleton = models.CharField(max_length=200, db_index=True)

    class Meta:
        ordering = ["place", "id"]
        verbose_name = _("other name of a place")
        verbose_name_plural = _("other names of places")
        constraints = [
            models.UniqueConstraint(fields=["place", "normalized"], name="testimony_alias_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Event(AuditedModel):
    """Something that happened, as one testimony tells it.

    Dates are stored as given (`start`, `end` with their precision) and as the widest
    period they allow (`earliest`..`latest`), which is what period filters compare.
    The supporting passage is kept both as offsets into the account and as a sealed copy.
    """

    testimony = models.ForeignKey(Testimony, on_delete=models.PROTECT, related_name="events")
    event_type = models.ForeignKey(
        EventType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="events"
    )
    place = models.ForeignKey(
        Place,
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    place_detail = models.CharField(_("where exactly"), max_length=200, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    start_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    end = models.DateField(_("end"), null=True, blank=True)
    end_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    earliest = models.DateField(null=True, blank=True, db_index=True)
    latest = models.DateField(null=True, blank=True, db_index=True)
    passage_start = models.PositiveIntegerField(null=True, blank=True)
    passage_end = models.PositiveIntegerField(null=True, blank=True)
    passage = SealedTextField(_("supporting passage"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["earliest", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["event_type", "place"])]

    def __str__(self) -> str:
        return f"{self.testimony_id}:{self.event_type_id}"


class Participant(AuditedModel):
    """A victim or alleged perpetrator of an event: a person, or a description."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_roles",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["event", "role", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(description=""),
                name="testimony_participant_person_or_description",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.person_id or self.description}"


class Attachment(AuditedModel):
    """A file with the fingerprint taken at upload; every read checks it again."""

    testimony = models.ForeignKey(Testimony, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(upload_to="testimony/attachments/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    identifies_people = models.BooleanField(
        _("shows who someone is (voice, face, name)"), default=True
    )
    # Encrypted at rest (`attachments.py`); False only for files stored before encryption,
    # until `testimony_encrypt_attachments` has run.
    encrypted = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["testimony", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class SearchTerm(models.Model):
    """One keyed hash of a normalised term of a testimony (see `search.py`). Not audited:
    it is derived data, rebuilt by `testimony_reindex`."""

    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="+")
    term = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "testimony"], name="testimony_term_unique")
        ]

    def __str__(self) -> str:
        return f"{self.testimony_id}:{self.term}"


class SecretKey(models.Model):
    """Random keys for search hashing and pseudonyms, sealed with the field key so that key
    rotation re-encrypts them like any sensitive value (and the index stays valid)."""

    name = models.CharField(max_length=50, unique=True)
    key = SealedTextField()

    def __str__(self) -> str:
        return self.name


class Recipient(AuditedModel):
    """Who receives evidence bundles. Each has its own pseudonym key: the same person keeps
    the same pseudonym in every bundle to one recipient, and differs between recipients."""

    name = models.CharField(_("recipient"), max_length=200)
    normalized = models.CharField(max_length=200, unique=True)
    pseudonym_key = SealedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self) -> str:
        return self.name


class EvidenceExport(AuditedModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    recipient = models.ForeignKey(
        Recipient, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="exports"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    file = models.FileField(upload_to="testimony/exports/", max_length=300)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField("SHA-256", max_length=64)
    manifest_sha256 = models.CharField(max_length=64)
    testimony_count = models.PositiveIntegerField(default=0)
    event_count = models.PositiveIntegerField(default=0)
    attachment_count = models.PositiveIntegerField(default=0)
    items = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("evidence export")
        verbose_name_plural = _("evidence exports")

    def __str__(self) -> str:
        return self.reference


class AccountVersion(AuditedModel):
    """One version of a testimony's account. Versions are only ever added: a correction is
    a new version (who, when, why) and the original stays readable in version 1."""

    # CASCADE: only erasure (privacy/) deletes a testimony, and its versions go with it.
    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    account = SealedTextField(_("account"))
    reason = models.CharField(_("why"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["testimony", "-number"]
        verbose_name = _("version of an account")
        verbose_name_plural = _("versions of accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["testimony", "number"], name="testimony_account_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.testimony_id} v{self.number}"


class EventVersion(AuditedModel):
    """One version of an event: a sealed JSON snapshot of its fields, participants and
    passage. Added, never changed; version 1 is the event as first recorded."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = SealedTextField()
    reason = models.CharField(_("why"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "-number"]
        verbose_name = _("version of an event")
        verbose_name_plural = _("versions of events")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "number"], name="testimony_event_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} v{self.number}"


class MentionedPerson(AuditedModel):
    """Someone named in an account who is not linked as a person (a cellmate, a guard, a
    relative). A caseworker lists their names and aliases, one a line, in any script; every
    bundle redacts them (`redaction.py`). The names are sealed like the account."""

    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="mentions")
    names = SealedTextField(_("names and aliases"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["testimony", "id"]
        verbose_name = _("person mentioned")
        verbose_name_plural = _("people mentioned")

    def __str__(self) -> str:
        return f"{self.testimony_id}:{self.pk}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ExportJob(AuditedModel):
    """An evidence export asked for and built in the background (`jobs.py`).

    Progress is written with queryset updates (no audit entry per step). A job whose
    heartbeat stopped (the process was killed) is picked up again by `testimony_exports`:
    the bundle is built in a temporary file and stored in one transaction, so a killed
    job leaves nothing half made and simply runs again."""

    recipient = models.CharField(_("recipient"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # ids of the testimonies asked for; empty: every one the purpose allows
    testimonies = models.JSONField(_("testimonies"), default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    export = models.OneToOneField(
        EvidenceExport, null=True, blank=True, on_delete=models.SET_NULL, related_name="job"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("export in progress")
        verbose_name_plural = _("exports in progress")
        indexes = [models.Index(fields=["status", "heartbeat"])]

    def __str__(self) -> str:
        return f"job {self.pk} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
