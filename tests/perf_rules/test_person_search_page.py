"""The persons list's search runs once per page (the matching ids, then the page's persons),
not once to count and once more for the page, and finds and pages exactly what
`search_persons` finds, in reference order; a search matching very many persons falls back
to counting in the database and finds the same."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinlink.people import services
from kinlink.people.selectors import persons_visible_to, search_persons
from kinlink.web import views

pytestmark = pytest.mark.django_db


@pytest.fixture
def sara(make_user):
    return make_user("sara", "caseworker", team="North")


@pytest.fixture
def registry(sara, make_user):
    omid = make_user("omid", "caseworker", team="South")
    for n in range(30):
        services.register_person(
            user=sara, names=[{"given_name": f"Masoud{n}", "family_name": "Hosseini"}]
        )
    services.register_person(user=sara, names=[{"given_name": "Leila", "family_name": "Karimi"}])
    services.register_person(
        user=omid, names=[{"given_name": "Masoud", "family_name": "Hosseinzadeh"}]
    )


def _page(client, url: str) -> tuple[list[str], int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    searches = [q["sql"] for q in captured if "LIKE" in q["sql"].upper()]
    refs = re.findall(r"P-\d{6}", response.content.decode())
    return list(dict.fromkeys(refs)), len(searches)


@pytest.mark.parametrize("at_once", [2000, 10])
def test_search_pages_hold_what_search_persons_finds_in_reference_order(
    client, sara, registry, monkeypatch, at_once
):
    monkeypatch.setattr(views, "SEARCH_IDS_AT_ONCE", at_once)
    client.force_login(sara)
    expected = list(
        search_persons(persons_visible_to(sara), "hossein")
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    assert len(expected) == 30
    first, searches = _page(client, "/en/persons/?q=hossein")
    second, _ = _page(client, "/en/persons/?q=hossein&page=2")
    assert first + second == expected
    if at_once > len(expected):
        assert searches == 1, f"the search ran {searches} times for one page"
    empty, _ = _page(client, "/en/persons/?q=nobody")
    assert empty == []
