"""The five roles and what each may do. Object-level checks live with each app's selectors."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    DPO = "dpo", _("Data-protection officer")
    ADMIN = "admin", _("Administrator")
    ANALYST = "analyst", _("Analyst")


# Roles that must confirm a one-time password before they see anything.
TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.DPO})

# Roles that work on individual records (persons, enquiries, cases).
CASE_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR})


def works_on_records(role: str) -> bool:
    return role in CASE_ROLES


def may_read_audit(role: str) -> bool:
    return role == Role.DPO


def may_manage_users(role: str) -> bool:
    return role == Role.ADMIN


def may_see_reports(role: str) -> bool:
    return role in {Role.ANALYST, Role.SUPERVISOR, Role.DPO}


def needs_two_factor(role: str) -> bool:
    return role in TWO_FACTOR_ROLES
