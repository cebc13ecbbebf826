"""The enquiry page's close form: nothing chosen in advance, and only the outcomes the
enquiry can be closed with now (services.possible_outcomes, the rules of close_enquiry)."""

from __future__ import annotations

import re

import pytest

from kinlink.tracing import services

from .conftest import consent

pytestmark = pytest.mark.django_db


def _outcome_options(page: str) -> list[tuple[str, bool]]:
    select = re.search(r'<select name="outcome".*?</select>', page, re.S).group(0)
    return [
        (value, "selected" in rest)
        for value, rest in re.findall(r'<option value="([^"]*)"([^>]*)>', select)
    ]


def test_before_a_person_is_confirmed_only_not_found_is_offered(client, enquiry, sara):
    client.force_login(sara)
    options = _outcome_options(client.get(f"/en/tracing/{enquiry.pk}/").content.decode())
    assert options == [("", True), ("not_found", False)]  # the blank one shows, none chosen


def test_once_confirmed_every_outcome_but_contact_restored_until_consent(client, found, sara):
    client.force_login(sara)
    url = f"/en/tracing/{found.pk}/"
    offered = [value for value, _ in _outcome_options(client.get(url).content.decode())]
    assert offered[0] == "" and "not_found" in offered and "deceased" in offered
    assert "contact_restored" not in offered

    consent(found, sara, "messages")
    options = _outcome_options(client.get(url).content.decode())
    assert "contact_restored" in [value for value, _ in options]
    assert [value for value, selected in options if selected] == [""]
    assert services.possible_outcomes(found) == [value for value, _ in options][1:]


def test_closing_without_an_outcome_says_so_and_leaves_it_open(client, found, sara):
    client.force_login(sara)
    response = client.post(f"/en/tracing/{found.pk}/close/", {"outcome": ""}, follow=True)
    assert "Choose the outcome the enquiry is closed with." in response.content.decode()
    found.refresh_from_db()
    assert not found.is_closed


def test_an_outcome_not_offered_is_still_refused_by_the_service(client, enquiry, sara):
    client.force_login(sara)
    post = client.post(f"/en/tracing/{enquiry.pk}/close/", {"outcome": "deceased"}, follow=True)
    assert "Only “not found” is possible before a candidate is confirmed." in (
        post.content.decode()
    )
    enquiry.refresh_from_db()
    assert not enquiry.is_closed
