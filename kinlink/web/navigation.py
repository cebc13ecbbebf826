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
    "enquiries": NavItem("tracing:enquiry_list", _("Enquiries")),
    "persons": NavItem("web:person_list", _("Persons")),
    "cases": NavItem("cases:case_list", _("Cases")),
    "testimonies": NavItem("testimony:list", _("Testimonies")),
    "audit": NavItem("web:audit_list", _("Audit log")),
    "privacy": NavItem("privacy:index", _("Data protection")),
    "users": NavItem("accounts:user_list", _("Users")),
    "case_settings": NavItem("cases:settings", _("Pathways")),
    "reports": NavItem("web:reports", _("Reports")),
}

_BY_ROLE = {
    Role.CASEWORKER: ["home", "enquiries", "persons", "cases", "testimonies"],
    Role.SUPERVISOR: ["home", "enquiries", "persons", "cases", "testimonies", "reports"],
    Role.DPO: ["home", "persons", "testimonies", "audit", "privacy", "reports"],
    Role.ADMIN: ["home", "users", "case_settings"],
    Role.ANALYST: ["home", "reports"],
}


def items_for(role: str) -> list[NavItem]:
    return [_ITEMS[key] for key in _BY_ROLE.get(role, ["home"])]
