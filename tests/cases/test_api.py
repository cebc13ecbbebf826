import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kinlink.audit.models import Entry
from kinlink.cases.models import Case, Task
from kinlink.people.services import create_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def client_for(user) -> APIClient:
        client = APIClient()
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


def test_the_caseload_lists_only_the_callers_cases(api, sara, omid, case):
    assert [c["reference"] for c in api(sara).get("/api/cases/").json()["results"]] == [
        case.reference
    ]
    assert api(omid).get("/api/cases/").json()["count"] == 0
    assert api(omid).get(f"/api/cases/{case.pk}/").status_code == 404


def test_a_case_is_opened_and_moved_through_the_api(api, sara, person, stage):
    client = api(sara)
    opened = client.post("/api/cases/", {"person": person.pk, "reason": "phoned us"})
    assert opened.status_code == 201, opened.content
    case_id = opened.json()["id"]
    assert opened.json()["stage_label"] == "First contact"
    moved = client.post(
        f"/api/cases/{case_id}/move/",
        {"to_stage": stage("transit").pk, "reason": "At the transit camp"},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["moved_by"] == "sara"
    stays = client.get(f"/api/cases/{case_id}/stays/").json()
    assert [s["stage_label"] for s in stays] == ["First contact", "In transit"]


def test_a_broken_rule_answers_400_naming_the_field(api, sara, case, stage):
    response = api(sara).post(
        f"/api/cases/{case.pk}/move/",
        {"to_stage": stage("closed").pk, "reason": "done"},
        format="json",
    )
    assert response.status_code == 400 and "outcome" in response.json()


def test_a_person_outside_the_caseload_cannot_get_a_case(api, omid, person):
    response = api(omid).post("/api/cases/", {"person": person.pk})
    assert response.status_code == 400 and Case.objects.count() == 0


def test_the_dpo_reads_cases_through_the_api_but_cannot_move_them(api, make_user, case, stage):
    dana = make_user("dana", "dpo")
    client = api(dana)
    assert client.get(f"/api/cases/{case.pk}/").status_code == 200
    assert Entry.objects.filter(action="read", object_type="cases.case", actor_username="dana")
    response = client.post(
        f"/api/cases/{case.pk}/move/", {"to_stage": stage("transit").pk, "reason": "x"}
    )
    assert response.status_code == 403


def test_tasks_are_listed_added_and_finished(api, sara, case):
    client = api(sara)
    listed = client.get("/api/tasks/", {"case": case.pk}).json()
    assert listed["count"] == 3
    created = client.post(
        "/api/tasks/", {"case": case.pk, "title": "First phone", "due_on": "2025-02-01"}
    )
    assert created.status_code == 201 and created.json()["owner"] == "sara"
    task_id = created.json()["id"]
    done = client.patch(f"/api/tasks/{task_id}/", {"status": "done"}, format="json")
    assert done.json()["status"] == "done"
    assert Task.objects.get(pk=task_id).completed_by == sara


def test_a_task_on_someone_elses_case_cannot_be_added_or_seen(api, omid, case):
    client = api(omid)
    assert client.post("/api/tasks/", {"case": case.pk, "title": "x"}).status_code == 400
    task = case.tasks.first()
    assert client.patch(f"/api/tasks/{task.pk}/", {"status": "done"}).status_code == 404


def test_a_document_scan_is_uploaded_and_the_number_stays_out_of_every_listing(
    api, sara, case, permit_type, media
):
    client = api(sara)
    content = b"%PDF-1.4 scan of a permit"
    expires = timezone.localdate() + timedelta(days=45)
    response = client.post(
        "/api/documents/",
        {
            "case": case.pk,
            "document_type": permit_type.pk,
            "issuing_country": "Albania",
            "number": "AL-123",
            "expires_on": expires.isoformat(),
            "scan": SimpleUploadedFile("p.pdf", content, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scan_sha256"] == hashlib.sha256(content).hexdigest()
    assert body["has_number"] and "AL-123" not in response.content.decode()
    assert "AL-123" not in client.get("/api/documents/").content.decode()
    scan = client.get(f"/api/documents/{body['id']}/scan/")
    assert scan.status_code == 200 and b"".join(scan) == content
    number = client.post(f"/api/documents/{body['id']}/number/", {"reason": "renewal"})
    assert number.json() == {"number": "AL-123"}
    renewal = client.get("/api/tasks/", {"case": case.pk}).json()["results"]
    assert any(t["kind"] == "renewal" and t["label"] == "Renew: Residence permit" for t in renewal)


def test_the_number_needs_a_reason(api, sara, case, permit_type):
    client = api(sara)
    created = client.post(
        "/api/documents/", {"case": case.pk, "document_type": permit_type.pk, "number": "X1"}
    ).json()
    assert client.post(f"/api/documents/{created['id']}/number/", {}).status_code == 400


def test_referrals_are_made_and_closed_with_an_outcome(api, sara, case):
    client = api(sara)
    created = client.post(
        "/api/referrals/",
        {"case": case.pk, "service_type": "language", "partner": "Tirana Language School"},
    )
    assert created.status_code == 201, created.content
    closed = client.patch(
        f"/api/referrals/{created.json()['id']}/",
        {"status": "completed", "outcome": "partly"},
        format="json",
    )
    assert closed.json()["closed_on"] == timezone.localdate().isoformat()


def test_deadlines_come_from_the_api_too(api, sara, case):
    body = api(sara).get("/api/deadlines/").json()
    assert body["overdue_count"] == 3 and body["overdue"][0]["case_reference"] == case.reference


def test_case_reports_are_for_report_roles_only(api, sara, make_user, case):
    assert api(sara).get("/api/case-reports/").status_code == 403
    tables = api(make_user("lina", "analyst")).get("/api/case-reports/").json()
    assert [t["name"] for t in tables] == [
        "stages-over-time",
        "time-in-stage",
        "outcomes",
        "referral-outcomes",
        "overdue",
    ]
    assert "1" not in {cell for t in tables for row in t["rows"] for cell in row[1:]}


def test_pathways_and_stages_are_readable_by_any_staff_member(api, make_user):
    body = api(make_user("lina", "analyst")).get("/api/pathways/").json()
    assert body["results"][0]["stages"][0]["code"] == "first_contact"


def test_the_openapi_schema_describes_the_case_endpoints(client):
    paths = client.get("/api/openapi.json", HTTP_ACCEPT="application/json").json()["paths"]
    for path in (
        "/api/cases/",
        "/api/cases/{id}/move/",
        "/api/tasks/{id}/",
        "/api/documents/",
        "/api/documents/{id}/scan/",
        "/api/referrals/",
        "/api/stage-moves/",
        "/api/deadlines/",
        "/api/case-reports/",
    ):
        assert path in paths, path
    upload = paths["/api/documents/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload


def test_a_person_created_elsewhere_is_not_in_an_open_case_listing(api, sara):
    create_person(names=[{"given_name": "Nobody"}], caseworker=sara)
    assert api(sara).get("/api/cases/").json()["count"] == 0
