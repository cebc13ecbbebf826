from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kinlink.accounts.models import Team
from kinlink.audit.sensitive import SealedTextField
from kinlink.audit.tracking import AuditedModel


class Gender(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")
    UNKNOWN = "", _("unknown")


class LifeStatus(models.TextChoices):
    ALIVE = "alive", _("alive")
    DECEASED = "deceased", _("deceased")
    UNKNOWN = "unknown", _("unknown")


class Person(AuditedModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    # The id a row had in an imported file, so that importing it again creates nothing new.
    external_id = models.CharField(_("imported id"), max_length=100, blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    birth_year_margin = models.PositiveSmallIntegerField(_("± years"), default=0)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # A Solar Hijri year spans two Gregorian years: birth_year..birth_year_end.
    birth_year_end = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_calendar = models.CharField(
        _("calendar entered"), max_length=12, default="gregorian", blank=True
    )
    birth_entered = models.CharField(_("birth date as entered"), max_length=40, blank=True)
    birth_place = models.CharField(_("birth place"), max_length=200, blank=True)
    nationality = models.CharField(_("nationality"), max_length=100, blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=LifeStatus.choices, default=LifeStatus.UNKNOWN
    )
    last_known_location = SealedTextField(_("last known location"), null=True, blank=True)
    contact = SealedTextField(_("contact details"), null=True, blank=True)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["caseworker", "reference"]),
            models.Index(fields=["team", "reference"]),
            # The home page's recently changed persons, newest first, within a caseload.
            models.Index(fields=["caseworker", "-updated_at"], name="people_person_cw_updated"),
            models.Index(fields=["team", "-updated_at"], name="people_person_team_updated"),
            # A caseload (`persons_visible_to`): counted on the home page and joined by the
            # persons search from the index alone, without reading the persons it holds
            # (they lie all over the table). Migration 0008.
            models.Index(
                fields=["caseworker", "id"],
                condition=models.Q(merged_into__isnull=True),
                name="people_person_cw_live",
            ),
            models.Index(
                fields=["team", "id"],
                condition=models.Q(merged_into__isnull=True),
                name="people_person_team_live",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def primary_name(self) -> PersonName | None:
        """The first name that is not hidden (pages print it wherever a person is named)."""
        names = [name for name in self.names.all() if not name.hidden]
        return names[0] if names else None

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def language_list(self) -> list[str]:
        return [part.strip() for part in self.languages.split(",") if part.strip()]


class NameKind(models.TextChoices):
    LEGAL = "legal", _("legal name")
    ALIAS = "alias", _("alias")
    ORGANISATIONAL = "organisational", _("organisational name")
    NICKNAME = "nickname", _("nickname")
    SPELLING = "spelling", _("spelling in another script")


class PersonName(AuditedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(
        _("kind"), max_length=20, choices=NameKind.choices, default=NameKind.LEGAL
    )
    given_name = models.CharField(_("given name"), max_length=200, blank=True)
    family_name = models.CharField(_("family name"), max_length=200, blank=True)
    father_name = models.CharField(_("father's name"), max_length=200, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=200, blank=True)
    script = models.CharField(_("script"), max_length=10, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # A hidden name (a former member's birth name kept from the group, an organisational name
    # that must not reach a partner) is shown only to those who may see the person's record
    # (their caseworker, their team's supervisor, the data-protection officer) and leaves
    # kinlink in no export, transfer or bundle. Matching still searches it.
    hidden = models.BooleanField(
        _("hidden"),
        default=False,
        help_text=_(
            "Shown only to the person's caseworker, their supervisor and the data-protection "
            "officer; never exported."
        ),
    )

    class Meta:
        ordering = ["person", "id"]
        verbose_name = _("name")
        verbose_name_plural = _("names")

    def __str__(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


class BirthCalendar(models.TextChoices):
    GREGORIAN = "gregorian", _("Gregorian")
    SOLAR_HIJRI = "solar_hijri", _("Solar Hijri")


class RelationshipKind(models.TextChoices):
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    SIBLING = "sibling", _("sibling")
    SPOUSE = "spouse", _("spouse")


INVERSE_RELATIONSHIP = {
    RelationshipKind.PARENT: RelationshipKind.CHILD,
    RelationshipKind.CHILD: RelationshipKind.PARENT,
    RelationshipKind.SIBLING: RelationshipKind.SIBLING,
    RelationshipKind.SPOUSE: RelationshipKind.SPOUSE,
}


class Relationship(AuditedModel):
    """`person` is the `kind` of `relative`: (A, parent, B) reads "A is B's parent".

    One row per pair; the other direction is derived with INVERSE_RELATIONSHIP."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    kind = models.CharField(_("relationship"), max_length=10, choices=RelationshipKind.choices)
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relatives_of")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "relative"], name="people_relationship_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("relative")),
                name="people_relationship_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.kind} {self.relative}"


class VersionAction(models.TextChoices):
    CREATE = "create", _("created")
    EDIT = "edit", _("edited")
    MERGE = "merge", _("merged")
    UNMERGE = "unmerge", _("merge undone")


class PersonVersion(models.Model):
    """A snapshot of a person after each change, so history survives edits and merges.

    Sealed fields are kept as their ciphertext (still encrypted at rest) so that an undo
    can restore them; they are never shown from here."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=VersionAction.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed = models.JSONField(default=list, blank=True)
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["person", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="people_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} v{self.number}"


class PersonMerge(AuditedModel):
    """`merged` was found to be the same person as `survivor` and folded into it.

    `moved` lists what moved (name and relationship ids; under "records", the ids of every
    other row that followed, keyed "app.Model.field"; under "kept", rows left on the merged
    record because moving them would break a uniqueness rule) and which empty fields of the
    survivor were filled, with their old values, so the merge can be undone without loss."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_in")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_out")
    reason = models.CharField(_("reason"), max_length=300)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"


class ConsentScope(models.TextChoices):
    """What a person found allows the recipient to learn, from most to least."""

    WHEREABOUTS = "whereabouts", _("share whereabouts and contact")
    MESSAGES = "messages", _("messages only")
    ALIVE_AND_WELL = "alive_and_well", _("tell them “alive and well” only")
    NOTHING = "nothing", _("nothing at all")


class ConsentPurpose(models.TextChoices):
    """Every purpose for which a person's data is processed; each carries its own basis."""

    FAMILY_TRACING = "family_tracing", _("family tracing")
    RELAYING_MESSAGES = "relaying_messages", _("relaying family messages")
    CASE_MANAGEMENT = "case_management", _("case management")
    TESTIMONY_USE = "testimony_use", _("use of a testimony")
    TRANSFER = "transfer", _("transfer to a partner organisation")
    PUBLICATION = "publication", _("public tracing notice")


class LegalBasis(models.TextChoices):
    """Issue 10 records other bases; only CONSENT ever permits a disclosure."""

    CONSENT = "consent", _("consent")
    VITAL_INTEREST = "vital_interest", _("vital interest")
    PUBLIC_INTEREST = "public_interest", _("important public interest")


class ConsentMethod(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    PHONE = "phone", _("by telephone")
    WRITING = "writing", _("in writing")
    PARTNER = "partner", _("through a partner organisation")


class Consent(AuditedModel):
    """A person's recorded decision about what a recipient may learn, in one context.

    `context` names what it belongs to without a foreign key (people knows no tracing):
    an enquiry is "enquiry:<id>". The newest record for a (person, context) is the one in
    force; a withdrawn record means nothing may be shared. Records are never deleted."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    recipient = models.ForeignKey(
        Person,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents_received",
    )
    context = models.CharField(max_length=50, db_index=True)
    purpose = models.CharField(
        _("purpose"),
        max_length=20,
        choices=ConsentPurpose.choices,
        default=ConsentPurpose.FAMILY_TRACING,
    )
    basis = models.CharField(
        _("legal basis"), max_length=20, choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    # What a family may learn (family tracing); blank for the other purposes, whose scope
    # is said in `coverage`.
    scope = models.CharField(_("decision"), max_length=20, choices=ConsentScope.choices, blank=True)
    coverage = models.CharField(_("what it covers"), max_length=300, blank=True)
    obtained_on = models.DateField(_("date given"))
    # Required for a consent; a vital or public interest is recorded, not obtained.
    method = models.CharField(
        _("how it was obtained"), max_length=20, choices=ConsentMethod.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["person", "context", "-id"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.context} {self.scope}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None
