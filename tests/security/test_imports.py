"""Hostile import files: malformed, oversized, mixed-encoding and formula-injection inputs to the
CSV/XLSX import (tracing.imports, its API and page) and to the `kinlink link` reader.
Each gets a clear error naming the line and field, or the file, and never a traceback;
valid rows are kept; formulas leave only as text."""

from __future__ import annotations

import csv
import io

import pytest
import secscan
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from kinlink.matching.csvio import CsvFormatError, read_records_csv
from kinlink.tracing import services
from kinlink.tracing.imports import MAX_CELL, ImportFileError, parse_file

HEADER = "id,given_name,family_name,birth_date,gender\n"
GOOD_1 = "g1,علی,رضایی,1344,M\n"
GOOD_2 = "g2,Maryam,Ahmadi,about 1965±3,F\n"
FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "=cmd|'/C calc'!A0",
]


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(rows)).encode()


def _quoted(*rows: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


# (name, file bytes, {line: field} of the expected row errors, ids of the rows kept)
HOSTILE_CSV = [
    (
        "malformed rows",
        _csv(GOOD_1, "b1,Ali,R,1965-13-45,M\n", ",NoId,R,1965,M\n", "b3,Ali,R,1965,Q\n", GOOD_2),
        {3: "birth_date", 4: "id", 5: "gender"},
        {"g1", "g2"},
    ),
    ("duplicate id", _csv(GOOD_1, "g1,Other,Name,1970,F\n", GOOD_2), {3: "id"}, {"g1", "g2"}),
    (
        "NUL and control characters",
        _csv(GOOD_1, "n1,Al\x00i,R,1965,M\n", "n2,Ali\x1b[31m,R,1965,M\n", GOOD_2),
        {3: "given_name", 4: "given_name"},
        {"g1", "g2"},
    ),
    (
        "a cell over the limit",
        _csv(GOOD_1, f"l1,{'ی' * (MAX_CELL + 1)},R,1965,M\n", GOOD_2),
        {3: "given_name"},
        {"g1", "g2"},
    ),
    ("no name", _csv(GOOD_1, "e1,,,1965,M\n", GOOD_2), {3: "given_name"}, {"g1", "g2"}),
    ("UTF-8 with BOM", "\ufeff".encode() + _csv(GOOD_1, GOOD_2), {}, {"g1", "g2"}),
    (
        "100,000 columns",
        (
            ",".join(["id", "given_name", *(f"c{i}" for i in range(100_000))]) + "\ng1,Ali\n"
        ).encode(),
        {},
        {"g1"},
    ),
    (
        "short and long rows",
        _csv(GOOD_1, "s1,Ali\n", "s2,Ali,R,1965,M,extra,extra,extra\n", GOOD_2),
        {},
        {"g1", "s1", "s2", "g2"},
    ),
    (
        "formulas stay text",
        _csv(_quoted(*([f"f{i}", value, "R", "1965", "M"] for i, value in enumerate(FORMULAS)))),
        {},
        {f"f{i}" for i in range(len(FORMULAS))},
    ),
]

UNREADABLE = [
    ("latin-1 bytes inside UTF-8", _csv(GOOD_1) + b"x1,Jos\xe9,R,1965,M\n" + GOOD_2.encode()),
    ("UTF-16 with BOM", _csv(GOOD_1, GOOD_2).decode().encode("utf-16")),
    ("no header", b""),
    ("no id column", b"name,family\nAli,R\n"),
    ("binary noise", bytes(range(256)) * 64),
]


@pytest.mark.parametrize(
    ("name", "data", "errors", "kept"), HOSTILE_CSV, ids=[c[0] for c in HOSTILE_CSV]
)
def test_a_hostile_csv_names_each_bad_row_and_keeps_the_good_ones(name, data, errors, kept):
    report = parse_file("persons", data, "people.csv")
    assert {e.line: e.field for e in report.errors} == errors, [str(e) for e in report.errors]
    assert {row.external_id for row in report.rows} == kept
    for error in report.errors:
        assert str(error).startswith(f"line {error.line}, {error.field}: ")


@pytest.mark.parametrize(("name", "data"), UNREADABLE, ids=[c[0] for c in UNREADABLE])
def test_an_unreadable_csv_is_refused_as_a_whole_with_a_clear_message(name, data):
    with pytest.raises(ImportFileError) as refused:
        parse_file("persons", data, "people.csv")
    assert len(str(refused.value)) > 10 and "Traceback" not in str(refused.value)


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_hostile_xlsx_names_each_bad_row_and_keeps_the_good_ones():
    wide = ["id", "given_name", *(f"c{i}" for i in range(16_000))]  # Excel's column limit
    data = _xlsx(
        [
            ["id", "given_name", "family_name", "birth_date", "gender"],
            ["g1", "علی", "رضایی", 1344, "M"],
            ["b1", "Ali", "R", "1965-13-45", "M"],
            ["b2", "Ali", "R", 1965, "Q"],
            ["f1", "=1+1", "R", 1965.0, "F"],  # openpyxl stores a formula; data_only reads None
            ["g2", "Maryam", "Ahmadi", "about 1965±3", "F"],
        ]
    )
    report = parse_file("persons", data, "people.xlsx")
    assert {e.line: e.field for e in report.errors} == {3: "birth_date", 4: "gender"}
    assert {row.external_id for row in report.rows} >= {"g1", "g2"}
    wide_report = parse_file("persons", _xlsx([wide, ["w1", "Ali"]]), "wide.xlsx")
    assert [row.external_id for row in wide_report.rows] == ["w1"]


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 not really a zip", _xlsx([["id"], ["1"]])[:300], b"\x00" * 1000, b""],
    ids=["fake zip", "truncated", "zeros", "empty"],
)
def test_a_damaged_xlsx_is_refused_with_a_clear_message(data):
    with pytest.raises(ImportFileError, match="XLSX"):
        parse_file("persons", data, "people.xlsx")


@pytest.mark.parametrize(
    ("name", "data"),
    [(c[0], c[1]) for c in HOSTILE_CSV[:4]] + UNREADABLE[:2],
    ids=[c[0] for c in HOSTILE_CSV[:4]] + [c[0] for c in UNREADABLE[:2]],
)
def test_the_import_api_and_page_answer_hostile_files_without_a_server_error(world, name, data):
    client = secscan.logged_in_client(world.users["caseworker"])
    token = {"HTTP_AUTHORIZATION": f"Token {world.tokens['caseworker']}"}
    api = client.post(
        "/api/enquiries/import/",
        {"kind": "persons", "preview": "true", "file": SimpleUploadedFile("p.csv", data)},
        **token,
    )
    assert api.status_code in (200, 400), api.content[:500]
    if api.status_code == 400:
        assert "file" in api.json()
    else:
        assert all(e["line"] >= 2 and e["field"] for e in api.json()["errors"])
    page = client.post(
        "/en/tracing/import/",
        {"kind": "persons", "file": SimpleUploadedFile("p.csv", data), "preview": "1"},
    )
    assert page.status_code in (200, 302, 400), page.status_code
    assert b"Traceback" not in page.content


def test_formulas_imported_as_names_leave_the_caseload_export_as_text(world):
    rows = _quoted(
        *(
            [f"q{i}", value, "Rezaei", "1965", "M", value, "parent", "", value]
            for i, value in enumerate(FORMULAS)
        )
    )
    data = (
        "id,given_name,family_name,birth_date,gender,enquirer_given_name,relationship,"
        "relationship_detail,last_news_where\n" + rows
    ).encode()
    report = services.run_import(
        user=world.users["caseworker"], kind="enquiries", data=data, filename="e.csv"
    )
    assert len(report.created) == len(FORMULAS), [str(e) for e in report.errors]
    exported = services.export_caseload(user=world.users["caseworker"], fmt="csv").decode(
        "utf-8-sig"
    )
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], cells
    book = load_workbook(
        io.BytesIO(services.export_caseload(user=world.users["caseworker"], fmt="xlsx"))
    )
    values = [cell for row in book.active.iter_rows() for cell in row]
    assert not [c.value for c in values if c.data_type == "f"]
    # Formula-like text is a text cell with Excel's quote prefix (or carries a leading ').
    risky = [c for c in values if str(c.value or "").startswith(("=", "+", "-", "@"))]
    assert not [c.value for c in risky if not (c.data_type == "s" and c.quotePrefix)]


def test_the_link_reader_names_bad_rows_and_refuses_unreadable_files(tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(
        _csv(
            GOOD_1, "n1,Al\x00i,R,1965,M\n", "b1,Ali,R,1965-13-45,M\n", "g1,Dup,R,1965,M\n", GOOD_2
        )
    )
    records, errors = read_records_csv(good)
    assert [r.id for r in records] == ["g1", "g2"]
    assert [(e.line, e.field) for e in errors] == [(3, "given_name"), (4, "birth_date"), (5, "id")]
    for _name, data in UNREADABLE[:2]:
        bad = tmp_path / "bad.csv"
        bad.write_bytes(data)
        with pytest.raises(CsvFormatError, match="UTF-8"):
            read_records_csv(bad)
