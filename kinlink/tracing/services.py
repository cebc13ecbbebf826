"""Every write and every rule of tracing: enquiries and their status, candidates and the
decisions on them, consent per enquiry, family messages, and disclosure.

Disclosure: nothing about where the sought person is or how to reach them leaves kinlink
except through `disclosure_for` (and `family_reply`, which is built on it). Pages, the
printable letter, the API and exports all call it; it reveals location and contact only
when the sought person's consent in force for this enquiry says "share whereabouts and
contact", and it writes a "disclose" entry to the audit log every time.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kinlink.accounts.models import User
from kinlink.accounts.roles import Role, works_on_records
from kinlink.audit.models import Action
from kinlink.audit.sensitive import reveal
from kinlink.audit.services import record
from kinlink.people import basis as legal_basis
from kinlink.people import selectors as people_selectors
from kinlink.people import services as people_services
from kinlink.people.models import (
    Consent,
    ConsentPurpose,
    ConsentScope,
    LegalBasis,
    Person,
    PersonMerge,
)
from kinlink.people.selectors import can_view_person, consent_in_force

from . import matching
from .exports import (
    ENCRYPTED_TYPE,
    FORMATS,
    MIN_PASSPHRASE,
    encrypt_with_passphrase,
    write_rows,
)
from .imports import ImportReport, ParsedRow, RowError, parse_file
from .models import (
    Candidate,
    CandidateDecision,
    Decision,
    EnquirerRelationship,
    Enquiry,
    EnquiryStatus,
    FamilyMessage,
    MessageDirection,
    MessageState,
    Notification,
    NotificationKind,
    Outcome,
    PendingImport,
    StatusChange,
    Transfer,
    TransferPurpose,
    Verification,
    VerificationKind,
    VerificationMethod,
)
from .selectors import can_view_enquiry, enquiries_visible_to

S = EnquiryStatus
ALLOWED_MOVES: dict[str, set[str]] = {
    S.OPEN: {S.SEARCHING, S.CANDIDATE_FOUND, S.CLOSED},
    S.SEARCHING: {S.CANDIDATE_FOUND, S.CLOSED},
    S.CANDIDATE_FOUND: {S.PERSON_ASKED, S.SEARCHING, S.CLOSED},
    S.PERSON_ASKED: {S.SEARCHING, S.CLOSED},
    S.CLOSED: {S.SEARCHING},
}
SOUGHT_FIELDS = (
    "given_name",
    "family_name",
    "father_name",
    "mother_name",
    "other_names",
    "gender",
    "birth",
    "birth_place",
)
# What each decision of the sought person lets the family learn.
SAYS_ALIVE = {ConsentScope.ALIVE_AND_WELL, ConsentScope.MESSAGES, ConsentScope.WHEREABOUTS}
RELAYS_MESSAGES = {ConsentScope.MESSAGES, ConsentScope.WHEREABOUTS}
SHARES_WHEREABOUTS = {ConsentScope.WHEREABOUTS}


# -- access ----------------------------------------------------------------------------------


def _require_case_role(user: User) -> None:
    if not (user.is_authenticated and user.is_active and works_on_records(user.role)):
        raise PermissionDenied("only caseworkers and supervisors work on enquiries")


def _require_visible(user: User, enquiry: Enquiry) -> None:
    if not can_view_enquiry(user, enquiry):
        raise PermissionDenied("this enquiry is not in your caseload")


def _require_worker(user: User, enquiry: Enquiry) -> None:
    _require_case_role(user)
    _require_visible(user, enquiry)


def _require_open(enquiry: Enquiry) -> None:
    if enquiry.is_closed:
        raise ValidationError(_("This enquiry is closed."))


# -- enquiries -------------------------------------------------------------------------------


def next_reference() -> str:
    last = Enquiry.objects.aggregate(top=Max("id"))["top"] or 0
    return f"E-{last + 1:06d}"


def _sought_columns(sought: dict[str, Any]) -> dict[str, Any]:
    unknown = set(sought) - set(SOUGHT_FIELDS)
    if unknown:
        raise ValidationError(f"unknown fields of the sought person: {', '.join(sorted(unknown))}")
    clean = {key: str(value or "").strip() for key, value in sought.items()}
    if not (clean.get("given_name") or clean.get("family_name")):
        raise ValidationError({"given_name": _("Give at least a given name or a family name.")})
    try:
        birth = people_services.birth_fields(clean.get("birth", ""))
    except ValidationError as exc:
        raise ValidationError({"birth": exc.message_dict["birth"]}) from exc
    return {
        "sought_given_name": clean.get("given_name", ""),
        "sought_family_name": clean.get("family_name", ""),
        "sought_father_name": clean.get("father_name", ""),
        "sought_mother_name": clean.get("mother_name", ""),
        "sought_other_names": clean.get("other_names", ""),
        "sought_gender": clean.get("gender", ""),
        "sought_birth_place": clean.get("birth_place", ""),
        "sought_birth_entered": birth["birth_entered"],
        "sought_birth_year": birth["birth_year"],
        "sought_birth_year_end": birth["birth_year_end"],
        "sought_birth_margin": birth["birth_year_margin"],
        "sought_birth_calendar": birth["birth_calendar"],
    }


@transaction.atomic
def create_enquiry(
    *,
    user: User,
    relationship: str,
    sought: dict[str, Any],
    enquirer: Person | None = None,
    new_enquirer: dict[str, Any] | None = None,
    relationship_detail: str = "",
    last_news_when: str = "",
    last_news_where: str = "",
    last_news_circumstances: str = "",
    enquirer_contact: str = "",
    external_id: str = "",
    search: bool = True,
) -> Enquiry:
    """Record a family's enquiry and search the registry for the sought person at once
    (unless `search` is False: it stays "open" until `start_search`).

    The enquirer is an existing person in the user's caseload, or `new_enquirer`
    (the keyword arguments of `people.services.register_person`, e.g. {"names": [...]})."""
    _require_case_role(user)
    if relationship not in EnquirerRelationship.values:
        raise ValidationError({"relationship": f"unknown relationship {relationship!r}"})
    columns = _sought_columns(sought)
    if enquirer is None:
        if not new_enquirer:
            raise ValidationError({"enquirer": _("Say who is asking.")})
        enquirer = people_services.register_person(user=user, **new_enquirer)
    elif not can_view_person(user, enquirer):
        raise PermissionDenied("the enquirer is not in your caseload")
    enquiry = Enquiry.objects.create(
        reference=next_reference(),
        enquirer=enquirer,
        relationship=relationship,
        relationship_detail=relationship_detail,
        last_news_when=last_news_when,
        last_news_where=last_news_where,
        last_news_circumstances=last_news_circumstances,
        enquirer_contact=enquirer_contact or None,
        external_id=external_id,
        caseworker=user,
        team=user.team,
        **columns,
    )
    StatusChange.objects.create(enquiry=enquiry, to_status=S.OPEN, by=user)
    if search:
        start_search(user=user, enquiry=enquiry)
    else:
        matching.store_enquiry_keys(enquiry)
    return enquiry


def _move(enquiry: Enquiry, to: str, *, by: User | None, note: str = "", outcome: str = ""):
    if to not in ALLOWED_MOVES[enquiry.status]:
        raise ValidationError(
            _("An enquiry cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(enquiry.status).label, "to": S(to).label}
        )
    StatusChange.objects.create(
        enquiry=enquiry,
        from_status=enquiry.status,
        to_status=to,
        outcome=outcome,
        by=by,
        note=note[:300],
    )
    enquiry.status = to
    enquiry.outcome = outcome
    enquiry.closed_at = timezone.now() if to == S.CLOSED else None
    enquiry.save()
    matching.store_enquiry_keys(enquiry)


@transaction.atomic
def start_search(*, user: User, enquiry: Enquiry) -> list[Candidate]:
    """Move an open enquiry to "searching" and ask the matching engine for candidates."""
    _require_worker(user, enquiry)
    if enquiry.status == S.OPEN:
        _move(enquiry, S.SEARCHING, by=user, note="matching run")
    else:
        matching.store_enquiry_keys(enquiry)
    return run_matching(enquiry)


@transaction.atomic
def mark_person_asked(*, user: User, enquiry: Enquiry, note: str = "") -> Enquiry:
    """The caseworker has put the family's enquiry to the person found."""
    _require_worker(user, enquiry)
    if enquiry.sought_person_id is None:
        raise ValidationError(_("Confirm a candidate before asking the person."))
    _move(enquiry, S.PERSON_ASKED, by=user, note=note)
    return enquiry


@transaction.atomic
def close_enquiry(*, user: User, enquiry: Enquiry, outcome: str, note: str = "") -> Enquiry:
    """Close with an outcome. "Contact restored" needs the sought person's consent to
    messages or more; every outcome but "not found" needs a confirmed person."""
    _require_worker(user, enquiry)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": f"unknown outcome {outcome!r}"})
    if outcome != Outcome.NOT_FOUND and enquiry.sought_person_id is None:
        raise ValidationError(
            {"outcome": _("Only “not found” is possible before a candidate is confirmed.")}
        )
    if outcome == Outcome.CONTACT_RESTORED and consent_scope(enquiry) not in RELAYS_MESSAGES:
        raise ValidationError(
            {"outcome": _("Contact can be restored only with the sought person's consent.")}
        )
    _move(enquiry, S.CLOSED, by=user, note=note, outcome=outcome)
    return enquiry


@transaction.atomic
def reopen_enquiry(*, user: User, enquiry: Enquiry, note: str) -> Enquiry:
    _require_worker(user, enquiry)
    if not note.strip():
        raise ValidationError({"note": _("Say why the enquiry is reopened.")})
    _move(enquiry, S.SEARCHING, by=user, note=note)
    run_matching(enquiry)
    return enquiry


# -- matching --------------------------------------------------------------------------------


def _evidence(ranked) -> list[dict[str, Any]]:
    return [dataclasses.asdict(item) for item in ranked.evidence]


def run_matching(enquiry: Enquiry, *, later: Person | None = None) -> list[Candidate]:
    """Ask the engine again; add new candidates, refresh undecided ones. A decided pair is
    left as it was decided (a "not the same" is never proposed again). Returns new ones,
    each with the engine's `pair_probability` (this pair alone, not stored) beside its
    stored score (which the other candidates share). `later`: the person registered or
    changed after the enquiry that made this run; only their candidate is `found_later`."""
    if enquiry.is_closed:
        return []
    existing = {c.person_id: c for c in enquiry.candidates.all()}
    added = []
    for ranked in matching.rank_for_enquiry(enquiry):
        values = {
            "rank": ranked.rank,
            "score": ranked.score,
            "match_weight": ranked.match_weight,
            "explanation": ranked.explanation,
            "evidence": _evidence(ranked),
        }
        candidate = existing.get(ranked.person_id)
        if candidate is None:
            candidate = Candidate.objects.create(
                enquiry=enquiry,
                person_id=ranked.person_id,
                found_later=later is not None and ranked.person_id == later.pk,
                **values,
            )
            candidate.pair_probability = ranked.pair_probability
            added.append(candidate)
        elif candidate.decision == Decision.PENDING:
            for key, value in values.items():
                setattr(candidate, key, value)
            candidate.save(update_fields=list(values))
    return added


def notify_min_score() -> float:
    """The match probability from which a caseworker is told of a person registered later."""
    from django.conf import settings

    return float(getattr(settings, "TRACING_NOTIFY_MIN_SCORE", 0.2))


def match_person_against_open_enquiries(person: Person) -> list[Candidate]:
    """A person was added or changed: file them under their keys, match them against the
    open enquiries that share a key, and tell each caseworker of a new candidate that may
    well be the one: its pair probability at least `notify_min_score()`. Weaker ones are
    listed, not told. The pair alone decides, not the score the other candidates share, so
    a namesake the caseworker already turned down does not silence the person sought."""
    keys = matching.store_person_keys(person)
    if not keys:
        return []
    enquiries = (
        Enquiry.objects.filter(pk__in=matching.enquiries_sharing_keys(keys))
        # an open enquiry's search has not been started: starting it finds everyone
        .exclude(status__in=[S.CLOSED, S.OPEN])
        .exclude(enquirer=person)
    )
    added = []
    notify_from = notify_min_score()
    for enquiry in enquiries:
        for candidate in run_matching(enquiry, later=person):
            added.append(candidate)
            if not candidate.found_later:
                continue  # another person the new ranking lists: not news about this one
            if enquiry.caseworker_id and candidate.pair_probability >= notify_from:
                Notification.objects.create(
                    user_id=enquiry.caseworker_id,
                    kind=NotificationKind.NEW_CANDIDATE,
                    enquiry=enquiry,
                    candidate=candidate,
                )
    return added


def follow_unmerge(survivor: Person, merged: Person, merge: PersonMerge) -> None:
    """A merge was undone: enquiries, candidates and consents went back to the merged record
    with every record that followed it (people.services.undo_merge); here the candidates
    proposed for the survivor only because of the merge (still undecided) are withdrawn, and
    matching runs again for both records afterwards. Merges recorded before records followed
    generically list their enquiries under `moved["tracing"]`."""
    moved = (merge.moved or {}).get("tracing", {})
    for enquiry in Enquiry.objects.filter(pk__in=moved.get("sought", []), sought_person=survivor):
        enquiry.sought_person = merged
        enquiry.save()
    for enquiry in Enquiry.objects.filter(pk__in=moved.get("enquirer", []), enquirer=survivor):
        enquiry.enquirer = merged
        enquiry.save()
    Candidate.objects.filter(
        person=survivor, decision=Decision.PENDING, proposed_at__gte=merge.at
    ).delete()


# -- candidates ------------------------------------------------------------------------------


@transaction.atomic
def decide_candidate(*, user: User, candidate: Candidate, decision: str, reason: str) -> Candidate:
    """Record a judgement on a candidate: same person, not the same, or unsure, with a
    reason. "Same" makes the candidate the sought person; reversing it undoes that."""
    enquiry = candidate.enquiry
    _require_worker(user, enquiry)
    _require_open(enquiry)
    if decision not in (Decision.SAME, Decision.NOT_SAME, Decision.UNSURE):
        raise ValidationError({"decision": f"unknown decision {decision!r}"})
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the decision.")})
    if decision == candidate.decision:
        raise ValidationError({"decision": _("This decision is already recorded.")})
    if (
        decision == Decision.SAME
        and enquiry.candidates.filter(decision=Decision.SAME).exclude(pk=candidate.pk).exists()
    ):
        raise ValidationError(
            {"decision": _("Another candidate is already confirmed; reverse that first.")}
        )
    previous = candidate.decision
    candidate.decision = decision
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.decision_reason = reason.strip()[:300]
    candidate.save()
    CandidateDecision.objects.create(
        candidate=candidate, decision=decision, by=user, reason=candidate.decision_reason
    )
    record(
        Action.CHANGE,
        object_type="tracing.candidate",
        object_id=candidate.pk,
        field="decision",
        detail={
            "enquiry": enquiry.reference,
            "person": candidate.person.reference,
            "decision": decision,
            "previous": previous,
        },
    )
    if decision == Decision.SAME:
        enquiry.sought_person = candidate.person
        enquiry.save()
        if enquiry.status in (S.OPEN, S.SEARCHING):
            _move(enquiry, S.CANDIDATE_FOUND, by=user, note=candidate.person.reference)
    elif previous == Decision.SAME:
        enquiry.sought_person = None
        enquiry.save()
        if enquiry.status in (S.CANDIDATE_FOUND, S.PERSON_ASKED):
            _move(enquiry, S.SEARCHING, by=user, note="confirmation reversed")
    return candidate


# -- verification --------------------------------------------------------------------------


_UNREAD_CANDIDATE: Any = object()


def confirmed_candidate(enquiry: Enquiry) -> Candidate | None:
    if enquiry.sought_person_id is None:
        return None
    # A candidate left on a merged-away record (it duplicated one for the survivor) confirms
    # nothing: the survivor's own candidate for the enquiry is the one to decide.
    return enquiry.candidates.filter(
        decision=Decision.SAME,
        person_id=enquiry.sought_person_id,
        person__merged_into__isnull=True,
    ).first()


def followed_an_open_merge(consent: Consent) -> bool:
    """Whether `consent` was recorded under another record that has since been merged into
    its person (and the merge is not undone). Such a consent still narrows what is told (a
    refusal or a withdrawal binds the survivor) but never opens a disclosure on its own: the
    merge is a caseworker's judgement, so the person is asked again under the survivor."""
    known = getattr(consent, "followed_a_merge", None)  # set by latest_enquiry_consents
    if known is not None:
        return known
    return consent.pk in _consents_moved_by_open_merges([consent.person_id])


def _consents_moved_by_open_merges(person_ids) -> set[int]:
    """Ids of the consents that followed a merge (not undone) into one of these persons."""
    moved_ids: set[int] = set()
    for moved in PersonMerge.objects.filter(
        survivor_id__in=set(person_ids), undone_at__isnull=True
    ).values_list("moved", flat=True):
        moved_ids.update((moved or {}).get("records", {}).get("people.Consent.person", []))
    return moved_ids


def enquiry_verification(
    enquiry: Enquiry, *, confirmed: Any = _UNREAD_CANDIDATE
) -> Verification | None:
    """The verification in force: recorded on the confirmed candidate after its (latest)
    confirmation. None means nothing may be disclosed beyond "not yet". `confirmed`: what
    `confirmed_candidate(enquiry)` answered, when the caller has just asked it."""
    candidate = confirmed_candidate(enquiry) if confirmed is _UNREAD_CANDIDATE else confirmed
    if candidate is None or candidate.decided_at is None:
        return None
    return candidate.verifications.filter(recorded_at__gte=candidate.decided_at).first()


@transaction.atomic
def record_verification(
    *,
    user: User,
    candidate: Candidate,
    kind: str,
    method: str,
    verified_on: dt.date,
    note: str = "",
) -> Verification:
    """Record that the enquirer recognises the person found, or that the relationship is
    confirmed: who (the user), when, how and a note. Only on a confirmed candidate."""
    enquiry = candidate.enquiry
    _require_worker(user, enquiry)
    _require_open(enquiry)
    if candidate.decision != Decision.SAME or enquiry.sought_person_id != candidate.person_id:
        raise ValidationError(_("Confirm the candidate as the same person before verifying."))
    if kind not in VerificationKind.values:
        raise ValidationError({"kind": f"unknown verification {kind!r}"})
    if method not in VerificationMethod.values:
        raise ValidationError({"method": f"unknown method {method!r}"})
    if verified_on > timezone.localdate():
        raise ValidationError({"verified_on": _("The date cannot be in the future.")})
    verification = Verification.objects.create(
        candidate=candidate,
        kind=kind,
        method=method,
        verified_on=verified_on,
        note=note.strip()[:300],
        by=user,
    )
    record(
        Action.CHANGE,
        object_type="tracing.enquiry",
        object_id=enquiry.pk,
        field="verification",
        detail={
            "enquiry": enquiry.reference,
            "person": candidate.person.reference,
            "kind": kind,
            "method": method,
        },
    )
    return verification


# -- consent ---------------------------------------------------------------------------------


_UNREAD: Any = object()


def enquiry_consent(enquiry: Enquiry, *, latest: Consent | None = _UNREAD) -> Consent | None:
    """The sought person's consent in force for this enquiry and this enquirer, if any.
    Only a consent (not another legal basis) for family tracing counts. `latest`: the
    newest record of the sought person in the enquiry's context, when the caller has read
    them for many enquiries at once (the caseload export); else it is read here."""
    if enquiry.sought_person_id is None:
        return None
    if latest is _UNREAD:
        consent = consent_in_force(enquiry.sought_person, enquiry.consent_context)
    else:
        consent = latest if latest is not None and latest.in_force else None
    if consent is None:
        return None
    if (
        consent.basis != LegalBasis.CONSENT
        or consent.purpose != ConsentPurpose.FAMILY_TRACING
        or consent.recipient_id not in (None, enquiry.enquirer_id)
        or followed_an_open_merge(consent)
    ):
        return None
    return consent


def consent_scope(enquiry: Enquiry, *, latest: Consent | None = _UNREAD) -> str | None:
    consent = enquiry_consent(enquiry, latest=latest)
    return consent.scope if consent is not None else None


def possible_outcomes(enquiry: Enquiry, *, consent: Consent | None = _UNREAD) -> list[str]:
    """The outcomes the enquiry can be closed with now (close_enquiry's rules). `consent`:
    its `enquiry_consent`, when the caller has read it already."""
    if enquiry.sought_person_id is None:
        return [Outcome.NOT_FOUND]
    if consent is _UNREAD:
        consent = enquiry_consent(enquiry)
    relays = consent is not None and consent.scope in RELAYS_MESSAGES
    return [o for o in Outcome.values if o != Outcome.CONTACT_RESTORED or relays]


@transaction.atomic
def record_enquiry_consent(
    *,
    user: User,
    enquiry: Enquiry,
    scope: str,
    obtained_on: dt.date,
    method: str,
    note: str = "",
) -> Consent:
    """Record what the person found allows the enquirer to learn. Moves the enquiry to
    "sought person asked" if it was not there yet."""
    _require_worker(user, enquiry)
    if enquiry.sought_person_id is None:
        raise ValidationError(_("Confirm a candidate before recording their consent."))
    consent = people_services.record_consent(
        person=enquiry.sought_person,
        recipient=enquiry.enquirer,
        context=enquiry.consent_context,
        scope=scope,
        obtained_on=obtained_on,
        method=method,
        note=note,
        by=user,
    )
    if enquiry.status == S.CANDIDATE_FOUND:
        _move(enquiry, S.PERSON_ASKED, by=user, note="consent recorded")
    return consent


@transaction.atomic
def withdraw_enquiry_consent(*, user: User, enquiry: Enquiry, reason: str = "") -> Consent:
    """The sought person takes their consent back: from now on nothing is disclosed."""
    _require_worker(user, enquiry)
    consent = enquiry_consent(enquiry)
    if consent is None:
        raise ValidationError(_("There is no consent in force to withdraw."))
    return people_services.withdraw_consent(consent=consent, by=user, reason=reason)


# -- disclosure ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Disclosure:
    """What the family may be told about the sought person, and nothing more."""

    enquiry_reference: str
    status: str
    outcome: str
    scope: str  # a ConsentScope value, or "none"
    found: bool  # the family may be told their relative was found and is alive
    deceased: bool
    not_found: bool
    may_relay_messages: bool
    verified: bool = False
    location: str | None = None
    contact: str | None = None

    @property
    def shares_whereabouts(self) -> bool:
        return self.location is not None or self.contact is not None

    @property
    def search_ended_without_news(self) -> bool:
        """The search is over and the family may learn nothing about the person: not found,
        or found but with no consent to tell ("nothing at all", no answer). The family's
        letter is then the same in every case, so it never betrays that the person was
        found. (A death not yet verified keeps the "still handling" letter until it is.)"""
        return self.not_found or (
            self.status == EnquiryStatus.CLOSED
            and not self.found
            and self.outcome != Outcome.DECEASED
        )

    @property
    def letter_scope(self) -> str:
        """What the family's letter may show of the consent: only what it discloses."""
        return self.scope if self.found else "none"


def disclosure_for(enquiry: Enquiry, *, user: User, channel: str) -> Disclosure:
    """The one place that decides what the enquirer may learn. Checks that the user may see
    the enquiry, reads the sought person's location and contact only with consent to share
    whereabouts, and audits the disclosure ("disclose") with what it contained."""
    _require_visible(user, enquiry)
    # Until the identification is verified (the enquirer recognises the person, or the
    # relationship is confirmed), the family hears "not yet", whatever the consent says.
    verified = enquiry_verification(enquiry) is not None
    # The legal basis is checked for this act: disclosing whereabouts (or anything about the
    # person found) rests on their consent only, never on a vital or public interest alone.
    in_force = (
        consent_in_force(enquiry.sought_person, enquiry.consent_context)
        if enquiry.sought_person_id
        else None
    )
    basis = in_force.basis if in_force is not None else None
    consent = enquiry_consent(enquiry) if verified and basis_allows("disclosure", basis) else None
    scope = consent.scope if consent is not None else None
    deceased = (
        verified and enquiry.outcome == Outcome.DECEASED and enquiry.sought_person_id is not None
    )
    not_found = enquiry.outcome == Outcome.NOT_FOUND
    allowed = scope if (scope and not deceased and not not_found) else None
    location = contact = None
    if allowed in SHARES_WHEREABOUTS:
        reason = f"disclosure to the enquirer of {enquiry.reference} ({channel})"
        person = enquiry.sought_person
        location = reveal(person, "last_known_location", reason=reason)
        contact = reveal(person, "contact", reason=reason)
    disclosure = Disclosure(
        enquiry_reference=enquiry.reference,
        status=enquiry.status,
        outcome=enquiry.outcome,
        scope=allowed or "none",
        found=allowed in SAYS_ALIVE,
        deceased=deceased,
        not_found=not_found,
        may_relay_messages=allowed in RELAYS_MESSAGES,
        verified=verified,
        location=location,
        contact=contact,
    )
    record(
        Action.DISCLOSE,
        object_type="tracing.enquiry",
        object_id=enquiry.pk,
        detail={
            "channel": channel,
            "recipient": enquiry.enquirer.reference,
            "scope": disclosure.scope,
            "verified": verified,
            "basis": basis or "none",
            "fields": [
                name
                for name, value in (("location", location), ("contact", contact))
                if value is not None
            ]
            + (["alive_and_well"] if disclosure.found else [])
            + (["deceased"] if deceased else []),
        },
    )
    return disclosure


@dataclasses.dataclass(frozen=True)
class FamilyReply:
    """The reply to the family: the letter's content, built only from a Disclosure."""

    disclosure: Disclosure
    enquirer_name: str
    sought_name: str
    paragraphs: list[str]
    messages: list[FamilyMessage]


def _reply_paragraphs(d: Disclosure) -> list[str]:
    if d.deceased:
        return [_("We are very sorry to tell you that your relative has died.")]
    if d.search_ended_without_news:
        # One wording, true both when the person was not found and when they were found but
        # did not agree to anything being told (DOMAIN.md: consent before contact).
        return [
            _(
                "Our search for your relative has ended. We have no information about them "
                "that we are able to give you."
            )
        ]
    if not d.found:
        return [
            _(
                "We are still handling your enquiry. At this time we have no information "
                "about your relative that we are able to share with you."
            )
        ]
    paragraphs = [_("We have found your relative, who is alive and well.")]
    if d.shares_whereabouts:
        paragraphs.append(
            _("Your relative has agreed that we give you their whereabouts and contact details.")
        )
    elif d.may_relay_messages:
        paragraphs.append(_("Your relative has agreed to exchange messages with you through us."))
    else:
        paragraphs.append(_("Your relative did not wish us to pass on anything more."))
    return paragraphs


def family_reply(enquiry: Enquiry, *, user: User, channel: str = "letter") -> FamilyReply:
    """The reply to the family (page, printable letter, API), with exactly what the consent
    allows: messages from the sought person only when it allows messages."""
    disclosure = disclosure_for(enquiry, user=user, channel=channel)
    messages: list[FamilyMessage] = []
    if disclosure.may_relay_messages:
        messages = list(
            enquiry.messages.filter(
                direction=MessageDirection.TO_ENQUIRER,
                state__in=[MessageState.APPROVED, MessageState.DELIVERED, MessageState.REPLIED],
            )
        )
    enquirer_name = enquiry.enquirer.primary_name
    return FamilyReply(
        disclosure=disclosure,
        enquirer_name=str(enquirer_name) if enquirer_name else "",
        sought_name=enquiry.sought_name,
        paragraphs=_reply_paragraphs(disclosure),
        messages=messages,
    )


# -- legal basis per purpose and transfers ---------------------------------------------------

# Which legal bases allow which act lives in people.basis (one table for every app): tracing
# someone not yet asked may rest on their vital interest; telling anyone where they are, or
# relaying their messages, needs their consent, never a vital or public interest alone. A
# transfer's purpose is the act it serves ("tracing", "relaying_messages").
BASES_FOR = legal_basis.BASES_FOR
basis_allows = legal_basis.basis_allows
# What each transfer purpose needs, and nothing more: never a location or a contact.
TRANSFER_FIELDS = {
    TransferPurpose.TRACING: ("reference", "names", "gender", "birth", "birth_place"),
    TransferPurpose.RELAYING_MESSAGES: ("reference", "names"),
}


def _transfer_values(person: Person) -> dict[str, Any]:
    return {
        "reference": person.reference,
        "names": [
            {
                "given_name": name.given_name,
                "family_name": name.family_name,
                "father_name": name.father_name,
                "script": name.script,
            }
            for name in people_selectors.exportable_names(person)  # never a hidden name
        ],
        "gender": person.gender,
        "birth": person.birth_entered or "",
        "birth_place": person.birth_place,
    }


@transaction.atomic
def transfer_to_partner(
    *,
    user: User,
    person: Person,
    recipient: str,
    purpose: str,
    basis: str,
    fields: Iterable[str] | None = None,
    enquiry: Enquiry | None = None,
    note: str = "",
) -> Transfer:
    """Send a partner organisation what `purpose` needs about a person, on a legal basis that
    allows it, and record it (recipient, purpose, basis, what was sent). Contact and location
    are never part of a transfer; a transfer never creates, changes or widens a consent."""
    _require_case_role(user)
    if enquiry is not None:
        # the caseworker of the enquiry may transfer its person sought
        _require_visible(user, enquiry)
        if enquiry.sought_person_id != person.pk:
            raise ValidationError({"person": "this is not the person sought by the enquiry"})
    elif not can_view_person(user, person):
        raise PermissionDenied("this person is not in your caseload")
    if not recipient.strip():
        raise ValidationError({"recipient": _("Name the organisation that receives the data.")})
    if purpose not in TRANSFER_FIELDS:
        raise ValidationError({"purpose": f"unknown purpose {purpose!r}"})
    if not basis_allows(purpose, basis):
        raise ValidationError(
            {"basis": _("This legal basis does not allow a transfer for this purpose.")}
        )
    if basis == LegalBasis.CONSENT:
        # A transfer "on consent" needs the person's recorded consent to transfers; it reads
        # that record and never writes one.
        recorded = legal_basis.basis_for_act("transfer", person=person)
        if recorded is None or recorded.basis != LegalBasis.CONSENT:
            raise ValidationError(
                {"basis": _("No consent to transfers is recorded for this person.")}
            )
    needed = TRANSFER_FIELDS[purpose]
    chosen = list(needed) if fields is None else list(dict.fromkeys(fields))
    extra = [name for name in chosen if name not in needed]
    if extra:
        raise ValidationError(
            {"fields": _("Not needed for this purpose: %(fields)s") % {"fields": ", ".join(extra)}}
        )
    values = _transfer_values(person)
    sent = {name: values[name] for name in chosen}
    transfer = Transfer.objects.create(
        person=person,
        enquiry=enquiry,
        recipient=recipient.strip()[:200],
        purpose=purpose,
        basis=basis,
        fields=chosen,
        sent=sent,
        note=note.strip()[:300],
        by=user,
    )
    record(
        Action.EXPORT,
        object_type="tracing.transfer",
        object_id=transfer.pk,
        detail={
            "by": user.username,
            "what": person.reference,
            "fields": chosen,
            "purpose": purpose,
            "basis": basis,
            "for": transfer.recipient,
        },
    )
    return transfer


def transfers_visible_to(user):
    """Transfers of persons in the user's caseload or of the enquiries they may see."""
    from django.db.models import Q

    from kinlink.people.selectors import persons_visible_to

    if not works_on_records(getattr(user, "role", "")):
        return Transfer.objects.none()
    return (
        Transfer.objects.filter(
            Q(person__in=persons_visible_to(user)) | Q(enquiry__in=enquiries_visible_to(user))
        )
        .select_related("person", "enquiry", "by")
        .distinct()
    )


# -- family messages -------------------------------------------------------------------------

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_PHONE = re.compile(r"(?:\+|\b00)?\d(?:[\s\-./()]{0,3}\d){6,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WEB = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_ADDRESS_WORDS = re.compile(
    r"\b(?:street|road|avenue|apartment|apt|flat no|house no|p\.?\s?o\.?\s?box|postcode|"
    r"zip code|rruga|lagjja|pallati|kutia postare|rue|strasse|straße)\b",
    re.IGNORECASE,
)
_ADDRESS_WORDS_ARABIC = ("خیابان", "کوچه", "پلاک", "طبقه", "بلوک", "کدپستی", "شارع", "عمارة", "ص.ب")


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS).casefold()
    return re.sub(r"\s+", " ", text)


def _recorded_parts(value: str | None) -> Iterable[str]:
    for part in re.split(r"[,;\n]", value or ""):
        part = _plain(part).strip()
        if len(part) >= 4:
            yield part


def address_problems(text: str, person: Person | None) -> list[str]:
    """Why a message would carry an address or a way to reach someone, or [] if it does
    not: the sought person's recorded location or contact (read with an audited reason),
    a phone number, an e-mail or web address, or words of a postal address."""
    plain = _plain(text)
    problems = []
    if person is not None:
        for field in ("last_known_location", "contact"):
            recorded = reveal(person, field, reason="checking a family message for an address")
            if any(part in plain for part in _recorded_parts(recorded)):
                problems.append(_("It contains the sought person's recorded location or contact."))
                break
    if _PHONE.search(plain):
        problems.append(_("It contains what looks like a telephone number."))
    if _EMAIL.search(plain) or _WEB.search(plain):
        problems.append(_("It contains an e-mail or web address."))
    if _ADDRESS_WORDS.search(plain) or any(word in plain for word in _ADDRESS_WORDS_ARABIC):
        problems.append(_("It contains what looks like a postal address."))
    return problems


def _check_message(message_text: str, enquiry: Enquiry, direction: str) -> None:
    """A message to the family never carries an address unless the sought person agreed
    to share their whereabouts, and needs their consent to messages at all."""
    if direction != MessageDirection.TO_ENQUIRER:
        return
    scope = consent_scope(enquiry)
    in_force = (
        consent_in_force(enquiry.sought_person, enquiry.consent_context)
        if enquiry.sought_person_id
        else None
    )
    # The legal basis is checked for this act: relaying rests on consent only.
    relays = basis_allows("relaying_messages", in_force.basis if in_force else None)
    if scope not in RELAYS_MESSAGES or not relays or enquiry.outcome == Outcome.DECEASED:
        raise ValidationError(
            _("The sought person has not agreed to exchange messages with the family.")
        )
    if scope not in SHARES_WHEREABOUTS:
        problems = address_problems(message_text, enquiry.sought_person)
        if problems:
            raise ValidationError(
                {
                    "text": [
                        _(
                            "The sought person has not agreed to share their whereabouts, "
                            "so this message cannot be relayed."
                        ),
                        *problems,
                    ]
                }
            )


def _notify_reviewers(message: FamilyMessage) -> None:
    enquiry = message.enquiry
    if enquiry.team_id is None:
        return
    reviewers = User.objects.filter(
        team_id=enquiry.team_id, role=Role.SUPERVISOR, is_active=True
    ).exclude(pk=message.author_id)
    Notification.objects.bulk_create(
        Notification(user=reviewer, kind=NotificationKind.MESSAGE_TO_REVIEW, enquiry=enquiry)
        for reviewer in reviewers
    )


@transaction.atomic
def write_message(
    *,
    user: User,
    enquiry: Enquiry,
    direction: str,
    text: str,
    transcribed: bool = False,
    reply_to: FamilyMessage | None = None,
) -> FamilyMessage:
    """A caseworker writes or transcribes a message; it waits as a draft for review."""
    _require_worker(user, enquiry)
    _require_open(enquiry)
    if direction not in MessageDirection.values:
        raise ValidationError({"direction": f"unknown direction {direction!r}"})
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("A message cannot be empty.")})
    if direction == MessageDirection.TO_SOUGHT and enquiry.sought_person_id is None:
        raise ValidationError(_("Confirm a candidate before writing to them."))
    _check_message(text, enquiry, direction)
    message = FamilyMessage.objects.create(
        enquiry=enquiry,
        direction=direction,
        text=text,
        transcribed=transcribed,
        reply_to=reply_to,
        author=user,
    )
    _notify_reviewers(message)
    return message


@transaction.atomic
def review_message(
    *, user: User, message: FamilyMessage, approve: bool, note: str = ""
) -> FamilyMessage:
    """A second person reads the message: approves it for delivery or sends it back."""
    _require_worker(user, message.enquiry)
    if message.author_id == user.pk:
        raise PermissionDenied("a message is reviewed by someone other than its author")
    if message.state != MessageState.DRAFT:
        raise ValidationError(_("Only a draft can be reviewed."))
    if approve:
        _check_message(message.text, message.enquiry, message.direction)
    elif not note.strip():
        raise ValidationError({"review_note": _("Say what needs to change.")})
    message.reviewed_by = user
    message.reviewed_at = timezone.now()
    message.review_note = note.strip()[:300]
    if approve:
        message.state = MessageState.APPROVED
    message.save()
    _settle_review_notifications(message.enquiry)
    return message


def _settle_review_notifications(enquiry: Enquiry) -> None:
    """Leave each reviewer no more unread "message to review" notifications of the enquiry
    than messages still wait for a first review (the newest stay): a message someone has
    reviewed leaves no one a notice to act on."""
    waiting = enquiry.messages.filter(state=MessageState.DRAFT, reviewed_at=None).count()
    unread = Notification.objects.filter(
        enquiry=enquiry, kind=NotificationKind.MESSAGE_TO_REVIEW, read_at=None
    )
    for user_id in set(unread.values_list("user_id", flat=True)):
        newest_first = unread.filter(user_id=user_id).order_by("-created_at", "-id")
        stale = list(newest_first.values_list("pk", flat=True)[waiting:])
        Notification.objects.filter(pk__in=stale).update(read_at=timezone.now())


@transaction.atomic
def deliver_message(*, user: User, message: FamilyMessage, delivered: bool) -> FamilyMessage:
    """Record that an approved message was delivered, or could not be."""
    _require_worker(user, message.enquiry)
    if message.state != MessageState.APPROVED:
        raise ValidationError(_("Only an approved message can be delivered."))
    if delivered:
        # Consent may have changed since the review.
        _check_message(message.text, message.enquiry, message.direction)
    message.state = MessageState.DELIVERED if delivered else MessageState.UNDELIVERABLE
    message.delivered_by = user
    message.delivered_at = timezone.now()
    message.save()
    return message


@transaction.atomic
def record_reply(
    *, user: User, message: FamilyMessage, text: str, transcribed: bool = True
) -> FamilyMessage:
    """The recipient answered a delivered message: the answer is a new draft the other way."""
    if message.state != MessageState.DELIVERED:
        raise ValidationError(_("Only a delivered message can be answered."))
    direction = (
        MessageDirection.TO_ENQUIRER
        if message.direction == MessageDirection.TO_SOUGHT
        else MessageDirection.TO_SOUGHT
    )
    reply = write_message(
        user=user,
        enquiry=message.enquiry,
        direction=direction,
        text=text,
        transcribed=transcribed,
        reply_to=message,
    )
    message.state = MessageState.REPLIED
    message.save()
    return reply


# -- notifications ---------------------------------------------------------------------------


def mark_notification_read(*, user: User, notification: Notification) -> None:
    if notification.user_id != user.pk:
        raise PermissionDenied("not your notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def mark_notification_group_read(*, user: User, notification: Notification) -> int:
    """Mark read this notification and every unread one like it (same kind, same enquiry):
    opening the enquiry shows them all. Returns how many were marked."""
    if notification.user_id != user.pk:
        raise PermissionDenied("not your notification")
    return Notification.objects.filter(
        user=user, kind=notification.kind, enquiry_id=notification.enquiry_id, read_at=None
    ).update(read_at=timezone.now())


# -- export ----------------------------------------------------------------------------------

# Every column the caseload export can hold. Names of persons in the registry come only
# from `exportable_names` (never a hidden name); the sought person's contact and location
# only through `disclosure_for`, for the purpose of tracing, when the consent allows it.
EXPORT_COLUMNS = (
    "reference",
    "status",
    "outcome",
    "relationship",
    "enquirer",
    "enquirer_name",
    "sought_given_name",
    "sought_family_name",
    "sought_father_name",
    "sought_mother_name",
    "sought_birth",
    "sought_birth_place",
    "last_news_when",
    "last_news_where",
    "sought_person",
    "sought_person_names",
    "consent",
    "caseworker",
    "created_at",
    "closed_at",
    "family_may_learn",
    "sought_whereabouts",
)
# Read through disclosure_for (audited "disclose", consent checked) for each row.
SENSITIVE_EXPORT_COLUMNS = ("family_may_learn", "sought_whereabouts")
DEFAULT_EXPORT_PURPOSE = "caseload review"
# What each purpose needs, and nothing more: an export is minimised to its purpose.
EXPORT_PURPOSES: dict[str, tuple[str, ...]] = {
    DEFAULT_EXPORT_PURPOSE: tuple(c for c in EXPORT_COLUMNS if c not in SENSITIVE_EXPORT_COLUMNS),
    "tracing": (
        "reference",
        "status",
        "relationship",
        "enquirer",
        "enquirer_name",
        "sought_given_name",
        "sought_family_name",
        "sought_father_name",
        "sought_mother_name",
        "sought_birth",
        "sought_birth_place",
        "last_news_when",
        "last_news_where",
        "sought_person",
        "sought_person_names",
        "consent",
        "caseworker",
        *SENSITIVE_EXPORT_COLUMNS,
    ),
    "statistics": ("status", "outcome", "relationship", "created_at", "closed_at"),
    "transfer": (
        "reference",
        "relationship",
        "sought_given_name",
        "sought_family_name",
        "sought_father_name",
        "sought_birth",
        "sought_birth_place",
        "sought_person_names",
    ),
}


def export_passphrase_threshold() -> int:
    """Exports with more rows than this must be encrypted with a passphrase."""
    from django.conf import settings

    return int(getattr(settings, "EXPORT_PASSPHRASE_ABOVE", 1000))


def _names_text(person: Person | None) -> str:
    if person is None:
        return ""
    return " / ".join(str(name) for name in people_selectors.exportable_names(person))


def latest_enquiry_consents(enquiries: Sequence[Enquiry]) -> dict[int, Consent]:
    """The newest consent record of each enquiry's sought person in its context, by enquiry
    id, read for all of them in a few queries (one per 500 enquiries) instead of one each;
    `enquiry_consent(latest=...)` still decides whether it counts."""
    wanted = {
        (e.sought_person_id, e.consent_context): e.pk for e in enquiries if e.sought_person_id
    }
    pairs = list(wanted)
    latest: dict[int, Consent] = {}
    for start in range(0, len(pairs), 500):
        chunk = pairs[start : start + 500]
        rows = Consent.objects.filter(
            person_id__in={person for person, _ in chunk},
            context__in={context for _, context in chunk},
        ).order_by("-id")
        for row in rows:
            enquiry_id = wanted.get((row.person_id, row.context))
            if enquiry_id is not None:
                latest.setdefault(enquiry_id, row)
    if latest:
        followed = _consents_moved_by_open_merges(c.person_id for c in latest.values())
        for row in latest.values():
            row.followed_a_merge = row.pk in followed
    return latest


def _export_row(
    enquiry: Enquiry,
    columns: Sequence[str],
    *,
    user: User,
    consents: dict[int, Consent] | None = None,
) -> list[object]:
    values: dict[str, Any] = {}
    if consents is not None:
        values["consent"] = consent_scope(enquiry, latest=consents.get(enquiry.pk)) or ""
    if any(column in SENSITIVE_EXPORT_COLUMNS for column in columns):
        disclosure = disclosure_for(enquiry, user=user, channel="export")
        values["family_may_learn"] = disclosure.scope
        values["sought_whereabouts"] = "; ".join(
            part for part in (disclosure.location, disclosure.contact) if part
        )
    getters = {
        "reference": lambda e: e.reference,
        "status": lambda e: e.status,
        "outcome": lambda e: e.outcome,
        "relationship": lambda e: e.relationship,
        "enquirer": lambda e: e.enquirer.reference,
        "enquirer_name": lambda e: _names_text(e.enquirer),
        "sought_given_name": lambda e: e.sought_given_name,
        "sought_family_name": lambda e: e.sought_family_name,
        "sought_father_name": lambda e: e.sought_father_name,
        "sought_mother_name": lambda e: e.sought_mother_name,
        "sought_birth": lambda e: e.sought_birth_entered,
        "sought_birth_place": lambda e: e.sought_birth_place,
        "last_news_when": lambda e: e.last_news_when,
        "last_news_where": lambda e: e.last_news_where,
        "sought_person": lambda e: e.sought_person.reference if e.sought_person else "",
        "sought_person_names": lambda e: _names_text(e.sought_person),
        "consent": lambda e: consent_scope(e) or "",
        "caseworker": lambda e: e.caseworker.username if e.caseworker else "",
        "created_at": lambda e: e.created_at.isoformat(timespec="seconds"),
        "closed_at": lambda e: e.closed_at.isoformat(timespec="seconds") if e.closed_at else "",
    }
    return [values[column] if column in values else getters[column](enquiry) for column in columns]


def export_columns(*, user: User, purpose: str, columns: Sequence[str] | None = None) -> list[str]:
    """The columns an export for `purpose` will hold: those asked for (all the purpose
    needs when none are), refused when a column is not needed for the purpose or is a
    sensitive one the user's role may not export."""
    if purpose not in EXPORT_PURPOSES:
        raise ValidationError(
            {"purpose": _("Choose one of: %(purposes)s") % {"purposes": ", ".join(EXPORT_PURPOSES)}}
        )
    allowed = EXPORT_PURPOSES[purpose]
    chosen = list(allowed) if not columns else list(dict.fromkeys(columns))
    unknown = [column for column in chosen if column not in EXPORT_COLUMNS]
    if unknown:
        raise ValidationError(
            {"columns": _("Unknown columns: %(columns)s") % {"columns": ", ".join(unknown)}}
        )
    extra = [column for column in chosen if column not in allowed]
    if extra:
        raise ValidationError(
            {"columns": _("Not needed for this purpose: %(fields)s") % {"fields": ", ".join(extra)}}
        )
    if not works_on_records(user.role):
        # Only the caseworker and supervisor of an enquiry take part in disclosing to the
        # family; a data-protection officer's export holds no whereabouts.
        chosen = [column for column in chosen if column not in SENSITIVE_EXPORT_COLUMNS]
    return chosen


def _export_audit(
    *,
    user: User,
    what: str,
    fmt: str,
    rows: int,
    columns: Sequence[str],
    purpose: str,
    recipient: str,
    extra: dict[str, Any] | None = None,
) -> None:
    """Every export is logged with who made it, what it holds, why and for whom."""
    purpose = (purpose or "").strip()[:200] or DEFAULT_EXPORT_PURPOSE
    recipient = (recipient or "").strip()[:200] or user.username
    record(
        Action.EXPORT,
        object_type=what,
        detail={
            "by": user.username,
            "what": what,
            "format": fmt,
            "rows": rows,
            "columns": list(columns),
            "purpose": purpose,
            "for": recipient,
            **(extra or {}),
        },
    )


@dataclasses.dataclass(frozen=True)
class CaseloadExport:
    content: bytes
    content_type: str
    filename: str
    rows: int
    columns: list[str]
    encrypted: bool


@transaction.atomic
def export_caseload_file(
    *,
    user: User,
    fmt: str,
    purpose: str = DEFAULT_EXPORT_PURPOSE,
    recipient: str = "",
    columns: Sequence[str] | None = None,
    passphrase: str = "",
) -> CaseloadExport:
    """The user's caseload as CSV or XLSX, minimised to the purpose and the columns chosen.
    Names of registered persons never include a hidden name; the sought person's
    whereabouts appear only for the purpose of tracing, read through `disclosure_for`
    (consent checked, each one audited). With a passphrase the file is an AES-256 ZIP;
    more rows than `export_passphrase_threshold()` require one. Audited with who, what
    (format, columns, rows), why (purpose) and for whom (the user themself by default)."""
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose CSV or XLSX.")})
    chosen = export_columns(user=user, purpose=purpose, columns=columns)
    enquiries = (
        enquiries_visible_to(user)
        .select_related("enquirer", "sought_person", "caseworker")
        .prefetch_related("enquirer__names", "sought_person__names")
        .order_by("id")
    )
    if passphrase and len(passphrase) < MIN_PASSPHRASE:
        too_short = _("A passphrase needs at least %(n)d characters.") % {"n": MIN_PASSPHRASE}
        raise ValidationError({"passphrase": too_short})
    count = enquiries.count()
    if count > export_passphrase_threshold() and not passphrase:
        raise ValidationError(
            {
                "passphrase": _("This export holds %(rows)d rows: protect it with a passphrase.")
                % {"rows": count}
            }
        )
    listed = list(enquiries)
    consents = latest_enquiry_consents(listed) if "consent" in chosen else None
    rows = [_export_row(enquiry, chosen, user=user, consents=consents) for enquiry in listed]
    content = write_rows(chosen, rows, fmt)
    filename = f"enquiries.{fmt}"
    content_type = FORMATS[fmt]
    if passphrase:
        content = encrypt_with_passphrase(filename, content, passphrase)
        filename, content_type = f"enquiries-{fmt}.zip", ENCRYPTED_TYPE
    references = [enquiry.reference for enquiry in listed[:500]]
    _export_audit(
        user=user,
        what="tracing.enquiry",
        fmt=fmt,
        rows=len(rows),
        columns=chosen,
        purpose=purpose,
        recipient=recipient,
        extra={"references": references, "encrypted": bool(passphrase)},
    )
    return CaseloadExport(
        content=content,
        content_type=content_type,
        filename=filename,
        rows=len(rows),
        columns=chosen,
        encrypted=bool(passphrase),
    )


def export_caseload(
    *,
    user: User,
    fmt: str,
    purpose: str = DEFAULT_EXPORT_PURPOSE,
    recipient: str = "",
    columns: Sequence[str] | None = None,
    passphrase: str = "",
) -> bytes:
    """The bytes of `export_caseload_file` (the same rules, the same audit entry)."""
    return export_caseload_file(
        user=user,
        fmt=fmt,
        purpose=purpose,
        recipient=recipient,
        columns=columns,
        passphrase=passphrase,
    ).content


ERROR_REPORT_COLUMNS = ("line", "field", "message")


def import_error_report(
    *,
    user: User,
    report: ImportReport,
    fmt: str,
    filename: str = "",
    purpose: str = "correcting an import",
    recipient: str = "",
) -> bytes:
    """The rows an import refused, as CSV or XLSX (line, field, message), cells made safe
    like every export; audited like every export."""
    _require_case_role(user)
    rows = [[error.line, error.field, error.message] for error in report.errors]
    data = write_rows(ERROR_REPORT_COLUMNS, rows, fmt, sheet="errors")
    _export_audit(
        user=user,
        what="tracing.import.errors",
        fmt=fmt,
        rows=len(rows),
        columns=ERROR_REPORT_COLUMNS,
        purpose=purpose,
        recipient=recipient,
        extra={"file": filename[:100]},
    )
    return data


def pending_import_errors(*, user: User, pending_id: int, fmt: str) -> bytes:
    """The error report of an upload waiting for its import (after the preview)."""
    pending = PendingImport.objects.filter(user=user, pk=pending_id).first()
    if pending is None:
        raise ValidationError(_("This import is no longer waiting; upload the file again."))
    data = base64.b64decode(reveal(pending, "content", reason="import error report") or "")
    report = preview_import(user=user, kind=pending.kind, data=data, filename=pending.filename)
    return import_error_report(user=user, report=report, fmt=fmt, filename=pending.filename)


# -- import ----------------------------------------------------------------------------------


def _already_imported(kind: str, ids: list[str]) -> set[str]:
    model = Person if kind == "persons" else Enquiry
    return set(model.objects.filter(external_id__in=ids).values_list("external_id", flat=True))


def preview_import(*, user: User, kind: str, data: bytes, filename: str) -> ImportReport:
    """What an import would do, without doing it: valid rows, row errors, rows already in."""
    _require_case_role(user)
    report = parse_file(kind, data, filename)
    report.existing = sorted(_already_imported(kind, [row.external_id for row in report.rows]))
    return report


def run_import(*, user: User, kind: str, data: bytes, filename: str) -> ImportReport:
    """Create what the file holds. Rows imported before (same id) are skipped, so the same
    file can be imported again; a row the services refuse is reported, the others kept."""
    report = preview_import(user=user, kind=kind, data=data, filename=filename)
    existing = set(report.existing)
    for row in report.rows:
        if row.external_id in existing:
            continue
        try:
            with transaction.atomic():
                _import_row(user, kind, row)
        except ValidationError as exc:
            report.errors.append(_row_error(row.line, exc))
        else:
            report.created.append(row.external_id)
    report.errors.sort(key=lambda error: error.line)
    record(
        Action.SYSTEM,
        object_type=f"tracing.import.{kind}",
        detail={
            "file": filename[:100],
            "created": len(report.created),
            "skipped": len(existing),
            "errors": len(report.errors),
        },
    )
    return report


def _import_row(user: User, kind: str, row: ParsedRow) -> None:
    if kind == "persons":
        people_services.register_person(user=user, external_id=row.external_id, **row.values)
    else:
        create_enquiry(user=user, external_id=row.external_id, **row.values)


def _row_error(line: int, exc: ValidationError) -> RowError:
    if hasattr(exc, "error_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        return RowError(line, field, " ".join(messages))
    return RowError(line, "row", " ".join(exc.messages))


def stage_import(*, user: User, kind: str, data: bytes, filename: str) -> tuple[int, ImportReport]:
    """Keep an uploaded file (encrypted) between its preview and the import."""
    report = preview_import(user=user, kind=kind, data=data, filename=filename)
    PendingImport.objects.filter(user=user).delete()
    pending = PendingImport.objects.create(
        user=user,
        kind=kind,
        filename=filename[:200],
        content=base64.b64encode(data).decode("ascii"),
    )
    return pending.pk, report


def finish_import(*, user: User, pending_id: int) -> ImportReport:
    pending = PendingImport.objects.filter(user=user, pk=pending_id).first()
    if pending is None:
        raise ValidationError(_("This import is no longer waiting; upload the file again."))
    data = base64.b64decode(reveal(pending, "content", reason="import") or "")
    report = run_import(user=user, kind=pending.kind, data=data, filename=pending.filename)
    pending.delete()
    return report
