import pytest

from kinlink.people.services import create_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_caseloads(make_user):
    sara = make_user("sara", "caseworker", team="North")
    omid = make_user("omid", "caseworker", team="North")
    elira = make_user("elira", "caseworker", team="South")
    mine = create_person(names=[{"given_name": "Maryam", "family_name": "Karimi"}], caseworker=sara)
    theirs = create_person(names=[{"given_name": "Reza", "family_name": "Ahmadi"}], caseworker=omid)
    south = create_person(names=[{"given_name": "Leila", "family_name": "Nouri"}], caseworker=elira)
    return {"sara": sara, "omid": omid, "mine": mine, "theirs": theirs, "south": south}


def test_a_caseworker_cannot_open_another_caseworkers_record_by_url(client, two_caseloads):
    client.force_login(two_caseloads["sara"])
    assert client.get(f"/en/persons/{two_caseloads['mine'].pk}/").status_code == 200
    response = client.get(f"/en/persons/{two_caseloads['theirs'].pk}/")
    assert response.status_code == 404
    assert b"Reza" not in response.content
    reveal = client.post(
        f"/en/persons/{two_caseloads['theirs'].pk}/reveal/",
        {"field": "contact", "reason": "curious"},
    )
    assert reveal.status_code == 404


def test_a_caseworker_cannot_open_another_caseworkers_record_by_api(client, two_caseloads):
    client.force_login(two_caseloads["sara"])
    assert client.get(f"/api/persons/{two_caseloads['mine'].pk}/").status_code == 200
    assert client.get(f"/api/persons/{two_caseloads['theirs'].pk}/").status_code == 404
    listed = [p["reference"] for p in client.get("/api/persons/").json()["results"]]
    assert listed == [two_caseloads["mine"].reference]


def test_a_caseworker_cannot_open_another_record_with_a_token_either(client, two_caseloads):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=two_caseloads["sara"])
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get(f"/api/persons/{two_caseloads['theirs'].pk}/", **auth).status_code == 404
    assert client.get(f"/api/persons/{two_caseloads['mine'].pk}/", **auth).status_code == 200


def test_a_supervisor_sees_the_teams_cases_and_no_others(client, make_user, two_caseloads):
    client.force_login(make_user("nadia", "supervisor", team="North"))
    assert client.get(f"/en/persons/{two_caseloads['theirs'].pk}/").status_code == 200
    assert client.get(f"/en/persons/{two_caseloads['south'].pk}/").status_code == 404


def test_an_analyst_sees_reports_but_no_record_and_no_audit(client, make_user, two_caseloads):
    client.force_login(make_user("lina", "analyst"))
    assert client.get("/en/reports/").status_code == 200
    assert client.get(f"/en/persons/{two_caseloads['mine'].pk}/").status_code == 404
    assert client.get("/en/audit/").status_code == 403
    assert client.get("/api/audit/").status_code == 403


def test_an_administrator_manages_users_but_opens_no_record(
    client, make_user, verified_client, two_caseloads
):
    verified_client(make_user("arben", "admin"))
    assert client.get("/en/accounts/users/").status_code == 200
    assert client.get(f"/en/persons/{two_caseloads['mine'].pk}/").status_code == 404
    assert client.get("/api/persons/").json()["results"] == []


def test_a_caseworker_cannot_manage_users(client, two_caseloads):
    client.force_login(two_caseloads["sara"])
    assert client.get("/en/accounts/users/").status_code == 403
    assert (
        client.post("/en/accounts/users/new/", {"username": "x", "role": "admin"}).status_code
        == 403
    )


def test_a_data_protection_officer_browses_and_filters_the_audit_log(
    client, make_user, verified_client, two_caseloads
):
    verified_client(make_user("dana", "dpo"))
    page = client.get("/en/audit/", {"action": "create", "object_type": "people.person"})
    assert page.status_code == 200
    assert page.content.count(b"people.person") >= 3
    api = client.get("/api/audit/", {"action": "create", "object_type": "people.person"}).json()
    assert api["count"] == 3
    verified = client.get("/en/audit/", {"verify": "1"})
    assert b'data-chain="ok"' in verified.content


def test_navigation_differs_by_role(client, make_user, verified_client):
    client.force_login(make_user("sara", "caseworker"))
    page = client.get("/en/").content.decode()
    assert 'data-nav="web:person_list"' in page and 'data-nav="web:audit_list"' not in page
    client.logout()
    verified_client(make_user("dana", "dpo"))
    page = client.get("/en/").content.decode()
    assert 'data-nav="web:audit_list"' in page and 'data-nav="accounts:user_list"' not in page


def test_revealing_a_contact_in_ones_own_caseload_is_audited(client, two_caseloads):
    from kinlink.audit.models import Entry

    person = two_caseloads["mine"]
    person.contact = "+355 69 555 0101"
    person.save()
    client.force_login(two_caseloads["sara"])
    response = client.post(
        f"/en/persons/{person.pk}/reveal/", {"field": "contact", "reason": "call back"}
    )
    assert b"+355 69 555 0101" in response.content
    read = Entry.objects.get(action="read")
    assert (read.actor_username, read.object_id, read.detail["reason"]) == (
        "sara",
        str(person.pk),
        "call back",
    )
