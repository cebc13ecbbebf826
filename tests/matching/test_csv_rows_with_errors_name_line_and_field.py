"""The `kinlink link` CSV contract: read requests and registry, write results."""

import csv
import io

import pytest

from kinlink.matching.csvio import (
    CsvFormatError,
    read_registry_csv,
    read_requests_csv,
    write_results_csv,
)
from kinlink.matching.search import Candidate, MatchResult

GOOD_AND_BAD = (
    "\ufeffid,given_name,family_name,father_name,mother_name,birth_date,birth_year,gender,birth_place,notes\n"
    "r1,Husain,Mousavi,Reza,,,1965,M,Ahwaz,extra column ignored\n"
    "r2,حسین,موسوی,رضا,,۱۳۴۴,,مرد,اهواز,\n"
    "r3,Ali,Karimi,,,1965-02-30,,,,\n"
    "r4,Zahra,Ahmadi,,,,,x,,\n"
    ",Nobody,Noname,,,,,,,\n"
    "r6,Maryam,Hosseini,,,19700304,1970,f,,\n"
    "r7,Maryam,Hosseini,,,1970,1975,,,\n"
    "r1,Again,Duplicate,,,,,,,\n"
    "\n"
    "r9,,,,,,,,,\n"
)


def test_valid_rows_are_kept_and_each_bad_row_is_reported_with_line_and_field():
    reqs, errors = read_requests_csv(io.StringIO(GOOD_AND_BAD))
    assert [r.id for r in reqs] == ["r1", "r2", "r6", "r9"]
    got = [(e.line, e.field) for e in errors]
    assert got == [
        (4, "birth_date"),
        (5, "gender"),
        (6, "id"),
        (8, "birth_year"),
        (9, "id"),
    ]
    assert "day 30" in errors[0].message
    assert "line 4, birth_date" in str(errors[0])
    assert "contradicts" in errors[3].message


def test_fields_are_parsed_into_the_request():
    reqs, _ = read_requests_csv(io.StringIO(GOOD_AND_BAD))
    r1, r2, r6, r9 = reqs
    assert (r1.given_name, r1.gender, r1.birth.year) == ("Husain", "M", 1965)
    assert (r2.gender, r2.birth.earliest_year, r2.birth.latest_year) == ("M", 1965, 1966)
    assert (r6.gender, r6.birth.as_date().isoformat()) == ("F", "1970-03-04")
    assert r9.given_name is None and r9.birth is None


def test_columns_may_be_absent_and_a_file_path_with_bom_works(tmp_path):
    p = tmp_path / "reg.csv"
    p.write_bytes("\ufeffid,family_name,aliases\np1,Karimi,Ali Karimi; Aliko\n".encode())
    recs, errors = read_registry_csv(p)
    assert errors == []
    assert recs[0].family_name == "Karimi" and recs[0].given_name is None
    assert recs[0].aliases == ["Ali Karimi", "Aliko"]


def test_a_spreadsheet_style_year_is_accepted():
    reqs, errors = read_requests_csv(io.StringIO("id,birth_year\nr1,1965.0\n"))
    assert errors == [] and reqs[0].birth.year == 1965


def test_a_file_without_an_id_column_is_refused():
    with pytest.raises(CsvFormatError, match="'id' column"):
        read_requests_csv(io.StringIO("name,birth\nAli,1965\n"))


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    p = tmp_path / "latin1.csv"
    p.write_bytes("id,given_name\n1,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(CsvFormatError, match="UTF-8"):
        read_requests_csv(p)


def test_results_are_written_with_rank_score_and_explanation(tmp_path):
    results = [
        MatchResult(
            "r1",
            [
                Candidate("p9", 1, 0.97, 0.98, 20.0, "family name: same; given name: same"),
                Candidate("p3", 2, 1e-9, 1e-8, -3.0, "family name: different"),
            ],
        ),
        MatchResult("r2", []),
    ]
    out = tmp_path / "out.csv"
    assert write_results_csv(out, results) == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["request_id", "person_id", "rank", "score", "explanation"]
    assert rows[0] == {
        "request_id": "r1",
        "person_id": "p9",
        "rank": "1",
        "score": "0.970000",
        "explanation": "family name: same; given name: same",
    }
    assert rows[1]["rank"] == "2" and float(rows[1]["score"]) == pytest.approx(1e-9)
    assert write_results_csv(io.StringIO(), results, top_k=1) == 1
