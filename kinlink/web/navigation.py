"""The navigation each role sees. Hiding a link is a courtesy: every view checks access itself."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kinlink.accounts.roles import Role


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str


_ITEMS = {
    "home": NavItem("web:home", _("Home")),
    "persons": NavItem("web:person_list", _("Persons")),
    "audit": NavItem("web:audit_list", _("Audit log")),
    "users": NavItem("accounts:user_list", _("Users")),
    "reports": NavItem("web:reports", _("Reports")),
    "privacy": NavItem("privacy:index", _("Data protection")),
}

_BY_ROLE = {
    Role.CASEWORKER: ["home", "persons"],
    Role.SUPERVISOR: ["home", "persons", "reports"],
    Role.DPO: ["home", "persons", "audit", "privacy", "reports"],
    Role.ADMIN: ["home", "users"],
    Role.ANALYST: ["home", "reports"],
}


def items_for(role: str) -> list[NavItem]:
    return [_ITEMS[key] for key in _BY_ROLE.get(role, ["home"])]
