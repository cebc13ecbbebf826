"""Bugs the hostile-input suite found in the two CSV readers (the import in tracing.imports and
the `kinlink link` reader in matching.csvio), and formula neutralising in `kinlink link` output."""

from __future__ import annotations

import csv
import io

import pytest

from kinlink.matching.csvio import (
    CsvFormatError,
    read_records_csv,
    spreadsheet_safe,
    write_results_csv,
)
from kinlink.matching.search import Candidate, MatchResult
from kinlink.tracing.imports import ImportFileError, parse_file

HEADER = "id,given_name,family_name,birth_date,gender\n"
UNCLOSED = HEADER + 'u1,Ali,"Rezaei,1965,M\nu2,Reza,Ahmadi,1970,M\nu3,Sara,Karimi,1981,F\n'
UNCLOSED_THEN_QUOTED = (
    HEADER + 'u1,"Ali,Rezaei,1965,M\nu2,Reza,Ahmadi,1970,M\nu3,"Sara",Karimi,1981,F\n'
)
HUGE = HEADER + "h1,Ali,Rezaei,1965,M\n" + "h2," + "ی" * 131_073 + ",R,1965,M\nh3,Sara,K,1981,F\n"


@pytest.mark.parametrize(
    ("text", "line", "field", "kept"),
    [
        (UNCLOSED, 2, "family_name", {"u2", "u3"}),
        (UNCLOSED_THEN_QUOTED, 2, "given_name", {"u2", "u3"}),
        (HUGE, 3, "given_name", {"h1", "h3"}),
    ],
    ids=["quote never closed", "quote closed by a later cell", "cell over csv's field limit"],
)
def test_both_readers_name_the_broken_line_and_field_and_keep_the_later_rows(
    text, line, field, kept, tmp_path
):
    report = parse_file("persons", text.encode(), "people.csv")
    assert [(e.line, e.field) for e in report.errors] == [(line, field)], report.errors
    assert {row.external_id for row in report.rows} == kept
    source = tmp_path / "requests.csv"
    source.write_text(text, encoding="utf-8")
    records, errors = read_records_csv(source)
    assert [(e.line, e.field) for e in errors] == [(line, field)], errors
    assert {r.id for r in records} == kept


def test_a_quoted_cell_over_several_lines_is_still_one_cell_on_the_line_it_starts():
    text = HEADER + 'm1,"Ali\nAkbar",Rezaei,1965,M\nm2,Reza,Ahmadi,1970,M\n'
    report = parse_file("persons", text.encode(), "people.csv")
    assert report.errors == []
    assert [(row.line, row.external_id) for row in report.rows] == [(2, "m1"), (4, "m2")]
    assert report.rows[0].values["names"][0]["given_name"] == "Ali\nAkbar"


def test_a_header_with_a_quote_never_closed_refuses_the_file(tmp_path):
    text = 'id,"given_name,family_name\n1,Ali,Rezaei\n'
    with pytest.raises(ImportFileError, match="header"):
        parse_file("persons", text.encode(), "people.csv")
    with pytest.raises(CsvFormatError, match="header"):
        read_records_csv(io.StringIO(text))


def test_many_unclosed_quotes_stop_reading_with_a_message_instead_of_running_on():
    text = HEADER + "".join(f'x{i},"Ali,R,1965,M\n' for i in range(200))
    report = parse_file("persons", text.encode(), "people.csv")
    assert report.rows == []
    assert report.errors[-1].message.startswith("too many unclosed quotes")
    assert len(report.errors) <= 25


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("P-17", "P-17"),
        ("علی", "علی"),
        (None, ""),
    ],
)
def test_spreadsheet_safe_prefixes_formula_starts_only(value, safe):
    assert spreadsheet_safe(value) == safe


def test_link_results_leave_formula_ids_and_explanations_as_text():
    result = MatchResult(
        request_id="=cmd|'/C calc'!A0",
        candidates=[
            Candidate(
                person_id="@P1",
                rank=1,
                score=0.5,
                pair_probability=0.5,
                match_weight=1.0,
                explanation="-given name agrees",
            )
        ],
    )
    out = io.StringIO()
    assert write_results_csv(out, [result]) == 1
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[1] == ["'=cmd|'/C calc'!A0", "'@P1", "1", "0.500000", "'-given name agrees"]
