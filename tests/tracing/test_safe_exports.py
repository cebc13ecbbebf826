"""Issue 10, safe exports: no cell of a CSV or XLSX written by tracing runs as a formula when
a caseworker opens it, and every export is audited with who, what, why and for whom."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from kinlink.audit.models import Entry
from kinlink.tracing import services
from kinlink.tracing.exports import FORMULA_STARTS, safe_cell, write_rows
from kinlink.tracing.imports import ImportReport, RowError

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'


def xlsx_cells(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[cell for cell in row if cell.value is not None] for row in sheet.iter_rows()]


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_safe_cell_neutralises_every_formula_start(start):
    assert safe_cell(start + "1+1") == "'" + start + "1+1"


@pytest.mark.parametrize("value", ["Massoud", "مسعود", "", None, 1965, "a=b", "'quoted"])
def test_safe_cell_leaves_ordinary_text_alone(value):
    assert safe_cell(value) == ("" if value is None else str(value))


def test_every_formula_start_is_a_text_cell_in_xlsx():
    values = [start + "SUM(1,2)" for start in FORMULA_STARTS] + [HYPERLINK]
    rows = xlsx_cells(write_rows(["a"], [[value] for value in values], "xlsx"))
    cells = [row[0] for row in rows[1:]]
    # XML stores a carriage return as a line feed; the text is otherwise kept as it was.
    assert [cell.value for cell in cells] == [value.replace("\r", "\n") for value in values]
    assert all(cell.data_type == "s" and isinstance(cell.value, str) for cell in cells)


@pytest.fixture
def hyperlinked(sara, registered):
    return services.create_enquiry(
        user=sara,
        relationship="other",
        new_enquirer={"names": [{"given_name": "X"}]},
        sought={"given_name": HYPERLINK, "family_name": "@SUM(A1)"},
    )


def test_a_hyperlink_in_a_name_is_neutralised_in_the_csv_caseload(client, sara, hyperlinked):
    client.force_login(sara)
    text = client.get("/en/tracing/export.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    row = next(r for r in rows if r[0] == hyperlinked.reference)
    given = rows[0].index("sought_given_name")
    assert row[given] == "'" + HYPERLINK
    assert row[given + 1] == "'@SUM(A1)"
    assert not any(cell.startswith(FORMULA_STARTS) for r in rows for cell in r)


def test_a_hyperlink_in_a_name_is_a_text_cell_in_the_xlsx_caseload(client, sara, hyperlinked):
    client.force_login(sara)
    sheet = load_workbook(io.BytesIO(client.get("/en/tracing/export.xlsx").content)).active
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == hyperlinked.reference)
    cell = row[header.index("sought_given_name")]
    assert cell.data_type == "s" and cell.value == HYPERLINK
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)


def test_the_import_error_report_is_neutralised_in_csv_and_xlsx(sara):
    report = ImportReport(kind="persons")
    report.errors.append(RowError(3, "given_name", HYPERLINK))
    text = services.import_error_report(user=sara, report=report, fmt="csv").decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == ["3", "given_name", "'" + HYPERLINK]
    data = services.import_error_report(user=sara, report=report, fmt="xlsx")
    cell = xlsx_cells(data)[1][2]
    assert cell.data_type == "s" and cell.value == HYPERLINK


def test_the_import_page_offers_the_error_report(client, sara):
    client.force_login(sara)
    upload = SimpleUploadedFile("p.csv", b"id,given_name,birth_year\nr1,=cmd(),1965\nr2,A,13x\n")
    html = client.post("/en/tracing/import/", {"kind": "persons", "file": upload}).content
    pending = html.decode().split('name="pending" value="')[1].split('"')[0]
    assert f"/en/tracing/import/{pending}/errors.csv" in html.decode()
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/en/tracing/import/{pending}/errors.{fmt}")
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    entry = (
        Entry.objects.filter(action="export", object_type="tracing.import.errors")
        .order_by("seq")
        .last()
    )
    assert entry.detail["by"] == "sara" and entry.detail["format"] == "xlsx"


def test_another_users_pending_import_has_no_error_report(client, sara, staff):
    client.force_login(sara)
    upload = SimpleUploadedFile("p.csv", b"id,given_name,birth_year\nr2,A,13x\n")
    html = client.post("/en/tracing/import/", {"kind": "persons", "file": upload}).content
    pending = html.decode().split('name="pending" value="')[1].split('"')[0]
    client.force_login(staff["supervisor"])
    assert client.get(f"/en/tracing/import/{pending}/errors.csv").status_code == 404


def test_every_export_is_audited_with_who_what_why_and_for_whom(client, sara, hyperlinked):
    client.force_login(sara)
    client.get("/en/tracing/export.csv?purpose=caseload+review&for=nadia")
    entry = Entry.objects.filter(action="export").order_by("seq").last()
    assert entry.actor_username == "sara"
    assert entry.detail["by"] == "sara"
    assert entry.detail["what"] == "tracing.enquiry"
    assert entry.detail["purpose"] == "caseload review"
    assert entry.detail["for"] == "nadia"
    assert hyperlinked.reference in entry.detail["references"]
    assert "sought_given_name" in entry.detail["columns"]


def test_an_export_without_a_stated_purpose_records_the_default_and_the_caller(sara):
    services.export_caseload(user=sara, fmt="xlsx")
    entry = Entry.objects.filter(action="export").order_by("seq").last()
    assert entry.detail["purpose"] == services.DEFAULT_EXPORT_PURPOSE
    assert entry.detail["for"] == "sara" and entry.detail["format"] == "xlsx"


def test_the_api_export_records_purpose_and_recipient(sara):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(sara)
    response = api.get("/api/enquiries/export/?as=xlsx&purpose=statistics&for=dpo")
    assert response.status_code == 200
    entry = Entry.objects.filter(action="export").order_by("seq").last()
    assert entry.detail["purpose"] == "statistics" and entry.detail["for"] == "dpo"
