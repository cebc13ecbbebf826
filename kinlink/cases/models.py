"""Exit and reintegration cases: pathways of stages, moves, plans, documents and referrals.

Pathways, stages, task templates and document types are data, so an administrator defines
new ones without code. Rules live in services.py; who sees what in selectors.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kinlink.accounts.models import Team
from kinlink.audit.sensitive import SealedTextField
from kinlink.audit.tracking import AuditedModel
from kinlink.people.models import Person


def translated(text: str) -> str:
    """Names shipped with kinlink are in the translation catalogues and show in the page's
    language; names an administrator types show as typed."""
    return gettext(text) if text else ""


class Pathway(AuditedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default for new cases"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_pathway"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return translated(self.name)


class Stage(AuditedModel):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=50, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_final = models.BooleanField(
        _("closes the case"),
        default=False,
        help_text=_("Moving a case here closes it and asks for its outcome."),
    )

    class Meta:
        ordering = ["pathway", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["pathway", "name"], name="stage_name_per_pathway")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return translated(self.name)


class TaskTemplate(AuditedModel):
    """A task every case receives when it enters the stage (once per case)."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="task_templates")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_after_days = models.PositiveSmallIntegerField(
        _("due after (days)"),
        default=14,
        help_text=_("Days after the case enters the stage."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["stage", "position", "id"]
        verbose_name = _("task template")
        verbose_name_plural = _("task templates")

    def __str__(self) -> str:
        return self.title

    @property
    def label(self) -> str:
        return translated(self.title)


class Outcome(models.TextChoices):
    RELOCATED = "relocated", _("relocated to a third country")
    RETURNED = "returned", _("returned home")
    SETTLED = "settled", _("settled where they are")
    WITHDREW = "withdrew", _("withdrew from support")
    LOST_CONTACT = "lost_contact", _("contact lost")
    TRANSFERRED = "transferred", _("transferred to another organisation")


class Case(AuditedModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    pathway = models.ForeignKey(
        Pathway, verbose_name=_("pathway"), on_delete=models.PROTECT, related_name="cases"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="cases"
    )
    stage_entered_at = models.DateTimeField(_("in this stage since"))
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(closed_on__isnull=True), name="one_open_case"
            )
        ]
        indexes = [
            models.Index(fields=["caseworker", "reference"]),
            models.Index(fields=["team", "reference"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class StageMove(AuditedModel):
    """One move of a case into a stage: when it happened, who recorded it and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="moves")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="moves_in")
    moved_at = models.DateTimeField(_("moved on"))
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "moved_at", "id"]
        verbose_name = _("stage move")
        verbose_name_plural = _("stage moves")
        indexes = [models.Index(fields=["case", "moved_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_stage_id}"


class Reassignment(AuditedModel):
    """A supervisor handing a case to another caseworker of the team: who, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reassignments")
    from_caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reassigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reassigned_at = models.DateTimeField(_("reassigned on"))
    reason = models.TextField(_("reason"))
    tasks_moved = models.PositiveIntegerField(_("open tasks handed over"), default=0)
    person_moved = models.BooleanField(_("person's record handed over"), default=False)

    class Meta:
        ordering = ["case", "reassigned_at", "id"]
        verbose_name = _("reassignment")
        verbose_name_plural = _("reassignments")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_caseworker_id} → {self.to_caseworker_id}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("not needed")


class TaskKind(models.TextChoices):
    PLAN = "plan", _("from the stage's plan")
    FREE = "free", _("added by hand")
    RENEWAL = "renewal", _("document renewal")


class DocumentType(AuditedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.SlugField(_("code"), max_length=50, blank=True)
    renewal_lead_days = models.PositiveSmallIntegerField(
        _("renewal lead time (days)"),
        null=True,
        blank=True,
        help_text=_("How long before expiry the renewal task falls due. Empty: the default."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("document type")
        verbose_name_plural = _("document types")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return translated(self.name)


class DocumentStatus(models.TextChoices):
    CURRENT = "current", _("current")
    REPLACED = "replaced", _("replaced by a newer one")
    LOST = "lost", _("lost or withheld")


def scan_path(instance: Document, filename: str) -> str:
    # The stored name never carries the uploaded name, which may hold a person's name.
    return f"cases/documents/{instance.case_id}/{instance.scan_key}.bin"


class Document(AuditedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="documents"
    )
    issuing_country = models.CharField(_("issuing country"), max_length=100, blank=True)
    number = SealedTextField(_("number"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.CURRENT
    )
    scan = models.FileField(_("scan"), upload_to=scan_path, blank=True, max_length=200)
    scan_key = models.CharField(max_length=32, blank=True)
    scan_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    scan_size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    scan_content_type = models.CharField(max_length=100, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "expires_on", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["status", "expires_on"])]

    def __str__(self) -> str:
        return (
            f"{self.document_type} ({self.issuing_country})"
            if self.issuing_country
            else str(self.document_type)
        )


class Task(AuditedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=TaskKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_tasks",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    template = models.ForeignKey(
        TaskTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    for_expiry = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "due_on", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            # A case gets each template's task once, however often it re-enters the stage.
            models.UniqueConstraint(
                fields=["case", "template"],
                condition=Q(template__isnull=False),
                name="one_task_per_template",
            ),
            # One renewal task per document and expiry date: re-running the job adds none.
            models.UniqueConstraint(
                fields=["document", "for_expiry"],
                condition=Q(kind="renewal"),
                name="one_renewal_per_expiry",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"]),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def label(self) -> str:
        if self.kind == TaskKind.RENEWAL and self.document_id is not None:
            return gettext("Renew: %(document)s") % {"document": self.document.document_type.label}
        return translated(self.title)


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("due soon")
    OVERDUE = "overdue", _("overdue")


class Reminder(models.Model):
    """A reminder about one task for one person, made by the daily job.

    The unique key makes the job idempotent: running it twice creates and mails nothing new.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_reminders"
    )
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    due_on = models.DateField()
    created_on = models.DateField()
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "recipient", "kind", "due_on"], name="one_reminder_per_due_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.task_id} → {self.recipient_id}"


class ServiceType(models.TextChoices):
    LEGAL_AID = "legal_aid", _("legal aid")
    HOUSING = "housing", _("housing")
    EMPLOYMENT = "employment", _("employment")
    HEALTH = "health", _("health")
    PSYCHOSOCIAL = "psychosocial", _("psychosocial support")
    LANGUAGE = "language", _("language")


class ReferralStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    SENT = "sent", _("sent")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class ReferralOutcome(models.TextChoices):
    PENDING = "", _("not known yet")
    HELPED = "helped", _("needs met")
    PARTLY = "partly", _("needs partly met")
    NOT_HELPED = "not_helped", _("needs not met")


class Referral(AuditedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    service_type = models.CharField(_("service"), max_length=20, choices=ServiceType.choices)
    partner = models.CharField(_("partner organisation"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PLANNED
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=ReferralOutcome.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    referred_on = models.DateField(_("referred on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "referred_on", "id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.get_service_type_display()}: {self.partner}"
