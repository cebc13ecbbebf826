"""Reads about testimonies. Every page and endpoint filters through `testimonies_visible_to`.

Who sees testimonies: a caseworker those in their own caseload (they are its caseworker),
a supervisor their team's, a data-protection officer all of them (reading an account is
audited, as for everyone); administrators and analysts see no testimony, only the
anonymised figures of `event_figures`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from kinlink.accounts.roles import Role
from kinlink.names import normalize, skeleton
from kinlink.people.models import Person
from kinlink.reports.aggregates import Cell, suppress

from . import search
from .models import (
    PURPOSE_USES,
    AccountVersion,
    Event,
    EventType,
    EvidenceExport,
    ExportJob,
    JobStatus,
    MentionedPerson,
    NamingConsent,
    Participant,
    Place,
    PlaceAlias,
    SearchTerm,
    Testimony,
    TestimonyConsent,
    Use,
)

SEARCH_COUNT_CAP = 1000
# A restriction with fewer matching rows than this drives the search (see search_testimonies).
DRIVING_LIMIT = 2000
EXPORT_ROLES = frozenset({Role.SUPERVISOR, Role.DPO})
RECORD_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR})


def testimonies_visible_to(user) -> QuerySet[Testimony]:
    testimonies = Testimony.objects.all()
    if not user.is_authenticated or not user.is_active:
        return testimonies.none()
    if user.role == Role.CASEWORKER:
        return testimonies.filter(caseworker=user)
    if user.role == Role.SUPERVISOR:
        return testimonies.filter(team=user.team) if user.team_id else testimonies.none()
    if user.role == Role.DPO:
        return testimonies
    return testimonies.none()


def can_view_testimony(user, testimony: Testimony) -> bool:
    return testimonies_visible_to(user).filter(pk=testimony.pk).exists()


def may_record_testimonies(user) -> bool:
    return user.is_authenticated and user.role in RECORD_ROLES


def may_export_evidence(user) -> bool:
    return user.is_authenticated and user.role in EXPORT_ROLES


def events_visible_to(user) -> QuerySet[Event]:
    return Event.objects.filter(testimony__in=testimonies_visible_to(user))


def with_event_details(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.select_related("event_type", "place", "testimony").prefetch_related(
        Prefetch(
            "participants",
            queryset=Participant.objects.select_related("person").prefetch_related("person__names"),
        )
    )


# -- consent -------------------------------------------------------------------------------


def _latest_granted(use: str):
    return Subquery(
        TestimonyConsent.objects.filter(testimony=OuterRef("pk"), use=use)
        .order_by("-id")
        .values("granted")[:1]
    )


def with_use_in_force(testimonies: QuerySet[Testimony], uses: Iterable[str]) -> QuerySet:
    """Only testimonies for which at least one of `uses` is granted by its newest record."""
    condition = Q()
    for use in uses:
        condition |= Q(**{f"use_{use}": True})
        testimonies = testimonies.annotate(**{f"use_{use}": _latest_granted(use)})
    return testimonies.filter(condition)


def testimonies_for_purpose(user, purpose: str) -> QuerySet[Testimony]:
    """What may go into a bundle for `purpose`: visible to the user, consent in force."""
    return with_use_in_force(testimonies_visible_to(user), PURPOSE_USES[purpose])


def testimonies_to_export(
    user, purpose: str, testimony_ids: Iterable[int] | None = None
) -> QuerySet[Testimony]:
    """`testimonies_for_purpose`, or only the testimonies asked for: each of them must be
    one the user may see with consent in force for `purpose`, else nothing is exported."""
    testimonies = testimonies_for_purpose(user, purpose)
    if not testimony_ids:
        return testimonies
    ids = set(testimony_ids)
    testimonies = testimonies.filter(pk__in=ids)
    left_out = ids - set(testimonies.values_list("pk", flat=True))
    if left_out:
        references = Testimony.objects.filter(pk__in=left_out).values_list("reference", flat=True)
        raise ValidationError(
            {
                "testimonies": _(
                    "Not in your caseload or without consent for this purpose: %(refs)s"
                )
                % {"refs": ", ".join(sorted(references)) or "?"}
            }
        )
    return testimonies


def testimony_ids_from_references(user, references: Iterable[str]) -> list[int]:
    """The ids of testimonies named by reference (T-000001), among those the user may see;
    an unknown or unreachable reference is refused by name (both read the same)."""
    wanted = [r.strip().upper() for r in references if r.strip()]
    found = dict(
        testimonies_visible_to(user).filter(reference__in=wanted).values_list("reference", "pk")
    )
    missing = [r for r in wanted if r not in found]
    if missing:
        raise ValidationError(
            {
                "testimonies": _("No such testimony in your caseload: %(refs)s")
                % {"refs": ", ".join(missing)}
            }
        )
    return [found[r] for r in dict.fromkeys(wanted)]


def uses_in_force(testimony: Testimony) -> set[str]:
    latest: dict[str, bool] = {}
    for record in TestimonyConsent.objects.filter(testimony=testimony).order_by("id"):
        latest[record.use] = record.granted
    return {use for use, granted in latest.items() if granted}


def consent_history(testimony: Testimony) -> QuerySet[TestimonyConsent]:
    return testimony.consents.select_related("recorded_by").order_by("-id")


def named_persons(person_ids: Iterable[int], purpose: str) -> set[int]:
    """Of these persons, those whose newest naming record for `purpose` grants it."""
    latest: dict[int, bool] = {}
    records = NamingConsent.objects.filter(person_id__in=list(person_ids), purpose=purpose)
    for person_id, granted in records.order_by("id").values_list("person_id", "granted"):
        latest[person_id] = granted
    return {pid for pid, granted in latest.items() if granted}


def naming_history(person: Person) -> QuerySet[NamingConsent]:
    return person.naming_consents.select_related("recorded_by").order_by("-id")


def naming_status(person_ids: Iterable[int]) -> dict[int, dict[str, bool]]:
    """For each person, purpose -> named or not, from their newest records."""
    status: dict[int, dict[str, bool]] = {}
    records = NamingConsent.objects.filter(person_id__in=list(person_ids)).order_by("id")
    for person_id, purpose, granted in records.values_list("person_id", "purpose", "granted"):
        status.setdefault(person_id, {})[purpose] = granted
    return status


def people_of(testimony: Testimony) -> list[Person]:
    """The witness and every person in the testimony's events, witness first."""
    ids = [testimony.witness_id]
    participants = Participant.objects.filter(event__testimony=testimony, person__isnull=False)
    for pid in participants.order_by("id").values_list("person_id", flat=True):
        if pid not in ids:
            ids.append(pid)
    persons = Person.objects.filter(pk__in=ids).prefetch_related("names").in_bulk()
    return [persons[pid] for pid in ids if pid in persons]


def account_versions(testimony: Testimony) -> QuerySet[AccountVersion]:
    return testimony.versions.select_related("recorded_by").order_by("-number")


def mentions_of(testimonies: Iterable[Testimony]) -> QuerySet[MentionedPerson]:
    return MentionedPerson.objects.filter(testimony__in=list(testimonies)).order_by("id")


# -- places and vocabulary ----------------------------------------------------------------


def active_event_types() -> QuerySet[EventType]:
    return EventType.objects.filter(active=True)


def places_matching(text: str) -> QuerySet[Place]:
    """Places one of whose names (any script) is `text`, or sounds like it."""
    normalised = normalize(text)
    if not normalised:
        return Place.objects.none()
    aliases = PlaceAlias.objects.filter(
        Q(normalized=normalised) | Q(skeleton=skeleton(text)) | Q(normalized__contains=normalised)
    )
    return Place.objects.filter(Exists(aliases.filter(place=OuterRef("pk")))).order_by("name")


def place_with_aliases(pk: int) -> Place:
    return Place.objects.prefetch_related("aliases").get(pk=pk)


def events_at_place(user, place: Place) -> QuerySet[Event]:
    events = events_visible_to(user).filter(place=place)
    return with_event_details(events).order_by("earliest", "id")


def timeline_of(user, person: Person) -> QuerySet[Event]:
    """Events this person is part of (victim, alleged perpetrator or witness), in order."""
    events = events_visible_to(user).filter(
        Q(participants__person=person) | Q(testimony__witness=person)
    )
    return with_event_details(events.distinct()).order_by("earliest", "id")


# -- search --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    event_type: EventType | None = None
    place: Place | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    person: Person | None = None


@dataclass(frozen=True)
class SearchPage:
    testimonies: list[Testimony]
    number: int
    has_next: bool
    count: int | None  # None: a broad search, not counted (see SearchResults.count)

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True)
class SearchResults:
    testimonies: QuerySet[Testimony]
    # True when the search is driven by a rare restriction (or has none), so counting its
    # matches reads few rows; a broad search (every word common) is shown page by page.
    countable: bool

    def count(self) -> int | None:
        """How many match, up to SEARCH_COUNT_CAP; None for a broad search."""
        return count_up_to(self.testimonies) if self.countable else None

    def page(self, number: int, size: int = 25) -> SearchPage:
        number = max(number, 1)
        start = (number - 1) * size
        rows = list(self.testimonies[start : start + size + 1])
        return SearchPage(rows[:size], number, len(rows) > size, self.count())


def search_testimonies(user, query: SearchQuery) -> SearchResults:
    """Testimonies the user may see that match every word of the text (in any script) and
    have one event meeting every event filter. Newest first. See `search.py`.

    Each word and the event filters are a *restriction*: a set of testimony ids behind an
    index. The rarest restriction, when it is rare, drives the query (its ids are looked
    up, the other restrictions probed for each); when every restriction is common, the
    newest testimonies are walked in date order and probed, so a page of 25 is found after
    a few hundred probes. No restriction's full list is ever read (bench/testimony_search.py
    measures this on 100,000 testimonies)."""
    testimonies = testimonies_visible_to(user)
    restrictions = [
        SearchTerm.objects.filter(term__in=group).values("testimony_id")
        for group in (search.hashed_groups(query.text) if query.text.strip() else [])
    ]
    events = _events_matching(query)
    if events is not None:
        restrictions.append(events.values("testimony_id"))
    countable = True
    if query.person is not None:
        testimonies = testimonies.filter(pk__in=_testimony_ids_of(query.person))
    if restrictions:
        # At most DRIVING_LIMIT ids of each: enough to tell a rare restriction from a common
        # one, and, for the rarest, the exact list to drive from. A literal list also spares
        # the planner a guess (PostgreSQL guesses thousands for a rare word, then walks every
        # testimony looking for them).
        found = [
            list(ids.values_list("testimony_id", flat=True)[:DRIVING_LIMIT]) for ids in restrictions
        ]
        rarest = min(range(len(found)), key=lambda index: len(found[index]))
        driving = len(found[rarest]) < DRIVING_LIMIT
        countable = driving or query.person is not None
        for index, ids in enumerate(restrictions):
            if driving and index == rarest:
                testimonies = testimonies.filter(pk__in=sorted(set(found[index])))
            else:
                testimonies = testimonies.filter(Exists(ids.filter(testimony_id=OuterRef("pk"))))
    ordered = testimonies.select_related("witness", "interviewer").order_by("-recorded_on", "-id")
    return SearchResults(ordered, countable)


def _events_matching(query: SearchQuery) -> QuerySet[Event] | None:
    """Events meeting every event filter (one event must meet them all), or None."""
    events = Event.objects.all()
    if query.event_type is not None:
        events = events.filter(event_type=query.event_type)
    if query.place is not None:
        events = events.filter(place=query.place)
    if query.since is not None:
        events = events.filter(latest__gte=query.since)
    if query.until is not None:
        events = events.filter(earliest__lte=query.until)
    return events.order_by() if events.query.where else None


def _testimony_ids_of(person: Person) -> list[int]:
    """Testimonies a person gave or appears in. Two index look-ups, done apart: an OR across
    the two would make the database scan every testimony."""
    given = Testimony.objects.filter(witness=person).values_list("pk", flat=True)
    appears = Participant.objects.filter(person=person).values_list("event__testimony", flat=True)
    return sorted({*given, *appears})


def count_up_to(results: QuerySet, cap: int = SEARCH_COUNT_CAP) -> int:
    """How many results, counted no further than `cap`: a pager does not need to know
    that a common name is in 31,204 testimonies rather than "more than 1,000"."""
    return results.order_by().values("pk")[:cap].count()


# -- figures for everyone (anonymised) ----------------------------------------------------


def event_figures() -> dict[str, list[Cell]]:
    """Events by type and by place, over testimonies whose witness allowed anonymised use;
    counts under five are hidden (DESIGN rule 5)."""
    allowed = with_use_in_force(Testimony.objects.all(), {Use.ANONYMISED, Use.NAMED_REPORT})
    events = Event.objects.filter(testimony__in=allowed.values("pk")).order_by()
    types = {t.pk: str(t.label) for t in EventType.objects.all()}
    by_type = events.values("event_type").annotate(n=Count("id"))
    by_place = events.filter(place__isnull=False).values("place__name").annotate(n=Count("id"))
    return {
        "by_type": sorted(
            (Cell(types[row["event_type"]], suppress(row["n"])) for row in by_type),
            key=lambda cell: cell.key,
        ),
        "by_place": sorted(
            (Cell(row["place__name"], suppress(row["n"])) for row in by_place),
            key=lambda cell: cell.key,
        ),
    }


def exports_visible_to(user) -> QuerySet[EvidenceExport]:
    """Supervisors see the exports they made, data-protection officers all of them."""
    if not may_export_evidence(user):
        return EvidenceExport.objects.none()
    exports = EvidenceExport.objects.select_related("recipient", "created_by")
    return exports if user.role == Role.DPO else exports.filter(created_by=user)


def export_jobs_visible_to(user) -> QuerySet[ExportJob]:
    """Supervisors see the jobs they asked for, data-protection officers all of them."""
    if not may_export_evidence(user):
        return ExportJob.objects.none()
    jobs = ExportJob.objects.select_related("export", "requested_by")
    return jobs if user.role == Role.DPO else jobs.filter(requested_by=user)


def unfinished_jobs(user) -> QuerySet[ExportJob]:
    return export_jobs_visible_to(user).filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
