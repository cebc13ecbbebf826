"""Hidden names of a person stay off the testimony pages for users who may not open the
person's record (they reach the person only through a testimony's events)."""

from __future__ import annotations

import pytest

from kinlink.people.models import Person, PersonName


@pytest.fixture
def hidden_victim(court_testimony, victim, staff):
    """The victim's record moves to the South team and gains a hidden name; the North
    caseworker still sees the testimony and its events."""
    PersonName.objects.create(person=victim, given_name="Shirin", family_name="Golzar", hidden=True)
    Person.objects.filter(pk=victim.pk).update(caseworker=staff["south_caseworker"])
    return victim


def test_timeline_of_a_person_outside_the_caseload_shows_no_hidden_name(
    client, staff, hidden_victim
):
    client.force_login(staff["caseworker"])
    page = client.get(f"/en/testimony/people/{hidden_victim.pk}/").content.decode()
    assert "Fereshteh" in page, "the visible names are still shown"
    assert "Golzar" not in page and "Shirin" not in page, "a hidden name leaked"


def test_timeline_shows_the_hidden_name_to_the_persons_caseworker(client, staff, hidden_victim):
    client.force_login(staff["south_caseworker"])
    page = client.get(f"/en/testimony/people/{hidden_victim.pk}/").content.decode()
    assert "Golzar" in page


def test_testimony_page_withholds_a_hidden_name_of_a_witness_outside_the_caseload(
    client, staff, court_testimony, witness
):
    PersonName.objects.create(
        person=witness, given_name="Kaveh", family_name="Tabrizi", hidden=True
    )
    client.force_login(staff["caseworker"])
    page = client.get(f"/en/testimony/{court_testimony.pk}/").content.decode()
    assert "Tabrizi" in page, "the witness's own caseworker sees every name"
    Person.objects.filter(pk=witness.pk).update(caseworker=staff["south_caseworker"])
    page = client.get(f"/en/testimony/{court_testimony.pk}/").content.decode()
    assert "Hossein" in page
    assert "Tabrizi" not in page and "Kaveh" not in page, "a hidden name leaked"
