"""Reading persons and enquiries from CSV or XLSX: every row checked, every problem named by
line and field, valid rows kept. Writing them is tracing.services.run_import's job.

Persons: the columns of `kinlink link` (id, given_name, family_name, father_name,
mother_name, birth_date, birth_year, gender, birth_place, aliases) plus name_language,
nationality, languages, status, last_known_location, contact.
Enquiries: the same columns for the person sought (aliases become other names) plus
enquirer_given_name, enquirer_family_name, relationship, relationship_detail,
last_news_when, last_news_where, last_news_circumstances, enquirer_contact.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from kinlink.matching.csvio import CsvFormatError, read_csv_table
from kinlink.matching.records import parse_gender
from kinlink.people.models import LifeStatus
from kinlink.people.services import birth_fields

from .models import EnquirerRelationship

LINK_COLUMNS = (
    "id",
    "given_name",
    "family_name",
    "father_name",
    "mother_name",
    "birth_date",
    "birth_year",
    "gender",
    "birth_place",
    "aliases",
)
PERSON_COLUMNS = (
    *LINK_COLUMNS,
    "name_language",
    "nationality",
    "languages",
    "status",
    "last_known_location",
    "contact",
)
ENQUIRY_COLUMNS = (
    *LINK_COLUMNS,
    "enquirer_given_name",
    "enquirer_family_name",
    "relationship",
    "relationship_detail",
    "last_news_when",
    "last_news_where",
    "last_news_circumstances",
    "enquirer_contact",
)
COLUMNS = {"persons": PERSON_COLUMNS, "enquiries": ENQUIRY_COLUMNS}
MAX_CELL = 1000
_ALIAS_SPLIT = re.compile(r"\s*[;|]\s*")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


@dataclass
class ParsedRow:
    line: int
    external_id: str
    values: dict[str, Any]


@dataclass
class ImportReport:
    kind: str
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)


Table = list[tuple[int, dict[str, str]]]


def read_table(data: bytes, filename: str) -> tuple[Table, list[RowError]]:
    """(line number, {column: text}) for every non-empty row of a CSV or XLSX file, and the
    rows that cannot be read at all (a quote never closed), by line and field."""
    if filename.lower().endswith(".xlsx"):
        return _read_xlsx(data), []
    if filename.lower().endswith(".csv"):
        return _read_csv(data)
    raise ImportFileError("the file must be a .csv or an .xlsx file")


def _rows_to_dicts(header_row: list[Any], rows: list[tuple[int, list[Any]]]) -> Table:
    header = [str(cell or "").strip().lower() for cell in header_row]
    if "id" not in header:
        raise ImportFileError("the first row must name the columns, with an 'id' column")
    table = []
    for number, row in rows:
        cells = {
            name: "" if value is None else str(value).strip()
            for name, value in zip(header, row, strict=False)
            if name
        }
        if any(cells.values()):
            table.append((number, cells))
    return table


def _read_csv(data: bytes) -> tuple[Table, list[RowError]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError("the CSV file is not UTF-8 text") from exc
    if not text:
        raise ImportFileError("the file is empty")
    try:
        header, rows, errors = read_csv_table(text)
    except CsvFormatError as exc:
        raise ImportFileError(str(exc)) from exc
    unreadable = [RowError(e.line, e.field, e.message) for e in errors]
    return _rows_to_dicts(header, rows), unreadable


def _read_xlsx(data: bytes) -> Table:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged file
        raise ImportFileError("the XLSX file cannot be opened") from exc
    sheet = book.worksheets[0]
    rows = [[_xlsx_cell(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    if not rows:
        raise ImportFileError("the file is empty")
    return _rows_to_dicts(rows[0], list(enumerate(rows[1:], start=2)))


def _xlsx_cell(value: Any) -> Any:
    # A year typed into a spreadsheet arrives as 1965.0 or as a date.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "date") and hasattr(value, "year"):
        return value.date().isoformat() if hasattr(value, "hour") else value.isoformat()
    return value


# -- checking rows ---------------------------------------------------------------------------


def _check_cells(line: int, cells: dict[str, str]) -> RowError | None:
    for name, value in cells.items():
        if len(value) > MAX_CELL:
            return RowError(line, name, f"longer than {MAX_CELL} characters")
        if any(ord(c) < 32 and c not in "\n\t" for c in value):
            return RowError(line, name, "contains control characters")
    return None


def _birth(line: int, cells: dict[str, str]) -> tuple[str, RowError | None]:
    """The birth date as typed, from birth_date or else birth_year."""
    column = "birth_date" if cells.get("birth_date") else "birth_year"
    text = cells.get(column, "")
    try:
        birth_fields(text)
    except ValidationError as exc:
        return "", RowError(line, column, " ".join(exc.message_dict["birth"]))
    return text, None


def _gender(line: int, cells: dict[str, str]) -> tuple[str, RowError | None]:
    try:
        return parse_gender(cells.get("gender")) or "", None
    except ValueError as exc:
        return "", RowError(line, "gender", str(exc))


def _common(line: int, cells: dict[str, str]) -> tuple[dict[str, Any], RowError | None]:
    """Checks shared by persons and enquiries: id, a name, birth, gender."""
    error = _check_cells(line, cells)
    if error:
        return {}, error
    if not cells.get("id"):
        return {}, RowError(line, "id", "empty: every row needs an id")
    if not (cells.get("given_name") or cells.get("family_name")):
        return {}, RowError(line, "given_name", "a given name or a family name is needed")
    birth, error = _birth(line, cells)
    if error:
        return {}, error
    gender, error = _gender(line, cells)
    if error:
        return {}, error
    aliases = [a for a in _ALIAS_SPLIT.split(cells.get("aliases", "")) if a]
    return {"birth": birth, "gender": gender, "aliases": aliases}, None


def parse_person(line: int, cells: dict[str, str]) -> tuple[ParsedRow | None, RowError | None]:
    common, error = _common(line, cells)
    if error:
        return None, error
    status = cells.get("status", "").lower() or LifeStatus.UNKNOWN
    if status not in LifeStatus.values:
        return None, RowError(line, "status", f"{status!r} is not alive, deceased or unknown")
    language = cells.get("name_language", "")
    names = [
        {
            "given_name": cells.get("given_name", ""),
            "family_name": cells.get("family_name", ""),
            "father_name": cells.get("father_name", ""),
            "mother_name": cells.get("mother_name", ""),
            "language": language,
        }
    ] + [{"kind": "alias", "given_name": alias} for alias in common["aliases"]]
    values = {
        "names": names,
        "birth": common["birth"],
        "gender": common["gender"],
        "birth_place": cells.get("birth_place", ""),
        "nationality": cells.get("nationality", ""),
        "languages": cells.get("languages", ""),
        "status": status,
        "last_known_location": cells.get("last_known_location", ""),
        "contact": cells.get("contact", ""),
    }
    return ParsedRow(line, cells["id"], values), None


def parse_enquiry(line: int, cells: dict[str, str]) -> tuple[ParsedRow | None, RowError | None]:
    common, error = _common(line, cells)
    if error:
        return None, error
    if not (cells.get("enquirer_given_name") or cells.get("enquirer_family_name")):
        return None, RowError(line, "enquirer_given_name", "say who is asking")
    relationship = cells.get("relationship", "").lower() or EnquirerRelationship.OTHER
    if relationship not in EnquirerRelationship.values:
        allowed = ", ".join(EnquirerRelationship.values)
        return None, RowError(line, "relationship", f"{relationship!r} is not one of {allowed}")
    values = {
        "relationship": relationship,
        "relationship_detail": cells.get("relationship_detail", ""),
        "new_enquirer": {
            "names": [
                {
                    "given_name": cells.get("enquirer_given_name", ""),
                    "family_name": cells.get("enquirer_family_name", ""),
                }
            ]
        },
        "sought": {
            "given_name": cells.get("given_name", ""),
            "family_name": cells.get("family_name", ""),
            "father_name": cells.get("father_name", ""),
            "mother_name": cells.get("mother_name", ""),
            "other_names": "\n".join(common["aliases"]),
            "gender": common["gender"],
            "birth": common["birth"],
            "birth_place": cells.get("birth_place", ""),
        },
        "last_news_when": cells.get("last_news_when", ""),
        "last_news_where": cells.get("last_news_where", ""),
        "last_news_circumstances": cells.get("last_news_circumstances", ""),
        "enquirer_contact": cells.get("enquirer_contact", ""),
    }
    return ParsedRow(line, cells["id"], values), None


PARSERS = {"persons": parse_person, "enquiries": parse_enquiry}


def parse_file(kind: str, data: bytes, filename: str) -> ImportReport:
    """Check every row; the report holds the valid rows and the errors of the others."""
    if kind not in PARSERS:
        raise ImportFileError(f"unknown import {kind!r}; use persons or enquiries")
    report = ImportReport(kind=kind)
    seen: dict[str, int] = {}
    table, report.errors = read_table(data, filename)
    for line, cells in table:
        row, error = PARSERS[kind](line, cells)
        if row is not None and row.external_id in seen:
            row, error = (
                None,
                RowError(line, "id", f"{cells['id']!r} already used on line {seen[cells['id']]}"),
            )
        if error:
            report.errors.append(error)
        else:
            seen[row.external_id] = line
            report.rows.append(row)
    report.errors.sort(key=lambda error: error.line)
    return report
