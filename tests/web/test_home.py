"""The home page and the persons list print what they always did, though they now read only
the columns they print (issue 7, load)."""

import pytest
from django.utils import timezone

from kinlink.people import services as people
from kinlink.people.models import Person
from kinlink.tracing import services as tracing
from kinlink.tracing.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseload(make_user):
    sara = make_user("sara", "caseworker", team="North")
    sara.first_name, sara.last_name = "Sara", "Ahmadi"
    sara.save()
    omid = make_user("omid", "caseworker", team="South")
    leila = people.register_person(
        user=sara,
        names=[
            {"given_name": "Leila", "family_name": "Karimi"},
            {"given_name": "لیلا", "family_name": "کریمی", "kind": "spelling"},
        ],
        birth_year=1980,
        birth_place="Tabriz",
    )
    masoud = people.register_person(
        user=sara, names=[{"given_name": "Masoud", "family_name": "Hosseini"}]
    )
    merged = people.register_person(
        user=sara, names=[{"given_name": "Masood", "family_name": "Hoseini"}]
    )
    Person.objects.filter(pk=merged.pk).update(merged_into=masoud)
    elsewhere = people.register_person(
        user=omid, names=[{"given_name": "Leila", "family_name": "Karimzadeh"}]
    )
    return {"sara": sara, "leila": leila, "masoud": masoud, "merged": merged, "other": elsewhere}


def test_home_counts_the_caseload_and_lists_its_latest_persons_and_unread_notes(client, caseload):
    sara, leila, masoud = caseload["sara"], caseload["leila"], caseload["masoud"]
    enquiry = tracing.create_enquiry(
        user=sara,
        relationship="sibling",
        enquirer=leila,
        sought={"given_name": "Reza", "family_name": "Karimi"},
        search=False,
    )
    Notification.objects.create(user=sara, kind=NotificationKind.MESSAGE_TO_REVIEW, enquiry=enquiry)
    Notification.objects.create(
        user=sara,
        kind=NotificationKind.NEW_CANDIDATE,
        enquiry=enquiry,
        read_at=timezone.now(),
    )
    client.force_login(sara)
    page = client.get("/en/").content.decode()

    assert "2 persons in your caseload." in page  # the merged record is the same person
    assert page.index(masoud.reference) < page.index(leila.reference)  # newest first
    assert "<bdi>Leila Karimi</bdi>" in page and "کریمی" not in page  # first name only
    assert "<bdi>Masoud Hosseini</bdi>" in page
    assert caseload["merged"].reference not in page and caseload["other"].reference not in page
    assert f"A message of {enquiry.reference} waits for your review." in page
    assert "may be the one sought" not in page  # read already
    assert "Nothing overdue and nothing due in the next seven days." in page


def test_the_persons_list_prints_names_birth_and_caseworker(client, caseload):
    client.force_login(caseload["sara"])
    page = client.get("/en/persons/?q=karim").content.decode()

    assert "<bdi>Leila Karimi</bdi> · <bdi>لیلا کریمی</bdi>" in page
    assert "1980" in page and "<bdi>Tabriz</bdi>" in page and "Sara Ahmadi" in page
    assert caseload["leila"].reference in page
    assert caseload["masoud"].reference not in page and caseload["other"].reference not in page
    listing = client.get("/en/persons/").content.decode()
    assert caseload["masoud"].reference in listing and caseload["merged"].reference not in listing
