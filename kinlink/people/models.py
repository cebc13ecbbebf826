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
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    birth_year_margin = models.PositiveSmallIntegerField(_("± years"), default=0)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_place = models.CharField(_("birth place"), max_length=200, blank=True)
    nationality = models.CharField(_("nationality"), max_length=100, blank=True)
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["caseworker", "reference"]),
            models.Index(fields=["team", "reference"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def primary_name(self) -> PersonName | None:
        names = list(self.names.all())
        return names[0] if names else None


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
    script = models.CharField(_("script"), max_length=10, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        ordering = ["person", "id"]
        verbose_name = _("name")
        verbose_name_plural = _("names")

    def __str__(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)
