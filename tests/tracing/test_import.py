import io

import pytest
from openpyxl import Workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kinlink.people.models import Person
from kinlink.tracing import services
from kinlink.tracing.imports import ImportFileError
from kinlink.tracing.models import Enquiry

pytestmark = pytest.mark.django_db

HEADER = "id,given_name,family_name,father_name,birth_date,birth_year,gender,birth_place,aliases"
PERSONS_CSV = f"""{HEADER},contact
r1,مسعود,حسینی,علی,,1344,M,اهواز,Masoud Hosseini;Ray,+98 912 000 0000
r2,Fereshte,Karimi,,1970-02-30,,F,Tehran,,
r3,,,Reza,,1965,M,,,
r4,Yeganeh,Moradi,,,about 1972±2,female,Shiraz,,
r5,Parvin,Rahimi,,,1960,X,,,
r4,Yaganeh,Moradi,,,1972,F,,,
"""


def run(user, text=PERSONS_CSV, kind="persons", filename="people.csv"):
    return services.run_import(user=user, kind=kind, data=text.encode(), filename=filename)


def test_valid_rows_are_imported_and_each_bad_row_is_named_by_line_and_field(sara):
    report = run(sara)
    assert report.created == ["r1", "r4"]
    assert [(e.line, e.field) for e in report.errors] == [
        (3, "birth_date"),
        (4, "given_name"),
        (6, "gender"),
        (7, "id"),
    ]
    masoud = Person.objects.get(external_id="r1")
    assert masoud.birth_calendar == "solar_hijri" and masoud.caseworker == sara
    assert [n.kind for n in masoud.names.all()] == ["legal", "alias", "alias"]
    assert str(masoud.contact) == "•••"


def test_importing_the_same_file_again_creates_nothing_new(sara):
    run(sara)
    again = run(sara)
    assert again.created == [] and again.existing == ["r1", "r4"]
    assert Person.objects.count() == 2


def test_a_preview_creates_nothing(sara):
    report = services.preview_import(
        user=sara, kind="persons", data=PERSONS_CSV.encode(), filename="people.csv"
    )
    assert len(report.rows) == 2 and len(report.errors) == 4
    assert not Person.objects.exists()


def test_enquiries_are_imported_from_xlsx_and_matched(sara, registered):
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "id",
            "given_name",
            "family_name",
            "father_name",
            "birth_year",
            "enquirer_given_name",
            "relationship",
            "last_news_where",
        ]
    )
    sheet.append(["e1", "Massoud", "Hosseini", "Ali", 1965, "Fereshteh", "sibling", "Ashraf"])
    sheet.append(["e2", "Reza", "", "", 1965, "", "parent", ""])
    sheet.append(["e3", "Reza", "", "", 1965, "Parvin", "cousin", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    report = services.run_import(
        user=sara, kind="enquiries", data=buffer.getvalue(), filename="enquiries.xlsx"
    )
    assert report.created == ["e1"]
    assert [(e.line, e.field) for e in report.errors] == [
        (3, "enquirer_given_name"),
        (4, "relationship"),
    ]
    enquiry = Enquiry.objects.get(external_id="e1")
    assert enquiry.candidates.order_by("-score").first().person == registered


def test_a_file_that_is_not_a_table_is_refused_with_a_reason(sara):
    with pytest.raises(ImportFileError):
        run(sara, text="just text", filename="notes.txt")
    with pytest.raises(ImportFileError):
        run(sara, text="name,born\nA,1965\n")


def test_the_import_page_previews_then_imports(client, sara):
    client.force_login(sara)
    upload = io.BytesIO(PERSONS_CSV.encode())
    upload.name = "people.csv"
    page = client.post("/en/tracing/import/", {"kind": "persons", "file": upload})
    html = page.content.decode()
    assert 'data-valid="2"' in html and 'data-line="3" data-field="birth_date"' in html
    assert not Person.objects.exists()
    pending = html.split('name="pending" value="')[1].split('"')[0]
    done = client.post("/en/tracing/import/", {"pending": pending}).content.decode()
    assert 'data-created="2"' in done
    assert Person.objects.count() == 2


def test_the_import_endpoint_reports_rows_and_is_idempotent(sara):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=sara).key}")

    def send():
        upload = io.BytesIO(PERSONS_CSV.encode())
        upload.name = "people.csv"
        return client.post(
            "/api/enquiries/import/", {"kind": "persons", "file": upload}, format="multipart"
        )

    first = send().json()
    assert first["created"] == ["r1", "r4"] and first["errors"][0] == {
        "line": 3,
        "field": "birth_date",
        "message": first["errors"][0]["message"],
    }
    assert send().json()["created"] == []


def test_an_administrator_cannot_import(staff):
    with pytest.raises(Exception, match="caseworkers"):
        run(staff["admin"])
