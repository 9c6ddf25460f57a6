"""Reading the spreadsheets staff upload: CSV as Excel and others save it, and XLSX.

A CSV file may be UTF-8 with or without a byte-order mark, or Windows-1252 (what Excel
writes with "CSV (Comma delimited)" on a British Windows), and use commas or semicolons.
Rows keep their place, blank ones included, so that "line 12" in a message is line 12 of
the file (the header is line 1).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from pathlib import Path

import tablib
from django.conf import settings
from import_export.formats.base_formats import CSV, XLSX

ACCEPTED_EXTENSIONS = (".csv", ".xlsx")


class ImportFileError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why in plain words."""


def decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is neither UTF-8 nor Windows-1252 text: save it from your spreadsheet "
            "as CSV (UTF-8) or as an Excel workbook (.xlsx)."
        ) from None


def read_csv(data: bytes) -> tablib.Dataset:
    if b"\x00" in data[:4096]:
        raise ImportFileError("This is not a CSV file (it holds binary data).")
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFileError(f"The CSV file cannot be read: {error}.") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ImportFileError("The file is empty: the first line should name the columns.")
    headers = [cell.strip() for cell in rows[0]]
    dataset = tablib.Dataset(headers=headers)
    width = len(headers)
    for line, row in enumerate(rows[1:], start=2):
        if len(row) > width:
            if any(cell.strip() for cell in row[width:]):
                raise ImportFileError(
                    f"Line {line} has {len(row)} cells but the header names {width} columns."
                )
            row = row[:width]
        dataset.append(row + [""] * (width - len(row)))
    return dataset


def read_xlsx(data: bytes) -> tablib.Dataset:
    if not data.startswith(b"PK\x03\x04"):
        raise ImportFileError("This is not an Excel workbook (.xlsx).")
    try:
        dataset = XLSX().create_dataset(data)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise ImportFileError(f"The workbook cannot be read ({type(error).__name__}).") from None
    dataset.headers = [str(h).strip() if h is not None else "" for h in dataset.headers or []]
    return dataset


def check_upload(name: str, size: int) -> str:
    """The file's extension (.csv or .xlsx), or ImportFileError if it is not accepted."""
    extension = Path(name or "").suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS:
        raise ImportFileError(
            f"“{Path(name or '').name}” is not a spreadsheet this import reads: "
            "upload a .csv or .xlsx file."
        )
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if size > limit:
        raise ImportFileError(
            f"The file is {size / 1_048_576:.1f} MB; the largest accepted is "
            f"{limit / 1_048_576:.1f} MB. Split it into smaller files."
        )
    return extension


def read_spreadsheet(file) -> tablib.Dataset:
    """A Dataset from an uploaded file, an open binary file or a path (.csv or .xlsx)."""
    if isinstance(file, str | Path):
        path = Path(file)
        extension = check_upload(path.name, path.stat().st_size)
        data = path.read_bytes()
    else:
        name = getattr(file, "name", "") or ""
        size = getattr(file, "size", None)
        if size is not None:
            check_upload(name, size)
        chunks = file.chunks() if hasattr(file, "chunks") else [file.read()]
        data = b"".join(chunks)
        extension = check_upload(name, len(data))
    return read_csv(data) if extension == ".csv" else read_xlsx(data)


class SpreadsheetCSV(CSV):
    """import-export's CSV format, reading files as `read_csv` does."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return read_csv(in_stream)


class SpreadsheetXLSX(XLSX):
    def create_dataset(self, in_stream):
        return read_xlsx(in_stream)


IMPORT_FORMATS = [SpreadsheetCSV, SpreadsheetXLSX]

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value) -> datetime.date:
    """YYYY-MM-DD, DD/MM/YYYY, or a date cell of a workbook; ValueError in plain words."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    try:
        match = _DMY.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        return datetime.date.fromisoformat(text) if len(text) == 10 else _not_a_date(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a date: write it as YYYY-MM-DD or DD/MM/YYYY") from None


def _not_a_date(text: str):
    raise ValueError(text)


def parse_whole_number(value) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    number = float(text)  # "48.0" as some spreadsheets save whole numbers
    if not number.is_integer():
        raise ValueError(text)
    return int(number)
