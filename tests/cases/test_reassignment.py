"""A supervisor hands a case to another caseworker of the team: page, API, audit, access."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kinlink.audit.models import Entry
from kinlink.cases import services
from kinlink.cases.models import Reassignment, TaskStatus
from kinlink.people.models import PersonVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def rami(make_user):
    return make_user("rami", "caseworker", team="North")


def _api(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_reassigned_case_leaves_the_old_caseload_and_joins_the_new(
    client, case, sara, nadia, rami
):
    client.force_login(rami)
    assert client.get(f"/en/cases/{case.pk}/").status_code == 404
    services.reassign_case(user=nadia, case=case, caseworker=rami, reason="sara moves team")
    assert client.get(f"/en/cases/{case.pk}/").status_code == 200
    assert client.get(f"/en/persons/{case.person_id}/").status_code == 200
    client.force_login(sara)
    assert client.get(f"/en/cases/{case.pk}/").status_code == 404
    assert client.get(f"/en/persons/{case.person_id}/").status_code == 404


def test_the_reassignment_is_recorded_in_the_audit_log_and_the_persons_history(case, nadia, rami):
    before = Entry.objects.count()
    done = services.reassign_case(user=nadia, case=case, caseworker=rami, reason="workload")
    new = Entry.objects.filter(seq__gt=before)
    assert new.filter(action="create", object_type="cases.reassignment", object_id=str(done.pk))
    assert new.filter(action="change", object_type="cases.case", object_id=str(case.pk)).exists()
    assert new.filter(action="change", object_type="cases.task").count() == done.tasks_moved
    assert done.person_moved
    version = PersonVersion.objects.filter(person=case.person).order_by("-number").first()
    assert version.by == nadia and "caseworker_id" in version.changed


def test_open_tasks_stay_with_their_owner_when_asked(case, nadia, rami):
    services.reassign_case(
        user=nadia, case=case, caseworker=rami, reason="short cover", include_tasks=False
    )
    owners = set(
        case.tasks.filter(status=TaskStatus.OPEN).values_list("owner__username", flat=True)
    )
    assert owners == {"sara"}


def test_only_a_supervisor_reassigns_and_a_reason_is_required(case, sara, nadia, rami):
    with pytest.raises(PermissionDenied):
        services.reassign_case(user=sara, case=case, caseworker=rami, reason="I want to")
    with pytest.raises(ValidationError, match="why"):
        services.reassign_case(user=nadia, case=case, caseworker=rami, reason="  ")
    with pytest.raises(ValidationError, match="already"):
        services.reassign_case(user=nadia, case=case, caseworker=case.caseworker, reason="x")
    assert not Reassignment.objects.exists()


def test_a_supervisor_of_another_team_gets_404_on_the_page(client, case, make_user, rami):
    other = make_user("vera", "supervisor", team="South")
    client.force_login(other)
    assert client.get(f"/en/cases/{case.pk}/reassign/").status_code == 404


def test_the_reassign_page_hands_the_case_over(client, case, nadia, rami, sara):
    client.force_login(nadia)
    form = client.get(f"/en/cases/{case.pk}/reassign/").content.decode()
    assert "rami" in form and 'id="reassign-form"' in form
    response = client.post(
        f"/en/cases/{case.pk}/reassign/",
        {"caseworker": rami.pk, "reason": "sara is on leave", "include_tasks": "on"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.caseworker == rami
    page = client.get(f"/en/cases/{case.pk}/").content.decode()
    assert 'id="reassignments"' in page and "sara is on leave" in page
    client.force_login(sara)
    assert client.get(f"/en/cases/{case.pk}/reassign/").status_code == 404


def test_a_caseworker_gets_403_on_the_reassign_page_of_their_own_case(client, case, sara):
    client.force_login(sara)
    assert client.get(f"/en/cases/{case.pk}/reassign/").status_code == 403


def test_the_api_reassigns_with_the_same_rules(case, nadia, rami, sara, omid):
    url = f"/api/cases/{case.pk}/reassign/"
    payload = {"caseworker": rami.pk, "reason": "workload"}
    assert _api(sara).post(url, payload, format="json").status_code == 403
    assert _api(omid).post(url, payload, format="json").status_code == 404
    wrong = _api(nadia).post(url, {"caseworker": omid.pk, "reason": "x"}, format="json")
    assert wrong.status_code == 400 and "caseworker" in wrong.json()
    response = _api(nadia).post(url, payload, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["to_caseworker"] == "rami" and response.json()["reason"] == "workload"
    assert _api(sara).get(f"/api/cases/{case.pk}/").status_code == 404
    assert _api(rami).get(f"/api/cases/{case.pk}/").status_code == 200
