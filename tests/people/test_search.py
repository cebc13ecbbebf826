"""Person search (`search_persons`): by part of any name or by reference, within the caseload."""

import pytest

from kinlink.people import services
from kinlink.people.selectors import persons_visible_to, search_persons

pytestmark = pytest.mark.django_db


def register(user, *names):
    return services.register_person(
        user=user, names=[{"given_name": g, "family_name": f} for g, f in names]
    )


def test_search_finds_part_of_any_name_and_the_reference_within_the_caseload(make_user):
    sara = make_user("sara", "caseworker", team="North")
    omid = make_user("omid", "caseworker", team="South")
    masoud = register(sara, ("Masoud", "Hosseini"), ("مسعود", "حسینی"))
    leila = register(sara, ("Leila", "Karimi"))
    elsewhere = register(omid, ("Masoud", "Hosseinzadeh"))
    mine = persons_visible_to(sara)

    assert list(search_persons(mine, "hossein")) == [masoud]  # once, though two names match
    assert list(search_persons(mine, "حسین")) == [masoud]
    assert list(search_persons(mine, "rim")) == [leila]
    assert list(search_persons(mine, leila.reference.lower())) == [leila]
    assert list(search_persons(mine, elsewhere.reference)) == []
    assert elsewhere in search_persons(persons_visible_to(omid), "Masoud")
    assert list(search_persons(mine, "nobody")) == []


def test_caseloads_are_read_from_partial_indexes_of_live_persons():
    """Migration 0008: the home page's count and the search's join read a caseload from
    these indexes alone (on PostgreSQL, an index-only scan once the table is vacuumed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "people_person")
    assert indexes["people_person_cw_live"]["columns"] == ["caseworker_id", "id"]
    assert indexes["people_person_team_live"]["columns"] == ["team_id", "id"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'people_person_cw_live'"
            )
            assert cursor.fetchone()[0].endswith("WHERE (merged_into_id IS NULL)")
