"""Issue 10, safe exports: the caseload export is minimised to its purpose and the columns
chosen; whereabouts only for tracing, only through disclosure_for (consent checked); large
exports need a passphrase and come as an AES-256 ZIP that opens with it and not without;
every export is audited with who, what, why and for whom (page, API and CLI)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from rest_framework.test import APIClient

from kinlink.audit.models import Entry
from kinlink.tracing import services
from kinlink.tracing.exports import open_encrypted
from kinlink.tracing.forms import CaseloadExportForm

from .conftest import CONTACT, LOCATION, confirm, consent

pytestmark = pytest.mark.django_db

PASSPHRASE = "seven horses by the river"


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _last_export() -> Entry:
    return Entry.objects.filter(action="export").order_by("seq").last()


@pytest.fixture
def found(enquiry, sara, registered):
    services.start_search(user=sara, enquiry=enquiry)
    confirm(enquiry, sara, registered)
    return enquiry


def test_every_purpose_holds_only_its_own_columns(found, sara):
    for purpose, allowed in services.EXPORT_PURPOSES.items():
        header = _rows(services.export_caseload(user=sara, fmt="csv", purpose=purpose))[0]
        assert header == list(allowed), purpose


def test_a_statistics_export_holds_no_reference_and_no_name(found, sara):
    rows = _rows(services.export_caseload(user=sara, fmt="csv", purpose="statistics"))
    text = repr(rows)
    assert rows[0] == ["status", "outcome", "relationship", "created_at", "closed_at"]
    assert found.reference not in text and "Massoud" not in text and "Hosseini" not in text


def test_a_column_the_purpose_does_not_need_is_refused(found, sara):
    with pytest.raises(ValidationError) as refused:
        services.export_caseload(
            user=sara, fmt="csv", purpose="statistics", columns=["status", "sought_given_name"]
        )
    assert "sought_given_name" in str(refused.value)
    with pytest.raises(ValidationError):
        services.export_caseload(user=sara, fmt="csv", purpose="gossip")


def test_the_chosen_columns_are_exactly_what_the_file_holds(found, sara):
    columns = ["reference", "sought_given_name", "caseworker"]
    rows = _rows(services.export_caseload(user=sara, fmt="csv", columns=columns))
    assert rows[0] == columns
    assert rows[1] == [found.reference, "Massoud", "sara"]
    entry = _last_export()
    assert entry.detail["columns"] == columns and entry.detail["rows"] == 1


def test_whereabouts_are_exported_for_tracing_only_when_consent_shares_them(found, sara):
    columns = ["reference", "family_may_learn", "sought_whereabouts"]
    consent(found, sara, "messages")
    row = _rows(services.export_caseload(user=sara, fmt="csv", purpose="tracing", columns=columns))[
        1
    ]
    assert row == [found.reference, "messages", ""]
    consent(found, sara, "whereabouts")
    disclosed = Entry.objects.filter(action="disclose").count()
    row = _rows(services.export_caseload(user=sara, fmt="csv", purpose="tracing", columns=columns))[
        1
    ]
    assert row[1] == "whereabouts" and LOCATION in row[2] and CONTACT in row[2]
    # Read through disclosure_for, which audits each disclosure with its channel.
    entry = Entry.objects.filter(action="disclose").order_by("seq").last()
    assert Entry.objects.filter(action="disclose").count() == disclosed + 1
    assert entry.detail["channel"] == "export" and "location" in entry.detail["fields"]


def test_whereabouts_are_never_in_an_export_for_another_purpose(found, sara):
    consent(found, sara, "whereabouts")
    for purpose in ("caseload review", "statistics", "transfer"):
        data = services.export_caseload(user=sara, fmt="csv", purpose=purpose)
        text = data.decode("utf-8-sig")
        assert LOCATION not in text and CONTACT not in text, purpose
        with pytest.raises(ValidationError):
            services.export_caseload(
                user=sara, fmt="csv", purpose=purpose, columns=["sought_whereabouts"]
            )


def test_a_data_protection_officers_export_holds_no_whereabouts(found, sara, staff):
    consent(found, sara, "whereabouts")
    export = services.export_caseload_file(user=staff["dpo"], fmt="csv", purpose="tracing")
    assert "sought_whereabouts" not in export.columns
    assert LOCATION not in export.content.decode("utf-8-sig")


def test_an_encrypted_export_opens_with_its_passphrase_only(found, sara):
    export = services.export_caseload_file(
        user=sara, fmt="xlsx", purpose="tracing", passphrase=PASSPHRASE
    )
    assert export.encrypted and export.filename == "enquiries-xlsx.zip"
    assert export.content_type == "application/zip"
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        info = archive.infolist()[0]
        assert info.compress_type == 99  # WinZip AES, which 7-Zip opens
        assert info.flag_bits & 0x1  # encrypted
    opened = open_encrypted(export.content, PASSPHRASE)["enquiries.xlsx"]
    sheet = load_workbook(io.BytesIO(opened)).active
    assert found.reference in [cell.value for row in sheet.iter_rows() for cell in row]
    with pytest.raises(RuntimeError):
        open_encrypted(export.content, "seven horses by the sea")
    # Nothing of the spreadsheet is readable in the bytes.
    plain = services.export_caseload(user=sara, fmt="csv", purpose="tracing")
    sealed = services.export_caseload(
        user=sara, fmt="csv", purpose="tracing", passphrase=PASSPHRASE
    )
    for text in (found.reference, "Massoud", "Hosseini", "Camp Ashraf", "sought_given_name"):
        assert text.encode() in plain and text.encode() not in sealed, text
    assert _last_export().detail["encrypted"] is True


def test_a_short_passphrase_is_refused(found, sara):
    with pytest.raises(ValidationError):
        services.export_caseload(user=sara, fmt="csv", passphrase="short")


def test_a_large_export_requires_a_passphrase(found, sara, settings):
    settings.EXPORT_PASSPHRASE_ABOVE = 0
    before = Entry.objects.filter(action="export").count()
    with pytest.raises(ValidationError) as refused:
        services.export_caseload(user=sara, fmt="xlsx")
    assert "passphrase" in refused.value.message_dict
    assert Entry.objects.filter(action="export").count() == before  # nothing left
    data = services.export_caseload(user=sara, fmt="xlsx", passphrase=PASSPHRASE)
    assert "enquiries.xlsx" in open_encrypted(data, PASSPHRASE)


def test_the_export_page_offers_purpose_columns_and_passphrase(client, found, sara):
    client.force_login(sara)
    page = client.get("/en/tracing/export/").content.decode()
    for field in ('name="purpose"', 'name="columns"', 'name="passphrase"', 'name="recipient"'):
        assert field in page
    response = client.post(
        "/en/tracing/export/",
        {
            "format": "csv",
            "purpose": "transfer",
            "columns": ["reference", "sought_family_name"],
            "recipient": "Partner society",
            "passphrase": PASSPHRASE,
        },
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="enquiries-csv.zip"'
    opened = open_encrypted(response.content, PASSPHRASE)["enquiries.csv"]
    assert _rows(opened) == [["reference", "sought_family_name"], [found.reference, "Hosseini"]]
    entry = _last_export()
    assert entry.actor_username == "sara"
    assert (
        entry.detail.items()
        >= {
            "by": "sara",
            "format": "csv",
            "rows": 1,
            "columns": ["reference", "sought_family_name"],
            "purpose": "transfer",
            "for": "Partner society",
            "encrypted": True,
        }.items()
    )


def test_the_export_page_explains_a_refused_column(client, found, sara):
    client.force_login(sara)
    response = client.post(
        "/en/tracing/export/",
        {"format": "csv", "purpose": "statistics", "columns": ["reference"]},
    )
    assert response.status_code == 400
    assert "Not needed for this purpose" in response.content.decode()


def test_the_form_offers_every_column_the_service_knows():
    assert [c for c, _label in CaseloadExportForm.COLUMNS] == list(services.EXPORT_COLUMNS)
    assert [p for p, _label in CaseloadExportForm.PURPOSES] == list(services.EXPORT_PURPOSES)


def test_the_api_exports_chosen_columns_and_encrypts_on_post(found, sara):
    api = APIClient()
    api.force_authenticate(sara)
    got = api.get("/api/enquiries/export/?purpose=transfer&columns=reference,sought_birth")
    assert got.status_code == 200
    assert _rows(got.content)[0] == ["reference", "sought_birth"]
    refused = api.get("/api/enquiries/export/?purpose=statistics&columns=reference")
    assert refused.status_code == 400
    posted = api.post(
        "/api/enquiries/export/",
        {
            "format": "csv",
            "purpose": "tracing",
            "columns": ["reference"],
            "recipient": "supervision",
            "passphrase": PASSPHRASE,
        },
        format="json",
    )
    assert posted.status_code == 200 and posted["Content-Type"] == "application/zip"
    assert _rows(open_encrypted(posted.content, PASSPHRASE)["enquiries.csv"])[1] == [
        found.reference
    ]
    assert _last_export().detail["for"] == "supervision"


def test_the_cli_exports_encrypted_with_a_passphrase_file(found, sara, tmp_path, capsys):
    from kinlink.cli import main

    secret = tmp_path / "passphrase"
    secret.write_text(PASSPHRASE + "\n")
    out = tmp_path / "caseload.xlsx.zip"
    code = main(
        [
            "export",
            str(out),
            "--as",
            "sara",
            "--purpose",
            "transfer",
            "--columns",
            "reference,sought_family_name",
            "--for",
            "Partner society",
            "--passphrase-file",
            str(secret),
        ]
    )
    assert code == 0, capsys.readouterr().err
    opened = open_encrypted(out.read_bytes(), PASSPHRASE)["enquiries.xlsx"]
    cells = [[c.value for c in row] for row in load_workbook(io.BytesIO(opened)).active.iter_rows()]
    assert cells == [["reference", "sought_family_name"], [found.reference, "Hosseini"]]
    entry = _last_export()
    assert entry.detail["purpose"] == "transfer" and entry.detail["for"] == "Partner society"
    assert entry.detail["encrypted"] is True
    assert (
        main(
            [
                "export",
                str(tmp_path / "x.csv"),
                "--as",
                "sara",
                "--purpose",
                "statistics",
                "--columns",
                "reference",
            ]
        )
        == 2
    )
