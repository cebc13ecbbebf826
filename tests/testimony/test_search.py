"""Search over encrypted accounts and events, in any script, with filters."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from kinlink.testimony import models, search, services
from kinlink.testimony.models import SearchTerm
from kinlink.testimony.selectors import SearchQuery, search_testimonies


def _found(user, **query) -> list[str]:
    return [t.reference for t in search_testimonies(user, SearchQuery(**query)).testimonies]


def test_a_persian_spelling_finds_a_name_entered_in_latin(record, staff):
    testimony = record(account="Massoud Rajavi ordered that Fereshteh Yaganeh be moved.")
    record(account="Hassan was released.")
    user = staff["caseworker"]
    assert _found(user, text="مسعود") == [testimony.reference]
    assert _found(user, text="فرشته یگانه") == [testimony.reference]
    assert _found(user, text="Masoud Yeganeh") == [testimony.reference]


def test_a_latin_spelling_finds_an_account_written_in_persian(record, staff):
    testimony = record(account="حسین را در کمپ اشرف زندانی کردند.")
    assert _found(staff["caseworker"], text="Hussein Ashraf") == [testimony.reference]
    assert _found(staff["caseworker"], text="Hassan") == []


def test_compound_names_meet_whether_joined_or_apart(record, staff):
    testimony = record(account="محمدرضا was there.")
    assert _found(staff["caseworker"], text="Mohammad Reza") == [testimony.reference]


def test_every_word_of_the_query_must_match(record, staff):
    both = record(account="They beat him in Camp Ashraf.")
    record(account="They beat him in the hotel.")
    assert _found(staff["caseworker"], text="beat Ashraf") == [both.reference]


def test_the_witness_and_the_people_of_events_are_searchable_by_name(
    court_testimony, record, staff
):
    record(account="Nothing about anyone in particular.")
    assert _found(staff["caseworker"], text="فرشته احمدی") == [court_testimony.reference]


def test_a_place_alias_in_any_script_finds_what_happened_there(court_testimony, record, staff):
    record(account="Nothing about camps.")
    assert _found(staff["caseworker"], text="Hurriyeh") == [court_testimony.reference]
    assert _found(staff["caseworker"], text="لیبرتی") == [court_testimony.reference]


def test_filters_by_type_place_period_and_person(
    court_testimony, record, staff, event_types, liberty, victim, witness
):
    other = record(account="An escape.")
    services.add_event(
        user=staff["caseworker"],
        testimony=other,
        event_type=event_types["escape"],
        start=dt.date(2015, 6, 1),
    )
    user = staff["caseworker"]
    assert _found(user, event_type=event_types["escape"]) == [other.reference]
    assert _found(user, event_type=event_types["transfer"], place=liberty) == [
        court_testimony.reference
    ]
    # Solitary confinement Feb-May 2013 overlaps April 2013; the transfer (2012) does not.
    assert _found(user, since=dt.date(2013, 4, 1), until=dt.date(2013, 4, 30)) == [
        court_testimony.reference
    ]
    assert _found(user, since=dt.date(2014, 1, 1)) == [other.reference]
    assert _found(user, person=victim) == [court_testimony.reference]
    assert set(_found(user, person=witness)) == {court_testimony.reference, other.reference}


def test_search_only_returns_testimonies_the_user_may_see(record, staff):
    record(account="Masoud was beaten.")
    assert _found(staff["south_caseworker"], text="Masoud") == []
    assert _found(staff["analyst"], text="Masoud") == []
    assert len(_found(staff["dpo"], text="Masoud")) == 1


def test_the_index_holds_keyed_hashes_and_the_account_is_encrypted(record):
    testimony = record(account="Massoud Rajavi ordered it.")
    assert SearchTerm.objects.filter(testimony=testimony).count() > 3
    key = search._index_key()
    assert SearchTerm.objects.filter(
        testimony=testimony, term=search.term_hash(key, "w:rajavi")
    ).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT account FROM testimony_testimony WHERE id = %s", [testimony.pk])
        stored = cursor.fetchone()[0]
    assert "Rajavi" not in stored


def test_rebuilding_the_index_finds_the_same_testimonies(court_testimony, staff):
    before = _found(staff["caseworker"], text="Hurriyeh passports")
    SearchTerm.objects.all().delete()
    services.reindex_testimony(models.Testimony.objects.get(pk=court_testimony.pk))
    assert _found(staff["caseworker"], text="Hurriyeh passports") == before != []


def test_counts_stop_at_the_cap_so_common_words_page_quickly(record, staff, settings):
    from kinlink.testimony import selectors

    for _ in range(3):
        record(account="Masoud was there.")
    results = selectors.search_testimonies(staff["caseworker"], SearchQuery(text="Masoud"))
    assert selectors.count_up_to(results.testimonies, cap=2) == 2
    assert results.countable and results.count() == 3
    page = results.page(2, size=2)
    assert (len(page.testimonies), page.has_previous, page.has_next) == (1, True, False)


def test_a_broad_search_is_paged_without_counting(record, staff, settings, monkeypatch):
    from kinlink.testimony import selectors

    monkeypatch.setattr(selectors, "DRIVING_LIMIT", 2)
    for _ in range(3):
        record(account="Masoud was there.")
    results = selectors.search_testimonies(staff["caseworker"], SearchQuery(text="Masoud"))
    assert not results.countable
    page = results.page(1, size=2)
    assert (len(page.testimonies), page.has_next, page.count) == (2, True, None)
