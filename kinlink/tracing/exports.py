"""Writing rows to CSV and XLSX. Formatting only: what goes into the rows is decided by
tracing.services (export_caseload, import_error_report).

Every cell passes through `safe_cell`: a spreadsheet reads a cell that begins with `=`, `+`,
`-`, `@`, tab or carriage return as a formula (CSV/formula injection), so in CSV such a cell
is prefixed with a single quote, and in XLSX it is written as an explicit text cell (type
"s", shown with Excel's quote prefix), never as a formula.

An export can be sealed with a passphrase (`encrypt_with_passphrase`): a ZIP whose entries
are AES-256 encrypted (WinZip AE-2, via pyzipper), which 7-Zip, WinZip, macOS's Archive
Utility (recent versions) and `7z x` open after asking for the passphrase; nothing of the
spreadsheet is readable in the bytes without it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

import pyzipper
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ENCRYPTED_TYPE = "application/zip"
MIN_PASSPHRASE = 10
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def is_formula_like(value: object) -> bool:
    return _text(value).startswith(FORMULA_STARTS)


def safe_cell(value: object) -> str:
    """The one neutraliser: a cell a spreadsheet would read as a formula gets a leading '
    so it stays text (CSV). XLSX cells are written as text cells instead (`_xlsx_cell`)."""
    text = _text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Kept for callers of the earlier name.
neutralise = safe_cell


def _xlsx_cell(sheet, value: object) -> WriteOnlyCell:
    text = _text(value)
    cell = WriteOnlyCell(sheet, value=text)
    if text.startswith(FORMULA_STARTS):
        # openpyxl binds a str starting with "=" as a formula: force a text cell, with the
        # quote prefix so the spreadsheet keeps it text when the cell is edited.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def write_rows(
    header: Sequence[str], rows: Iterable[Sequence[object]], fmt: str, *, sheet: str = "enquiries"
) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use csv or xlsx")
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([safe_cell(name) for name in header])
        writer.writerows([safe_cell(value) for value in row] for row in rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheets read UTF-8
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append([_xlsx_cell(ws, name) for name in header])
    for row in rows:
        ws.append([_xlsx_cell(ws, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def encrypt_with_passphrase(filename: str, data: bytes, passphrase: str) -> bytes:
    """`data` as the one entry `filename` of an AES-256 encrypted ZIP (WinZip AE-2)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValueError(f"a passphrase needs at least {MIN_PASSPHRASE} characters")
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(passphrase.encode("utf-8"))
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr(filename, data)
    return buffer.getvalue()


def open_encrypted(data: bytes, passphrase: str) -> dict[str, bytes]:
    """Every entry of an encrypted export; RuntimeError when the passphrase is wrong."""
    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        archive.setpassword(passphrase.encode("utf-8"))
        return {name: archive.read(name) for name in archive.namelist()}
