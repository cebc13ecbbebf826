"""Events: vocabulary, gazetteer with aliases in every script, dates with precision,
participants, the supporting passage; a person's timeline and a place's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kinlink.testimony import services
from kinlink.testimony.models import EventType, Participant, ParticipantRole
from kinlink.testimony.selectors import events_at_place, places_matching, timeline_of


def test_the_vocabulary_is_seeded_and_can_grow(staff, event_types):
    codes = set(EventType.objects.values_list("code", flat=True))
    assert {
        "detention",
        "solitary_confinement",
        "forced_separation",
        "beating",
        "forced_confession",
        "document_confiscation",
        "escape",
        "transfer",
        "death",
    } <= codes
    added = services.add_event_type(user=staff["supervisor"], name="Forced labour")
    assert added.code == "forced_labour" and str(added) == "Forced labour"
    with pytest.raises(ValidationError):
        services.add_event_type(user=staff["supervisor"], name="Forced labour")


def test_seeding_again_adds_only_what_is_missing(event_types):
    from kinlink.testimony.vocabulary import ensure_seeded_event_types

    assert ensure_seeded_event_types() == 0
    EventType.objects.filter(code="escape").delete()
    assert ensure_seeded_event_types() == 1
    assert EventType.objects.get(code="escape").name == "escape"


def test_a_place_is_found_by_any_of_its_names_in_any_script(liberty):
    for name in [
        "Camp Liberty",
        "camp hurriyeh",
        "Temporary Transit Facility",
        "کمپ لیبرتی",
        "Hurriyeh",
    ]:
        assert list(places_matching(name)) == [liberty], name
    assert list(places_matching("Ashraf")) == []


def test_dates_keep_their_precision_and_give_the_widest_period(record, staff, event_types):
    event = services.add_event(
        user=staff["caseworker"],
        testimony=record(),
        event_type=event_types["detention"],
        start=dt.date(2003, 7, 19),
        start_precision="about",
        end=dt.date(2005, 2, 14),
        end_precision="month",
    )
    assert (event.start, event.start_precision) == (dt.date(2003, 1, 1), "about")
    assert (event.earliest, event.latest) == (dt.date(2002, 1, 1), dt.date(2005, 2, 28))


def test_an_event_cannot_end_before_it_starts(record, staff, event_types):
    with pytest.raises(ValidationError):
        services.add_event(
            user=staff["caseworker"],
            testimony=record(),
            event_type=event_types["detention"],
            start=dt.date(2010, 5, 1),
            end=dt.date(2009, 5, 1),
        )


def test_the_passage_is_anchored_in_the_account_by_quote_or_offsets(record, staff, event_types):
    testimony = record(account="First this. Then they took our passports. The end.")
    by_quote = services.add_event(
        user=staff["caseworker"],
        testimony=testimony,
        event_type=event_types["document_confiscation"],
        passage="they took our passports",
    )
    assert (by_quote.passage_start, by_quote.passage_end) == (17, 40)
    by_offsets = services.add_event(
        user=staff["caseworker"],
        testimony=testimony,
        event_type=event_types["document_confiscation"],
        passage_start=0,
        passage_end=10,
    )
    by_offsets.refresh_from_db()
    assert str(by_offsets.passage) == "•••"  # sealed like the account
    with pytest.raises(ValidationError):
        services.add_event(
            user=staff["caseworker"],
            testimony=testimony,
            event_type=event_types["beating"],
            passage="words that are not in the account",
        )


def test_participants_are_persons_or_descriptions(court_testimony, victim):
    roles = list(
        Participant.objects.filter(event__testimony=court_testimony)
        .order_by("id")
        .values_list("role", "person", "description")
    )
    assert (ParticipantRole.VICTIM, victim.pk, "") in roles
    assert (ParticipantRole.PERPETRATOR, None, "the commander") in roles


def test_a_person_timeline_lists_their_events_in_order(court_testimony, staff, victim, witness):
    assert [e.event_type.code for e in timeline_of(staff["caseworker"], witness)] == [
        "transfer",
        "solitary_confinement",
    ]
    assert [e.event_type.code for e in timeline_of(staff["caseworker"], victim)] == [
        "solitary_confinement"
    ]
    assert list(timeline_of(staff["south_caseworker"], victim)) == []


def test_a_place_shows_what_happened_there_to_those_who_may_see_it(court_testimony, staff, liberty):
    assert events_at_place(staff["supervisor"], liberty).count() == 2
    assert events_at_place(staff["south_supervisor"], liberty).count() == 0


def test_the_timeline_and_place_pages_render(court_testimony, staff, client, victim, liberty):
    client.force_login(staff["caseworker"])
    timeline = client.get(f"/en/testimony/people/{victim.pk}/").content.decode()
    assert "solitary confinement" in timeline and "Camp Liberty" in timeline
    place = client.get(f"/en/testimony/places/{liberty.pk}/").content.decode()
    assert "Camp Hurriyeh" in place and "کمپ لیبرتی" in place and "the commander" in place
    client.force_login(staff["south_caseworker"])
    assert client.get(f"/en/testimony/people/{victim.pk}/").status_code == 404
    assert "the commander" not in client.get(f"/en/testimony/places/{liberty.pk}/").content.decode()
