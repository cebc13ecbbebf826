"""Candidates come from the whole registry (tracing crosses caseloads): showing one whose
person is outside the caller's caseload is logged with the enquiry as the reason, shows no
sealed field, and a person merged into another record (a tombstone) is no candidate and in no
person list, only in the merge history."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kinlink.audit.models import Entry
from kinlink.people import services as people
from kinlink.people.selectors import persons_visible_to
from kinlink.tracing import services as tracing
from kinlink.tracing.models import Candidate
from kinlink.tracing.selectors import candidates_of, unread_notifications

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
LOCATION = "Rruga e Durresit 12, Tirana"
CONTACT = "+355 69 123 4567"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(make_user):
    return {
        "sara": make_user("sara", "caseworker", team="North"),
        "omid": make_user("omid", "caseworker", team="South"),
    }


@pytest.fixture
def registry(staff):
    """Omid (South) holds two records of the same man, in Persian and in Latin letters;
    Sara (North) holds a namesake of her own."""
    omid, sara = staff["omid"], staff["sara"]
    persian = people.register_person(
        user=omid,
        names=[{"given_name": "مسعود", "family_name": "حسینی", "father_name": "علی"}],
        birth="1344",
        birth_place="اهواز",
        last_known_location=LOCATION,
        contact=CONTACT,
    )
    latin = people.register_person(
        user=omid,
        names=[{"given_name": "Massoud", "family_name": "Hosseini", "father_name": "Ali"}],
        birth="1965",
        birth_place="Ahvaz",
    )
    own = people.register_person(
        user=sara,
        names=[{"given_name": "Masoud", "family_name": "Hoseini", "father_name": "Ali"}],
        birth="1965",
    )
    return {"persian": persian, "latin": latin, "own": own}


@pytest.fixture
def enquiry(staff, registry):
    return tracing.create_enquiry(
        user=staff["sara"],
        relationship="sibling",
        new_enquirer={"names": [{"given_name": "Fereshteh", "family_name": "Hosseini"}]},
        sought={
            "given_name": "Massoud",
            "family_name": "Hosseini",
            "father_name": "Ali",
            "birth": "1965",
        },
    )


def api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def candidate_reads(channel: str) -> dict[str, Entry]:
    """person id -> the audit entry logging its display as a candidate on that channel."""
    entries = Entry.objects.filter(action="read", object_type="people.person", field="candidate")
    return {e.object_id: e for e in entries if e.detail.get("channel") == channel}


def test_every_proposed_person_is_a_candidate(enquiry, registry):
    proposed = set(enquiry.candidates.values_list("person_id", flat=True))
    assert {p.pk for p in registry.values()} <= proposed, "the fixture must propose all three"


def test_the_api_logs_each_candidate_outside_the_caseload_with_the_enquiry(
    staff, registry, enquiry
):
    client = api(staff["sara"])
    response = client.get(f"/api/enquiries/{enquiry.pk}/candidates/")
    assert response.status_code == 200
    shown = {row["person"]["id"] for row in response.json()}
    assert {registry["persian"].pk, registry["latin"].pk, registry["own"].pk} <= shown
    reads = candidate_reads("api")
    assert set(reads) == {str(registry["persian"].pk), str(registry["latin"].pk)}, (
        "exactly the persons of another caseload are logged; Sara's own is not"
    )
    entry = reads[str(registry["persian"].pk)]
    assert entry.actor_username == "sara"
    assert entry.detail["enquiry"] == enquiry.reference
    assert entry.detail["reason"]


@pytest.mark.parametrize("path", ["/api/candidates/", "/api/candidates/{id}/"])
def test_the_candidate_endpoints_log_the_persons_they_show(staff, registry, enquiry, path):
    candidate = enquiry.candidates.get(person=registry["persian"])
    response = api(staff["sara"]).get(path.format(id=candidate.pk))
    assert response.status_code == 200
    assert str(registry["persian"].pk) in candidate_reads("api")


def test_a_decision_answers_with_the_candidate_and_logs_it(staff, registry, enquiry):
    candidate = enquiry.candidates.get(person=registry["latin"])
    response = api(staff["sara"]).post(
        f"/api/candidates/{candidate.pk}/reject/", {"reason": "other father"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["decision"] == "not_same"
    assert str(registry["latin"].pk) in candidate_reads("api")


def test_the_enquiry_page_logs_the_candidates_outside_the_caseload(
    client, staff, registry, enquiry
):
    client.force_login(staff["sara"])
    page = client.get(reverse("tracing:enquiry_detail", args=[enquiry.pk]))
    assert page.status_code == 200
    assert registry["persian"].reference in page.content.decode()
    assert set(candidate_reads("page")) == {str(registry["persian"].pk), str(registry["latin"].pk)}


def test_a_candidate_shows_no_sealed_field_and_only_the_fields_needed_to_judge(
    staff, registry, enquiry
):
    response = api(staff["sara"]).get(f"/api/enquiries/{enquiry.pk}/candidates/")
    body = response.content.decode()
    assert LOCATION not in body and CONTACT not in body
    row = next(r for r in response.json() if r["person"]["id"] == registry["persian"].pk)
    assert set(row["person"]) == {
        "id",
        "reference",
        "names",
        "birth_year",
        "birth_year_end",
        "birth_place",
    }


def test_candidates_of_another_caseworkers_enquiry_answer_404(staff, registry, enquiry):
    candidate = enquiry.candidates.get(person=registry["persian"])
    client = api(staff["omid"])
    assert client.get(f"/api/candidates/{candidate.pk}/").status_code == 404
    assert client.get("/api/candidates/").json()["results"] == []
    assert client.get(f"/api/enquiries/{enquiry.pk}/candidates/").status_code == 404
    assert not candidate_reads("api"), "nothing was shown, so nothing is logged"


# -- tombstones ----------------------------------------------------------------------------


@pytest.fixture
def merged(staff, registry, enquiry):
    """Omid finds that his two records are one man and merges the Persian one into the
    Latin one: the Persian record stays only as a pointer in the merge history."""
    people.merge_persons(
        user=staff["omid"],
        survivor=registry["latin"],
        merged=registry["persian"],
        reason="same father, same birthplace",
    )
    registry["persian"].refresh_from_db()
    return registry["persian"]


def test_a_merged_away_person_is_no_candidate_anywhere(client, staff, registry, enquiry, merged):
    tombstone = Candidate.objects.get(enquiry=enquiry, person=merged)
    assert merged.pk not in [c.person_id for c in candidates_of(enquiry)]
    sara = api(staff["sara"])
    listed = sara.get(f"/api/enquiries/{enquiry.pk}/candidates/").json()
    assert merged.pk not in [row["person"]["id"] for row in listed]
    assert registry["latin"].pk in [row["person"]["id"] for row in listed]
    everything = sara.get("/api/candidates/").json()["results"]
    assert tombstone.pk not in [row["id"] for row in everything]
    assert sara.get(f"/api/candidates/{tombstone.pk}/").status_code == 404
    refused = sara.post(f"/api/candidates/{tombstone.pk}/confirm/", {"reason": "x"})
    assert refused.status_code == 404, "a merged-away record cannot be confirmed"
    searched = sara.post(f"/api/enquiries/{enquiry.pk}/search/").json()
    assert merged.pk not in [row["person"]["id"] for row in searched]
    client.force_login(staff["sara"])
    page = client.get(reverse("tracing:enquiry_detail", args=[enquiry.pk])).content.decode()
    assert merged.reference not in page
    assert registry["latin"].reference in page


def test_a_merged_away_person_is_in_no_person_list_or_search(client, staff, registry, merged):
    omid = staff["omid"]
    assert merged not in persons_visible_to(omid)
    listed = api(omid).get("/api/persons/").json()["results"]
    assert merged.reference not in [row["reference"] for row in listed]
    assert api(omid).get(f"/api/persons/{merged.pk}/").status_code == 404
    client.force_login(omid)
    links = [
        reverse(name, args=[merged.pk]) for name in ("web:person_detail", "tracing:person_record")
    ]
    for query in ("", "مسعود", merged.reference):
        page = client.get(reverse("web:person_list"), {"q": query}).content.decode()
        assert not any(link in page for link in links), f"persons page with q={query!r}"
        if query != merged.reference:  # the page repeats the query itself
            assert merged.reference not in page
            assert registry["latin"].reference in page, f"persons page with q={query!r}"
    assert merged.reference not in client.get(reverse("web:home")).content.decode()


def test_the_merge_history_still_shows_the_merged_away_record(client, staff, registry, merged):
    client.force_login(staff["omid"])
    survivor_page = client.get(reverse("tracing:person_record", args=[registry["latin"].pk]))
    assert merged.reference in survivor_page.content.decode()
    tombstone_page = client.get(reverse("tracing:person_record", args=[merged.pk]))
    assert tombstone_page.status_code == 200
    assert registry["latin"].reference in tombstone_page.content.decode()


def test_the_caseload_export_names_no_merged_away_person(staff, registry, enquiry, merged):
    sought = enquiry.candidates.get(person=registry["latin"])
    tracing.decide_candidate(user=staff["sara"], candidate=sought, decision="same", reason="r")
    data = tracing.export_caseload(user=staff["sara"], fmt="csv").decode("utf-8")
    assert enquiry.reference in data
    assert merged.reference not in data


def test_a_notification_about_a_merged_away_candidate_is_left_out(staff, registry, enquiry):
    late = people.register_person(
        user=staff["omid"],
        names=[{"given_name": "Massoud", "family_name": "Hosseini", "father_name": "Ali"}],
        birth="1965",
        birth_place="Ahvaz",
    )
    about_late = [n for n in unread_notifications(staff["sara"]) if n.candidate]
    assert late.pk in [n.candidate.person_id for n in about_late], "found later: notified"
    people.merge_persons(
        user=staff["omid"], survivor=registry["latin"], merged=late, reason="duplicate"
    )
    left = [n.candidate.person_id for n in unread_notifications(staff["sara"]) if n.candidate]
    assert late.pk not in left


def test_the_reports_count_a_merged_person_once(client, staff, make_user):
    omid = staff["omid"]
    records = [
        people.register_person(user=omid, names=[{"given_name": f"N{i}"}], gender="F")
        for i in range(7)
    ]
    client.force_login(make_user("lina", "analyst"))
    assert "<td>7</td>" in client.get("/en/reports/").content.decode()
    people.merge_persons(user=omid, survivor=records[0], merged=records[1], reason="same")
    page = client.get("/en/reports/").content.decode()
    assert "<td>6</td>" in page and "<td>7</td>" not in page
