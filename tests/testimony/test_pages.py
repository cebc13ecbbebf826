"""The testimony pages, driven with the test client: record, add events and a file,
consent, search, export, and the languages."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kinlink.testimony import models
from kinlink.testimony.verify import verify_bundle


@pytest.fixture
def logged_in(client, staff):
    client.force_login(staff["caseworker"])
    return client


def _record_through_the_form(client, witness) -> models.Testimony:
    response = client.post(
        "/en/testimony/new/",
        {
            "witness": witness.pk,
            "recorded_on": "2024-03-05",
            "recorded_place": "Tirana office",
            "language": "fa",
            "source_kind": "interview",
            "account": "حسین موسوی: In 2012 I was moved to Camp Liberty. "
            "They beat Fereshteh Ahmadi.",
            "uses": ["internal", "court"],
            "consent_method": "in_person",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return models.Testimony.objects.latest("id")


def test_a_caseworker_records_a_testimony_with_events_and_a_file_through_the_pages(
    logged_in, witness, victim, liberty, event_types
):
    testimony = _record_through_the_form(logged_in, witness)
    url = f"/en/testimony/{testimony.pk}/"
    for data in [
        {
            "event_type": event_types["transfer"].pk,
            "place": liberty.pk,
            "start": "2012-01-01",
            "start_precision": "year",
            "end_precision": "day",
            "victims": [witness.pk],
            "passage": "In 2012 I was moved to Camp Liberty.",
        },
        {
            "event_type": event_types["beating"].pk,
            "place": liberty.pk,
            "start_precision": "day",
            "end_precision": "day",
            "victims": [victim.pk],
            "perpetrator_descriptions": "a guard\nthe camp commander",
        },
    ]:
        assert logged_in.post(f"{url}events/", data).status_code == 302
    upload = SimpleUploadedFile("letter.pdf", b"%PDF a letter", "application/pdf")
    response = logged_in.post(f"{url}attachments/", {"file": upload, "kind": "document"})
    assert response.status_code == 302
    page = logged_in.get(url).content.decode()
    assert "the camp commander" in page and "letter.pdf" in page
    assert testimony.events.count() == 2
    assert testimony.attachments.get().identifies_people is False  # unticked box


def test_the_account_is_shown_only_after_giving_a_reason(logged_in, record):
    testimony = record(account="They took our passports.")
    page = logged_in.get(f"/en/testimony/{testimony.pk}/").content.decode()
    assert "They took our passports." not in page
    response = logged_in.post(f"/en/testimony/{testimony.pk}/reveal/", {"reason": "editing"})
    assert "They took our passports." in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_consents_are_recorded_and_withdrawn_on_the_page(logged_in, record, witness):
    testimony = record()
    url = f"/en/testimony/{testimony.pk}/"
    response = logged_in.post(
        f"{url}naming/",
        {
            "person": witness.pk,
            "purpose": "court",
            "decision": "grant",
            "given_on": "2024-03-05",
            "method": "in_person",
        },
    )
    assert response.status_code == 302
    response = logged_in.post(
        f"{url}consents/",
        {"use": "court", "decision": "withdraw", "given_on": "2024-04-01", "method": "phone"},
    )
    assert response.status_code == 302
    page = logged_in.get(url).content.decode()
    assert "withdrawn" in page
    assert witness.naming_consents.get().granted


def test_the_search_page_finds_a_latin_name_by_its_persian_spelling(logged_in, record):
    testimony = record(account="Massoud Rajavi was not there.")
    page = logged_in.get("/en/testimony/", {"q": "مسعود رجوی"}).content.decode()
    assert testimony.reference in page
    assert "No testimony" in logged_in.get("/en/testimony/", {"q": "Hassan"}).content.decode()


def test_a_supervisor_exports_a_court_bundle_from_the_page(client, staff, court_testimony):
    client.force_login(staff["supervisor"])
    response = client.post(
        "/en/testimony/exports/", {"recipient": "District Court", "purpose": "court"}
    )
    assert response.status_code == 302
    export = models.EvidenceExport.objects.get()
    assert export.manifest_sha256 in client.get("/en/testimony/exports/").content.decode()
    download = client.get(f"/en/testimony/exports/{export.pk}/")
    data = b"".join(download.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        assert "manifest.json" in bundle.namelist()
    assert verify_bundle(export.file.path).ok


@pytest.mark.parametrize("language", ["en", "fa", "ar", "sq"])
def test_the_pages_render_in_every_language(
    client, staff, court_testimony, liberty, witness, language
):
    client.force_login(staff["supervisor"])
    for path in [
        "",
        "new/",
        f"{court_testimony.pk}/",
        f"people/{witness.pk}/",
        "places/",
        f"places/{liberty.pk}/",
        "event-types/",
        "exports/",
        "figures/",
    ]:
        response = client.get(f"/{language}/testimony/{path}")
        assert response.status_code == 200, (language, path)


def test_the_search_page_filters_by_a_person_reference(logged_in, court_testimony, record, victim):
    other = record(account="Nothing about her.")
    page = logged_in.get("/en/testimony/", {"person": victim.reference.lower()}).content.decode()
    assert court_testimony.reference in page and other.reference not in page
    page = logged_in.get("/en/testimony/", {"person": "P-999999"}).content.decode()
    assert "No such person in your caseload." in page
    assert court_testimony.reference not in page
