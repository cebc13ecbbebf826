"""The CSV contract of ``kinlink link``.

Input (requests, and the ``--registry`` file, same columns; ``id`` is the person id
there)::

    id, given_name, family_name, father_name, mother_name, birth_date, birth_year,
    gender, birth_place [, aliases]

UTF-8 (a byte-order mark is fine), header row, extra columns ignored, every column but
``id`` may be empty or absent.  ``birth_date`` is YYYY, YYYY-MM, YYYY-MM-DD or YYYYMMDD
(Solar Hijri when the year is below 1500, see :mod:`kinlink.calendars`); ``birth_year``
is a year (used when ``birth_date`` is empty).  ``gender`` is M, F or empty (lower case
and the Persian/Arabic words are accepted).  ``aliases`` (optional) holds other names
separated by ``;`` or ``|``.

A malformed row is reported as a :class:`RowError` naming its line number and field,
and skipped; the other rows are kept.

Output: ``request_id, person_id, rank, score, explanation``, best first, top K per
request.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kinlink.calendars import InvalidDate, parse_birth_date, parse_birth_year

from .records import MatchRequest, PersonRecord, parse_gender
from .search import MatchResult

__all__ = [
    "INPUT_COLUMNS",
    "OUTPUT_COLUMNS",
    "RowError",
    "read_csv_table",
    "read_records_csv",
    "read_registry_csv",
    "read_requests_csv",
    "spreadsheet_safe",
    "write_results_csv",
]

INPUT_COLUMNS = (
    "id",
    "given_name",
    "family_name",
    "father_name",
    "mother_name",
    "birth_date",
    "birth_year",
    "gender",
    "birth_place",
)
OPTIONAL_COLUMNS = ("aliases",)
OUTPUT_COLUMNS = ("request_id", "person_id", "rank", "score", "explanation")
_MAX_FIELD = 500
_ALIAS_SPLIT = re.compile(r"\s*[;|]\s*")
# Reading stops after this many unclosed quotes: each one costs a pass over the rest of the file.
_MAX_OPEN_QUOTES = 20


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that could not be read: its line number in the file, the field, why."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


class CsvFormatError(ValueError):
    """The file as a whole cannot be read (no header, no id column, not UTF-8)."""


def _open_text(source: str | Path | TextIO) -> tuple[TextIO, bool]:
    if isinstance(source, (str, Path)):
        return open(source, encoding="utf-8-sig", newline=""), True
    return source, False


def _allow_long_cells() -> None:
    # The csv module refuses a cell over 131,072 characters with an exception that names
    # neither line nor field. The text is already in memory, so let the reader through and
    # let the callers' own, much smaller limit name the row and field instead.
    if csv.field_size_limit() < 2**31 - 1:
        csv.field_size_limit(2**31 - 1)


def _column_name(header: list[str], index: int) -> str:
    if 0 <= index < len(header) and header[index].strip():
        return header[index].strip().lower().lstrip("\ufeff")
    return f"column {index + 1}"


def read_csv_table(text: str) -> tuple[list[str], list[tuple[int, list[str]]], list[RowError]]:
    """Split CSV text into its header, its records and the records that cannot be read.

    Each record comes with the line it starts on (a quoted cell may span lines). A quote that
    is opened and never closed would swallow every later row into one cell; it is reported as
    a :class:`RowError` naming its line and field, and reading goes on at the next line, so
    the rows after it are kept. Raises :class:`CsvFormatError` for an empty file or a header
    that cannot be read.
    """
    _allow_long_cells()
    lines = io.StringIO(text, newline="").readlines()
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    errors: list[RowError] = []
    start = 0  # index in `lines` where the current reader began
    while start < len(lines):
        reader = csv.reader(lines[start:])
        restart = None
        while True:
            first_line = start + reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                errors.append(RowError(first_line, "row", f"cannot be read as CSV ({exc})"))
                restart = start + max(reader.line_num, first_line - start)
                break
            last_line = start + reader.line_num
            if _quote_left_open(lines[first_line - 1 : last_line], at_end=last_line == len(lines)):
                row = next(csv.reader([lines[first_line - 1]]), [""])
                if header is None:
                    raise CsvFormatError(
                        f"line {first_line}: a quote in the header row is never closed"
                    )
                errors.append(
                    RowError(
                        first_line,
                        _column_name(header, len(row) - 1),
                        "a quote opened in this cell is never closed; "
                        "close it (or double it to write a quote mark)",
                    )
                )
                restart = first_line
                break
            if header is None:
                header = row
            else:
                records.append((first_line, row))
        if restart is None:
            break
        if sum(e.field != "row" for e in errors) >= _MAX_OPEN_QUOTES:
            errors.append(
                RowError(restart + 1, "row", "too many unclosed quotes: the rest was not read")
            )
            break
        start = restart
    if header is None:
        raise CsvFormatError("the file is empty: a header row is needed")
    return header, records, errors


def _quote_left_open(record_lines: list[str], *, at_end: bool) -> bool:
    """Whether a record's first quote was never closed.

    Left open, a quote pairs with the next quote mark in the file, usually the opening quote
    of a later cell, which is then followed by text instead of a comma; with no later quote it
    runs to the end of the file. A record spanning lines is parsed again strictly to tell.
    """
    if len(record_lines) < 2 and not at_end:
        return False
    try:
        for _ in csv.reader(record_lines, strict=True):
            pass
    except csv.Error as exc:
        return len(record_lines) > 1 or "unexpected end of data" in str(exc)
    return False


def read_records_csv(
    source: str | Path | TextIO,
    *,
    record_type: type[PersonRecord] = PersonRecord,
) -> tuple[list[PersonRecord], list[RowError]]:
    """Read records (requests or registry persons) and the errors of rejected rows."""
    fh, close = _open_text(source)
    try:
        try:
            text = fh.read()
        except UnicodeDecodeError as e:
            raise CsvFormatError(
                f"the file is not UTF-8 (byte {e.start}): save it as UTF-8 CSV"
            ) from None
    finally:
        if close:
            fh.close()
    if text.startswith("\ufeff"):
        text = text[1:]
    header, rows, errors = read_csv_table(text)
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    if "id" not in names:
        raise CsvFormatError(
            "the header has no 'id' column (expected columns: " + ", ".join(INPUT_COLUMNS) + ")"
        )
    pos = {n: i for i, n in enumerate(names) if n in INPUT_COLUMNS or n in OPTIONAL_COLUMNS}
    records: list[PersonRecord] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue  # blank line
        rec, err = _parse_row(row, pos, line, record_type, seen)
        if err is not None:
            errors.append(err)
        else:
            records.append(rec)  # type: ignore[arg-type]
    errors.sort(key=lambda e: e.line)
    return records, errors


def _cell(row: list[str], pos: dict[str, int], name: str) -> str | None:
    i = pos.get(name)
    if i is None or i >= len(row):
        return None
    v = row[i].strip()
    return v or None


def _parse_row(
    row: list[str],
    pos: dict[str, int],
    line: int,
    record_type: type[PersonRecord],
    seen: dict[str, int],
) -> tuple[PersonRecord | None, RowError | None]:
    rid = _cell(row, pos, "id")
    if rid is None:
        return None, RowError(line, "id", "empty: every row needs an id")
    if rid in seen:
        return None, RowError(line, "id", f"{rid!r} already used on line {seen[rid]}")
    for name in pos:
        v = _cell(row, pos, name)
        if v is not None and len(v) > _MAX_FIELD:
            return None, RowError(line, name, f"longer than {_MAX_FIELD} characters")
        if v is not None and any(ord(c) < 32 for c in v):
            return None, RowError(line, name, "contains control characters")
    birth = None
    bd = _cell(row, pos, "birth_date")
    by = _cell(row, pos, "birth_year")
    try:
        if bd is not None:
            birth = parse_birth_date(bd)
    except InvalidDate as e:
        return None, RowError(line, "birth_date", str(e))
    if by is not None and re.fullmatch(r"\d{4}\.0+", by):
        by = by.split(".")[0]  # a spreadsheet's number format ("1965.0")
    if by is not None:
        try:
            year = parse_birth_year(by)
        except InvalidDate as e:
            return None, RowError(line, "birth_year", str(e))
        if birth is None:
            birth = year
        elif birth.year_gap(year) > 0:
            return None, RowError(
                line,
                "birth_year",
                f"{by} contradicts birth_date {bd} ({birth.describe()})",
            )
    try:
        gender = parse_gender(_cell(row, pos, "gender"))
    except ValueError as e:
        return None, RowError(line, "gender", str(e))
    aliases_cell = _cell(row, pos, "aliases")
    aliases = [a for a in _ALIAS_SPLIT.split(aliases_cell) if a] if aliases_cell else []
    rec = record_type(
        id=rid,
        given_name=_cell(row, pos, "given_name"),
        family_name=_cell(row, pos, "family_name"),
        father_name=_cell(row, pos, "father_name"),
        mother_name=_cell(row, pos, "mother_name"),
        birth=birth,
        gender=gender,
        birth_place=_cell(row, pos, "birth_place"),
        aliases=aliases,
    )
    seen[rid] = line
    return rec, None


def read_requests_csv(source: str | Path | TextIO) -> tuple[list[MatchRequest], list[RowError]]:
    """Requests from CSV, and the errors of the rows that were skipped."""
    recs, errors = read_records_csv(source, record_type=MatchRequest)
    return recs, errors  # type: ignore[return-value]


def read_registry_csv(source: str | Path | TextIO) -> tuple[list[PersonRecord], list[RowError]]:
    """Registry persons from CSV (``id`` = person id), and the skipped rows' errors."""
    return read_records_csv(source, record_type=PersonRecord)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet would run as a formula (it begins with =, +, -, @, tab or CR) gets
    a leading ' so it stays text. The same rule as tracing.exports.safe_cell, which this
    Django-free package cannot import."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _fmt_score(p: float) -> str:
    return f"{p:.6f}" if p >= 1e-6 else f"{p:.3g}"


def write_results_csv(
    dest: str | Path | TextIO,
    results: Iterable[MatchResult],
    *,
    top_k: int | None = None,
) -> int:
    """Write ``request_id, person_id, rank, score, explanation`` rows; returns the count.

    Ids and explanations pass through :func:`spreadsheet_safe`: they come from the input
    files, and the output is meant to be opened in a spreadsheet."""
    close = False
    if isinstance(dest, (str, Path)):
        fh: TextIO = open(dest, "w", encoding="utf-8", newline="")  # noqa: SIM115
        close = True
    else:
        fh = dest
    try:
        w = csv.writer(fh)
        w.writerow(OUTPUT_COLUMNS)
        n = 0
        for res in results:
            for c in res.candidates[: top_k if top_k is not None else None]:
                w.writerow(
                    [
                        spreadsheet_safe(res.request_id),
                        spreadsheet_safe(c.person_id),
                        c.rank,
                        _fmt_score(c.score),
                        spreadsheet_safe(c.explanation),
                    ]
                )
                n += 1
        return n
    finally:
        if close:
            fh.close()
