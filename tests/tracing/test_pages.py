import datetime as dt

import pytest

from kinlink.audit.models import Entry
from kinlink.tracing import services
from kinlink.tracing.models import Enquiry

from .conftest import CONTACT, ENQUIRER_CONTACT, LOCATION, consent

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_a_caseworker_records_an_enquiry_and_sees_the_right_candidate_first(
    client, sara, registered
):
    client.force_login(sara)
    response = client.post(
        "/en/tracing/new/",
        {
            "enquirer_given_name": "Fereshteh",
            "enquirer_family_name": "Hosseini",
            "enquirer_contact": ENQUIRER_CONTACT,
            "relationship": "sibling",
            "given_name": "Massoud",
            "family_name": "Hosseini",
            "father_name": "Ali",
            "birth": "1965",
            "birth_place": "Ahvaz",
        },
    )
    enquiry = Enquiry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/tracing/{enquiry.pk}/"
    html = page(client, f"/en/tracing/{enquiry.pk}/")
    first = html.index('data-candidate="')
    assert f'data-person="{registered.reference}"' in html[first : first + 200]
    assert "<bdi>مسعود حسینی</bdi>" in html
    assert ENQUIRER_CONTACT not in html
    assert enquiry.reference in page(client, "/en/tracing/")


def test_the_enquiry_form_names_a_bad_birth_year(client, sara):
    client.force_login(sara)
    response = client.post(
        "/en/tracing/new/",
        {
            "enquirer_given_name": "A",
            "relationship": "parent",
            "given_name": "B",
            "birth": "1965-13",
        },
    )
    assert response.status_code == 200 and "month 13" in response.content.decode()


def test_confirming_recording_consent_and_messages_through_the_pages(
    client, sara, nadia, enquiry, registered
):
    client.force_login(sara)
    candidate = enquiry.candidates.get(person=registered)
    client.post(
        f"/en/tracing/candidates/{candidate.pk}/decide/", {"decision": "same", "reason": "father"}
    )
    enquiry.refresh_from_db()
    assert enquiry.status == "candidate_found"
    assert 'data-verified="no"' in page(client, f"/en/tracing/{enquiry.pk}/")
    client.post(
        f"/en/tracing/candidates/{candidate.pk}/verify/",
        {"kind": "relationship", "method": "questions", "verified_on": dt.date.today()},
    )
    assert 'data-verified="yes"' in page(client, f"/en/tracing/{enquiry.pk}/")
    client.post(
        f"/en/tracing/{enquiry.pk}/consent/",
        {"scope": "messages", "obtained_on": dt.date.today().isoformat(), "method": "phone"},
    )
    assert services.consent_scope(enquiry) == "messages"
    client.post(
        f"/en/tracing/{enquiry.pk}/messages/",
        {"direction": "to_enquirer", "text": "Call me on +355 69 123 4567"},
    )
    assert not enquiry.messages.exists()
    client.post(
        f"/en/tracing/{enquiry.pk}/messages/", {"direction": "to_enquirer", "text": "I am well."}
    )
    message = enquiry.messages.get()
    html = page(client, f"/en/tracing/{enquiry.pk}/")
    assert "Waiting for review by a second person." in html
    client.force_login(nadia)
    client.post(f"/en/tracing/messages/{message.pk}/review/", {"approve": "yes"})
    client.force_login(sara)
    client.post(f"/en/tracing/messages/{message.pk}/deliver/", {"delivered": "yes"})
    message.refresh_from_db()
    assert message.state == "delivered"
    letter = page(client, f"/en/tracing/{enquiry.pk}/letter/")
    assert "I am well." in letter and LOCATION not in letter and CONTACT not in letter
    assert 'data-consent="messages"' in letter


def test_the_letter_with_full_consent_shows_whereabouts_and_is_audited(client, sara, found):
    consent(found, sara, "whereabouts")
    client.force_login(sara)
    letter = page(client, f"/en/tracing/{found.pk}/letter/")
    assert LOCATION in letter and CONTACT in letter
    assert Entry.objects.filter(action="disclose", detail__channel="letter").exists()


def test_the_letter_is_printable_and_right_to_left_in_persian(client, sara, found):
    client.force_login(sara)
    letter = page(client, f"/fa/tracing/{found.pk}/letter/")
    assert 'dir="rtl"' in letter and "tracing/letter.css" in letter


def test_a_caseworker_records_a_person_with_a_solar_hijri_birth_year(client, sara):
    client.force_login(sara)
    response = client.post(
        "/en/tracing/persons/new/",
        {
            "given_name": "یگانه",
            "family_name": "کریمی",
            "name_language": "fa",
            "birth": "1350",
            "status": "alive",
            "contact": "+98 912 000 0000",
        },
    )
    assert response.status_code == 302
    html = page(client, response["Location"])
    assert "<bdi>یگانه</bdi>" in html and "1971/1972" in html and 'data-script="arabic"' in html
    assert "+98 912" not in html


def test_a_person_is_edited_related_and_merged_through_the_pages(client, sara):
    from kinlink.people.services import register_person

    one = register_person(user=sara, names=[{"given_name": "Parvin"}], birth="1950")
    two = register_person(user=sara, names=[{"given_name": "Parwin"}], birth_place="Shiraz")
    son = register_person(user=sara, names=[{"given_name": "Reza"}])
    client.force_login(sara)
    client.post(
        f"/en/tracing/persons/{one.pk}/edit/",
        {
            "gender": "F",
            "birth": "1950",
            "birth_place": "",
            "nationality": "Iranian",
            "languages": "fa, en",
            "status": "alive",
        },
    )
    client.post(
        f"/en/tracing/persons/{one.pk}/relationships/",
        {"kind": "parent", "relative": son.reference},
    )
    client.post(
        f"/en/tracing/persons/{one.pk}/merge/",
        {"duplicate": two.reference, "reason": "same person, spelled twice"},
    )
    html = page(client, f"/en/tracing/persons/{one.pk}/")
    assert "<bdi>Parwin</bdi>" in html and "<bdi>Shiraz</bdi>" in html
    assert "Child:" in html and "Iranian" in html
    assert two.reference in html


def test_pages_of_an_enquiry_outside_the_caseload_answer_404(client, staff, enquiry):
    client.force_login(staff["other_caseworker"])
    for url in ("", "consent/", "letter/"):
        assert client.get(f"/en/tracing/{enquiry.pk}/{url}").status_code == 404


def test_an_administrator_cannot_open_the_enquiry_form(verified_client, staff):
    client = verified_client(staff["admin"])
    assert client.get("/en/tracing/new/").status_code == 403


def test_the_caseload_exports_to_csv_and_xlsx_without_contact_and_is_audited(client, sara, found):
    import io

    from openpyxl import load_workbook

    client.force_login(sara)
    csv_text = client.get("/en/tracing/export.csv").content.decode("utf-8-sig")
    assert found.reference in csv_text and ENQUIRER_CONTACT not in csv_text
    book = load_workbook(io.BytesIO(client.get("/en/tracing/export.xlsx").content))
    rows = list(book.active.values)
    assert rows[0][0] == "reference" and rows[1][0] == found.reference
    assert Entry.objects.filter(action="export").count() == 2


def test_a_cell_that_looks_like_a_formula_is_exported_as_text(client, sara, registered):
    services.create_enquiry(
        user=sara,
        relationship="other",
        new_enquirer={"names": [{"given_name": "X"}]},
        sought={"given_name": '=HYPERLINK("http://evil.example")', "family_name": "Y"},
    )
    client.force_login(sara)
    csv_text = client.get("/en/tracing/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
