"""The API for corrections (versions), people mentioned and background export jobs: the
same services, access rules and audit entries as the pages."""

from __future__ import annotations

import io
import zipfile

import pytest
from rest_framework.test import APIClient

from kinlink.audit.models import Action, Entry
from kinlink.testimony import jobs, services
from kinlink.testimony.models import ExportJob, MentionedPerson
from kinlink.testimony.verify import verify_bundle

from .conftest import ACCOUNT

CORRECTED = ACCOUNT.replace("In 2012", "In 2011")


@pytest.fixture(autouse=True)
def no_threads(settings):
    settings.TESTIMONY_EXPORT_THREADS = False  # the test runs a background job itself


@pytest.fixture
def api(staff):
    def client_for(role: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(staff[role])
        return client

    return client_for


def _reads(since: int) -> list[tuple]:
    entries = Entry.objects.filter(seq__gt=since, action=Action.READ).order_by("seq")
    return [(e.object_type, e.object_id, e.field, e.detail) for e in entries]


def _last_seq() -> int:
    last = Entry.objects.order_by("-seq").first()
    return last.seq if last else 0


def test_versions_list_who_when_why_without_any_text(api, record, staff):
    testimony = record()
    client = api("caseworker")
    response = client.post(
        f"/api/testimonies/{testimony.pk}/correction/",
        {"account": CORRECTED, "reason": "the witness remembered the year"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 2
    before = _last_seq()
    body = client.get(f"/api/testimonies/{testimony.pk}/versions/").json()
    assert body["account_version"] == 2
    assert [(v["number"], v["reason"]) for v in body["account"]] == [
        (2, "the witness remembered the year"),
        (1, ""),
    ]
    assert body["account"][0]["recorded_by"] == staff["caseworker"].display_name
    # Whole phrases: a bare "2011" could sit inside a timestamp's microseconds.
    assert "In 2011" not in str(body) and "In 2012" not in str(body), "no text without a reason"
    assert _reads(before) == [], "listing versions reads no sealed value"


def test_reading_the_history_needs_a_reason_and_is_audited_as_on_the_page(
    api, client, court_testimony, staff
):
    services.correct_account(
        user=staff["caseworker"], testimony=court_testimony, account=CORRECTED, reason="year"
    )
    api_client = api("caseworker")
    url = f"/api/testimonies/{court_testimony.pk}/history/"
    assert api_client.post(url, {}, format="json").status_code == 400
    assert api_client.post(url, {"reason": "  "}, format="json").status_code == 400

    before = _last_seq()
    client.force_login(staff["caseworker"])
    page = client.post(f"/en/testimony/{court_testimony.pk}/history/", {"reason": "court"})
    assert page.status_code == 200
    page_reads = _reads(before)

    before = _last_seq()
    response = api_client.post(url, {"reason": "court"}, format="json")
    assert response.status_code == 200, response.json()
    assert response["Cache-Control"] == "no-store"
    assert _reads(before) == page_reads, "the API audits exactly what the page does"
    assert len(page_reads) >= 2

    body = response.json()
    assert [(v["number"], v["text"]) for v in body["account"]] == [(2, CORRECTED), (1, ACCOUNT)]
    assert {e["event"] for e in body["events"]} == set(
        court_testimony.events.values_list("pk", flat=True)
    )


def test_history_and_corrections_answer_404_outside_the_caseload(api, record):
    testimony = record()
    south = api("south_caseworker")
    assert south.get(f"/api/testimonies/{testimony.pk}/versions/").status_code == 404
    history = south.post(f"/api/testimonies/{testimony.pk}/history/", {"reason": "x"})
    assert history.status_code == 404
    correction = south.post(
        f"/api/testimonies/{testimony.pk}/correction/",
        {"account": CORRECTED, "reason": "x"},
        format="json",
    )
    assert correction.status_code == 404
    testimony.refresh_from_db()
    assert testimony.account_version == 1


def test_an_unchanged_correction_is_refused(api, record):
    testimony = record()
    response = api("caseworker").post(
        f"/api/testimonies/{testimony.pk}/correction/",
        {"account": ACCOUNT, "reason": "nothing"},
        format="json",
    )
    assert response.status_code == 400
    assert "account" in response.json()


def test_an_event_is_corrected_with_a_reason_and_keeps_its_passage(
    api, court_testimony, event_types, liberty
):
    event = court_testimony.events.get(event_type__code="solitary_confinement")
    url = f"/api/testimony-events/{event.pk}/correction/"
    assert api("south_caseworker").post(url, {}, format="json").status_code == 404
    client = api("caseworker")
    no_reason = client.post(url, {"event_type": "solitary_confinement"}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    response = client.post(
        url,
        {
            "event_type": "beating",
            "place": liberty.pk,
            "start": "2013-03-01",
            "start_precision": "month",
            "participants": [{"role": "perpetrator", "description": "a guard"}],
            "reason": "it was a beating",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 2
    event.refresh_from_db()
    assert event.event_type.code == "beating" and event.passage is not None
    versions = client.get(f"/api/testimonies/{court_testimony.pk}/versions/").json()
    row = next(e for e in versions["events"] if e["event"] == event.pk)
    assert row["version"] == 2
    assert [v["reason"] for v in row["versions"]] == ["it was a beating", ""]


def test_mentioned_names_are_stored_sealed_and_only_counted(api, record, staff):
    testimony = record()
    url = f"/api/testimonies/{testimony.pk}/mentions/"
    client = api("caseworker")
    assert client.get(url).json() == {"count": 0}
    added = client.post(url, {"names": ["Kamran Yazdi", "کامران یزدی"]}, format="json")
    assert added.status_code == 201 and added.json() == {"count": 1}
    listed = client.get(url)
    assert listed.json() == {"count": 1}
    assert "Kamran" not in listed.content.decode()
    stored = MentionedPerson.objects.get(testimony=testimony)
    assert "Kamran" not in str(stored.names.token), "stored sealed"
    assert client.post(url, {"names": []}, format="json").status_code == 400
    assert api("analyst").post(url, {"names": ["X Y"]}, format="json").status_code == 404
    assert api("south_caseworker").get(url).status_code == 404


def test_an_export_job_is_asked_for_polled_and_downloaded(api, court_testimony, staff):
    assert (
        api("caseworker")
        .post(
            "/api/evidence-export-jobs/",
            {"recipient": "Court of The Hague", "purpose": "court"},
            format="json",
        )
        .status_code
        == 403
    )
    client = api("supervisor")
    response = client.post(
        "/api/evidence-export-jobs/",
        {"recipient": "Court of The Hague", "purpose": "court", "note": "case 7"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    job = response.json()
    # one testimony: built during the request, as on the page
    assert job["status"] == "done" and job["percent"] == 100 and job["export"]
    download = client.get(f"/api/evidence-export-jobs/{job['id']}/download/")
    assert download.status_code == 200
    bundle = b"".join(download.streaming_content)
    assert verify_bundle(io.BytesIO(bundle)).ok
    assert zipfile.ZipFile(io.BytesIO(bundle)).namelist()
    assert api("south_supervisor").get(f"/api/evidence-export-jobs/{job['id']}/").status_code == 404
    dpo = APIClient()
    dpo.force_authenticate(staff["dpo"], token="issued-after-two-factor")  # a two-factor role
    assert dpo.get(f"/api/evidence-export-jobs/{job['id']}/").status_code == 200


def test_a_background_job_reports_progress_and_refuses_download_until_done(
    api, court_testimony, staff
):
    job = jobs.request_export(user=staff["supervisor"], recipient="UN", purpose="court")
    client = api("supervisor")
    state = client.get(f"/api/evidence-export-jobs/{job.pk}/").json()
    assert state["status"] == "queued" and state["percent"] == 0 and state["export"] is None
    early = client.get(f"/api/evidence-export-jobs/{job.pk}/download/")
    assert early.status_code == 409 and early.json()["status"] == "queued"
    jobs.run_job(job.pk)
    state = client.get(f"/api/evidence-export-jobs/{job.pk}/").json()
    assert state["status"] == "done" and state["percent"] == 100
    assert client.get(f"/api/evidence-export-jobs/{job.pk}/download/").status_code == 200
    assert [j["id"] for j in client.get("/api/evidence-export-jobs/").json()["results"]] == [job.pk]


def test_an_export_job_without_consent_for_the_purpose_is_refused(api, record):
    record(uses=["internal"])
    response = api("supervisor").post(
        "/api/evidence-export-jobs/",
        {"recipient": "A court", "purpose": "court"},
        format="json",
    )
    assert response.status_code == 400 and "purpose" in response.json()
    assert not ExportJob.objects.exists()


def test_an_export_job_takes_only_the_testimonies_named(api, court_testimony, record, staff):
    other = record(account="A second account of Camp Liberty.")
    client = api("supervisor")
    response = client.post(
        "/api/evidence-export-jobs/",
        {"recipient": "A court", "purpose": "court", "testimonies": [other.reference]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    job = ExportJob.objects.get(pk=response.json()["id"])
    assert job.testimonies == [other.pk] and job.export.testimony_count == 1
    bundle = zipfile.ZipFile(job.export.file.open("rb"))
    assert any(other.reference in name for name in bundle.namelist())
    assert not any(court_testimony.reference in name for name in bundle.namelist())


def test_a_named_testimony_without_consent_or_out_of_reach_is_refused_by_reference(
    api, court_testimony, record, staff
):
    internal = record(uses=["internal"])
    client = api("supervisor")
    for references, named in (
        ([court_testimony.reference, internal.reference], internal.reference),
        (["T-999999"], "T-999999"),
    ):
        response = client.post(
            "/api/evidence-export-jobs/",
            {"recipient": "A court", "purpose": "court", "testimonies": references},
            format="json",
        )
        assert response.status_code == 400, response.json()
        assert named in str(response.json()["testimonies"])
    south = api("south_supervisor").post(
        "/api/evidence-export-jobs/",
        {"recipient": "A court", "purpose": "court", "testimonies": [court_testimony.reference]},
        format="json",
    )
    assert south.status_code == 400 and "testimonies" in south.json()
    assert not ExportJob.objects.exists()
