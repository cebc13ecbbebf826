"""The data-protection pages and endpoints: the officer's workflow, and every other role
refused."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json

import pytest

from kinlink.privacy import services
from kinlink.privacy.models import ErasureRequest, RetentionRule

from .conftest import CONTACT, GIVEN

OTHER_ROLES = ["caseworker", "supervisor", "admin", "analyst"]


@pytest.fixture
def erasure(world, dpo) -> ErasureRequest:
    return services.record_request(
        user=dpo,
        person=world.subject,
        ground="consent_withdrawn",
        requested_by="subject",
        requested_on=dt.date(2025, 6, 2),
    )


def _login(client, verified_client, user):
    if user.role in ("dpo", "admin"):
        return verified_client(user)
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_is_refused_every_page_and_endpoint(
    client, verified_client, staff, world, erasure, role
):
    browser = _login(client, verified_client, staff[role])
    pk, rq = world.subject.pk, erasure.pk
    for url in (
        "/en/privacy/",
        f"/en/privacy/persons/{pk}/",
        f"/en/privacy/requests/{rq}/",
        "/api/privacy/requests/",
        f"/api/privacy/requests/{rq}/",
        f"/api/privacy/persons/{pk}/",
    ):
        assert browser.get(url).status_code == 403, f"{role} opened {url}"
    posts = {
        f"/en/privacy/persons/{pk}/export/": {"format": "json", "reason": "curious"},
        f"/en/privacy/persons/{pk}/requests/": {"ground": "objection"},
        f"/en/privacy/requests/{rq}/carry-out/": {
            "method": "erase",
            "confirm_reference": world.subject.reference,
        },
        f"/en/privacy/requests/{rq}/refuse/": {"reason": "no"},
        f"/api/privacy/persons/{pk}/export/": {"format": "json", "reason": "curious"},
        "/api/privacy/requests/": {"person": pk},
        f"/api/privacy/requests/{rq}/carry-out/": {
            "method": "erase",
            "confirm_reference": world.subject.reference,
        },
    }
    for url, data in posts.items():
        response = browser.post(url, data)
        assert response.status_code == 403, f"{role} posted to {url}"
        assert GIVEN.encode() not in response.content
    erasure.refresh_from_db()
    assert erasure.is_open and world.subject.names.count() == 2


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world):
    response = client.get("/en/privacy/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/privacy/requests/").status_code in (401, 403)


def test_the_officer_sees_requests_and_a_persons_data_overview(
    verified_client, dpo, world, erasure
):
    browser = verified_client(dpo)
    page = browser.get("/en/privacy/").content.decode()
    assert erasure.reference in page and 'data-nav="privacy:index"' in page
    found = browser.get("/en/privacy/", {"reference": world.subject.reference.lower()})
    assert found.status_code == 302 and found["Location"].endswith(f"/persons/{world.subject.pk}/")
    page = browser.get(f"/en/privacy/persons/{world.subject.pk}/").content.decode()
    for label in ("people.personname", "tracing.enquiry", "cases.document", "testimony.event"):
        assert label in page
    assert GIVEN not in page, "the overview shows counts, not values"


def test_the_officer_downloads_the_json_and_the_pdf(verified_client, dpo, world):
    browser = verified_client(dpo)
    url = f"/en/privacy/persons/{world.subject.pk}/export/"
    response = browser.post(url, {"format": "json", "reason": "letter of 3 May"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["sections"]["people.person"][0]["contact"] == CONTACT
    if importlib.util.find_spec("reportlab") is not None:
        pdf = browser.post(url, {"format": "pdf", "reason": "letter of 3 May"})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert browser.post(url, {"format": "json", "reason": ""}).status_code == 200  # form again


def test_the_erasure_workflow_asks_for_the_reference_before_it_erases(
    verified_client, dpo, world, django_capture_on_commit_callbacks
):
    browser = verified_client(dpo)
    response = browser.post(
        f"/en/privacy/persons/{world.subject.pk}/requests/",
        {
            "ground": "objection",
            "ground_detail": "letter",
            "requested_by": "subject",
            "requested_on": "2025-06-02",
        },
    )
    assert response.status_code == 302
    erasure = ErasureRequest.objects.get()
    page = browser.get(response["Location"]).content.decode()
    assert "carry-out-form" in page
    wrong = browser.post(
        f"/en/privacy/requests/{erasure.pk}/carry-out/",
        {"method": "erase", "confirm_reference": "P-999999"},
    )
    assert wrong.status_code == 200 and world.subject.names.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        done = browser.post(
            f"/en/privacy/requests/{erasure.pk}/carry-out/",
            {"method": "erase", "confirm_reference": world.subject.reference},
        )
    assert done.status_code == 302
    erasure.refresh_from_db()
    assert erasure.state == "done" and not world.subject.names.exists()


def test_the_api_records_and_carries_out_a_request(
    verified_client, dpo, world, django_capture_on_commit_callbacks
):
    api = verified_client(dpo)
    created = api.post(
        "/api/privacy/requests/",
        {
            "person": world.subject.pk,
            "ground": "no_longer_needed",
            "requested_by": "representative",
            "requested_on": "2025-06-02",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    rq = created.json()["id"]
    overview = api.get(f"/api/privacy/persons/{world.subject.pk}/").json()
    assert overview["holds"] == [] and overview["counts"]["people.personname"] == 2
    bad = api.post(
        f"/api/privacy/requests/{rq}/carry-out/",
        {"method": "shred", "confirm_reference": world.subject.reference},
        content_type="application/json",
    )
    assert bad.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        done = api.post(
            f"/api/privacy/requests/{rq}/carry-out/",
            {"method": "pseudonymise", "confirm_reference": world.subject.reference},
            content_type="application/json",
        )
    assert done.status_code == 200 and done.json()["state"] == "done"
    assert api.get("/api/privacy/requests/").json()["results"][0]["method"] == "pseudonymise"


def test_the_api_exports_the_persons_data(verified_client, dpo, world):
    api = verified_client(dpo)
    response = api.post(
        f"/api/privacy/persons/{world.subject.pk}/export/",
        {"format": "json", "reason": "subject access by email"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert json.loads(response.content)["person"] == world.subject.reference


@pytest.mark.parametrize("role", ["dpo", "admin"])
def test_an_officer_or_administrator_sets_retention_periods(client, verified_client, staff, role):
    browser = _login(client, verified_client, staff[role])
    assert browser.get("/en/privacy/retention/").status_code == 200
    rule = RetentionRule.objects.get(record_type="closed_case")
    response = browser.post(
        "/en/privacy/retention/", {"rule": rule.pk, "period_days": 3000, "enabled": "on"}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.period_days == 3000 and rule.updated_by == staff[role]
    patched = browser.patch(
        f"/api/privacy/retention-rules/{rule.pk}/",
        {"period_days": 2000},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["period_days"] == 2000


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "analyst"])
def test_other_roles_may_not_see_or_set_retention(client, staff, role):
    client.force_login(staff[role])
    rule = RetentionRule.objects.get(record_type="closed_case")
    assert client.get("/en/privacy/retention/").status_code == 403
    assert (
        client.post("/en/privacy/retention/", {"rule": rule.pk, "period_days": 1}).status_code
        == 403
    )
    assert client.get("/api/privacy/retention-rules/").status_code == 403
    patched = client.patch(
        f"/api/privacy/retention-rules/{rule.pk}/",
        {"period_days": 1},
        content_type="application/json",
    )
    assert patched.status_code == 403
    rule.refresh_from_db()
    assert rule.period_days == 2557


def test_the_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json", HTTP_ACCEPT="application/json").json()["paths"]
    for path in (
        "/api/privacy/requests/",
        "/api/privacy/requests/{id}/",
        "/api/privacy/requests/{id}/carry-out/",
        "/api/privacy/requests/{id}/refuse/",
        "/api/privacy/persons/{id}/",
        "/api/privacy/persons/{id}/export/",
        "/api/privacy/retention-rules/",
        "/api/privacy/retention-rules/{id}/",
    ):
        assert path in paths, f"{path} is not in the schema"
