"""Evidence exports for many testimonies run as background jobs: a database row, progress
a page polls as JSON, the download link when done; a killed job runs again safely."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.utils import timezone

from kinlink.testimony import jobs
from kinlink.testimony.models import EvidenceExport, ExportJob, JobStatus
from kinlink.testimony.verify import verify_bundle


@pytest.fixture(autouse=True)
def no_threads(settings):
    settings.TESTIMONY_EXPORT_THREADS = False  # the test runs the job itself


def test_a_job_reports_progress_and_ends_with_a_verified_bundle(court_testimony, staff):
    job = jobs.request_export(user=staff["supervisor"], recipient="Court", purpose="court")
    assert job.status == JobStatus.QUEUED and job.percent == 0
    seen = []

    def watch(done, total):
        seen.append(ExportJob.objects.get(pk=job.pk).percent)

    finished = jobs.run_job(job.pk, on_progress=watch)
    # One testimony and the archive: half done, then 99% until the bundle is stored.
    assert seen == [50, 99]
    assert finished.status == JobStatus.DONE and finished.percent == 100
    assert verify_bundle(finished.export.file.path).ok
    assert finished.export.created_by == staff["supervisor"]


def test_the_page_polls_a_json_status_and_gets_the_download_link(
    client, court_testimony, staff, monkeypatch
):
    from kinlink.testimony import views

    monkeypatch.setattr(views, "INLINE_EXPORT_LIMIT", 0)  # force the background path
    client.force_login(staff["supervisor"])
    response = client.post("/en/testimony/exports/", {"recipient": "Court", "purpose": "court"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    page = client.get("/en/testimony/exports/").content.decode()
    assert f'data-status-url="/en/testimony/exports/jobs/{job.pk}/"' in page
    assert "testimony/export_progress.js" in page and "<progress" in page
    state = client.get(f"/en/testimony/exports/jobs/{job.pk}/").json()
    assert state["status"] == "queued" and state["percent"] == 0 and state["export"] is None
    jobs.run_job(job.pk)
    state = client.get(f"/en/testimony/exports/jobs/{job.pk}/").json()
    export = EvidenceExport.objects.get()
    assert state["status"] == "done" and state["percent"] == 100
    assert state["download"] == f"/en/testimony/exports/{export.pk}/"
    client.force_login(staff["south_supervisor"])
    assert client.get(f"/en/testimony/exports/jobs/{job.pk}/").status_code == 404


def test_a_small_export_is_built_during_the_request(client, court_testimony, staff):
    client.force_login(staff["supervisor"])
    response = client.post(
        "/en/testimony/exports/", {"recipient": "Court", "purpose": "court"}, follow=True
    )
    assert "ready" in response.content.decode()
    assert ExportJob.objects.get().status == JobStatus.DONE


def test_a_killed_job_is_run_again_by_the_worker_command(court_testimony, staff):
    job = jobs.request_export(user=staff["supervisor"], recipient="Court", purpose="court")
    # The process died mid-way: running, no heartbeat for longer than STALE.
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, done=1, heartbeat=timezone.now() - dt.timedelta(minutes=10)
    )
    call_command("testimony_exports")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 1
    assert EvidenceExport.objects.count() == 1, "no half-made bundle was left behind"
    call_command("testimony_exports")
    assert EvidenceExport.objects.count() == 1, "a finished job does not run again"


def test_a_job_running_elsewhere_is_not_taken_twice(court_testimony, staff):
    job = jobs.request_export(user=staff["supervisor"], recipient="Court", purpose="court")
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, heartbeat=timezone.now())
    assert jobs.run_job(job.pk).status == JobStatus.RUNNING
    assert not EvidenceExport.objects.exists()


def test_a_job_whose_consent_was_withdrawn_fails_with_the_reason(court_testimony, staff):
    from kinlink.people.models import ConsentMethod
    from kinlink.testimony import services

    job = jobs.request_export(user=staff["supervisor"], recipient="Court", purpose="court")
    services.record_use_consent(
        user=staff["caseworker"],
        testimony=court_testimony,
        use="court",
        granted=False,
        given_on=dt.date(2024, 4, 1),
        method=ConsentMethod.IN_PERSON,
    )
    finished = jobs.run_job(job.pk)
    assert finished.status == JobStatus.FAILED and "consent" in finished.error
    assert not EvidenceExport.objects.exists()


def test_only_exporters_ask_for_jobs(court_testimony, staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        jobs.request_export(user=staff["caseworker"], recipient="Court", purpose="court")


@pytest.mark.django_db(transaction=True)
def test_the_thread_builds_the_bundle_after_commit(court_testimony, staff, settings):
    settings.TESTIMONY_EXPORT_THREADS = True
    job = jobs.request_export(user=staff["supervisor"], recipient="Court", purpose="court")
    threads = [t for t in threading.enumerate() if t.name.startswith("evidence-export")]
    for thread in threads:
        thread.join(timeout=60)
    job.refresh_from_db()
    assert threads and job.status == JobStatus.DONE


def test_the_command_exports_with_progress_and_copies_the_bundle(
    court_testimony, staff, tmp_path, capsys
):
    out = tmp_path / "court.zip"
    call_command(
        "evidence_export",
        "--as",
        "nadia",
        "--recipient",
        "Court",
        "--purpose",
        "court",
        "--out",
        str(out),
    )
    printed = capsys.readouterr()
    assert "100%" in printed.err and "E-000001" in printed.out
    assert verify_bundle(out).ok
    assert ExportJob.objects.get().status == JobStatus.DONE
