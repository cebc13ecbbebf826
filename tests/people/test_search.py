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
