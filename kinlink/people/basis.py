"""Legal basis per purpose: every processing of a person's data for a purpose (tracing,
relaying messages, case management, testimony use, transfer, publication of a tracing
notice) rests on a recorded basis, and every act asks `basis_for_act` whether it may go on.

Records are `Consent` rows (basis, scope or coverage, date, who recorded it and, for a
consent, how it was obtained), never deleted: a new record replaces the one in force, a
withdrawal closes it. A record for one purpose never counts for another, and a consent
given in one context (an enquiry, a notice) counts only there or where it was given for
every context of its purpose.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Consent, ConsentMethod, ConsentPurpose, ConsentScope, LegalBasis, Person
from .selectors import consent_in_force

P = ConsentPurpose
B = LegalBasis

# Which legal bases allow which act. Tracing someone who has not yet been asked, and the
# casework around them, may rest on their vital interest or an important public interest;
# telling anyone where they are, relaying their messages or publishing anything needs
# their consent, never a vital or public interest alone.
BASES_FOR: dict[str, frozenset[str]] = {
    "tracing": frozenset({B.CONSENT, B.VITAL_INTEREST, B.PUBLIC_INTEREST}),
    "disclosure": frozenset({B.CONSENT}),
    "relaying_messages": frozenset({B.CONSENT}),
    "case_management": frozenset({B.CONSENT, B.VITAL_INTEREST, B.PUBLIC_INTEREST}),
    "testimony_use": frozenset({B.CONSENT, B.PUBLIC_INTEREST}),
    "transfer": frozenset({B.CONSENT, B.VITAL_INTEREST, B.PUBLIC_INTEREST}),
    "publication": frozenset({B.CONSENT}),
}
# The purpose whose recorded basis each act reads.
PURPOSE_OF_ACT: dict[str, str] = {
    "tracing": P.FAMILY_TRACING,
    "disclosure": P.FAMILY_TRACING,
    "relaying_messages": P.RELAYING_MESSAGES,
    "case_management": P.CASE_MANAGEMENT,
    "testimony_use": P.TESTIMONY_USE,
    "transfer": P.TRANSFER,
    "publication": P.PUBLICATION,
}


def basis_allows(act: str, basis: str | None) -> bool:
    """Whether a legal basis allows an act (an unknown act is allowed by nothing)."""
    return basis in BASES_FOR.get(act, frozenset())


def record_context(purpose: str, context: str = "") -> str:
    """Where a record is filed. Family tracing keeps its enquiry context ("enquiry:<id>")
    as it always has; other purposes are filed as "<purpose>" (every context) or
    "<purpose>:<context>"."""
    if purpose == P.FAMILY_TRACING:
        return context or P.FAMILY_TRACING
    return f"{purpose}:{context}" if context else purpose


def basis_in_force(person: Person, purpose: str, context: str = "") -> Consent | None:
    """The record in force for this person, purpose and context: the one given for this
    context, else the one given for every context of the purpose."""
    for where in dict.fromkeys([record_context(purpose, context), record_context(purpose)]):
        record = consent_in_force(person, where)
        if record is not None:
            return record if record.purpose == purpose else None
    return None


def basis_for_act(act: str, *, person: Person, context: str = "") -> Consent | None:
    """The ONE check every act makes: the person's recorded basis for the act's purpose, if
    it is in force and allows the act; None means the act may not go on."""
    purpose = PURPOSE_OF_ACT.get(act)
    if purpose is None:
        return None
    record = basis_in_force(person, purpose, context)
    if record is None or not basis_allows(act, record.basis):
        return None
    return record


def require_basis(act: str, *, person: Person, context: str = "") -> Consent:
    record = basis_for_act(act, person=person, context=context)
    if record is None:
        raise ValidationError(
            _("No legal basis in force allows this for %(person)s.") % {"person": person}
        )
    return record


@transaction.atomic
def record_legal_basis(
    *,
    person: Person,
    purpose: str,
    basis: str,
    obtained_on: dt.date,
    by,
    method: str = "",
    coverage: str = "",
    context: str = "",
    scope: str = "",
    recipient: Person | None = None,
    note: str = "",
) -> Consent:
    """Record the basis on which a person's data is processed for a purpose: the basis,
    its scope (`scope` for family tracing, `coverage` in words for any purpose), the date,
    who recorded it and, for a consent, how it was obtained. It replaces the record in
    force for the same purpose and context. The caller checks who may record it."""
    errors: dict[str, str] = {}
    if purpose not in P.values:
        errors["purpose"] = f"unknown purpose {purpose!r}"
    if basis not in B.values:
        errors["basis"] = f"unknown legal basis {basis!r}"
    if basis == B.CONSENT and method not in ConsentMethod.values:
        errors["method"] = _("Say how the consent was obtained.")
    if method and method not in ConsentMethod.values:
        errors["method"] = f"unknown method {method!r}"
    if purpose == P.FAMILY_TRACING and scope not in ConsentScope.values:
        errors["scope"] = _("Say what the family may learn.")
    elif purpose != P.FAMILY_TRACING and scope:
        errors["scope"] = _("Only family tracing records what the family may learn.")
    if purpose != P.FAMILY_TRACING and not coverage.strip():
        errors["coverage"] = _("Say what this basis covers.")
    if obtained_on > timezone.localdate():
        errors["obtained_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    return Consent.objects.create(
        person=person,
        recipient=recipient,
        context=record_context(purpose, context),
        purpose=purpose,
        basis=basis,
        scope=scope,
        coverage=coverage.strip()[:300],
        obtained_on=obtained_on,
        method=method,
        note=note.strip()[:300],
        recorded_by=by,
    )


def legal_bases_of(person: Person):
    """Every basis ever recorded for a person, newest first (withdrawn ones included)."""
    return Consent.objects.filter(person=person).select_related("recorded_by", "withdrawn_by")


# -- for pages and the API: who may record and withdraw -------------------------------------


def record_basis_by(*, user, person: Person, **fields) -> Consent:
    """A caseworker or supervisor who may see the person records a basis for them
    (see `record_legal_basis` for the fields)."""
    from .services import _require_case_role, _require_visible

    _require_case_role(user)
    _require_visible(user, person)
    return record_legal_basis(person=person, by=user, **fields)


def withdraw_basis_by(*, user, record: Consent, reason: str) -> Consent:
    """Withdraw a record in force (a consent taken back, a basis that no longer holds)."""
    from .services import _require_case_role, _require_visible, withdraw_consent

    _require_case_role(user)
    _require_visible(user, record.person)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why it is withdrawn.")})
    return withdraw_consent(consent=record, by=user, reason=reason.strip()[:300])
