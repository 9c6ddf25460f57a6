"""Reading the spreadsheets staff upload: CSV as Excel and others save it, and XLSX.

A CSV file may be UTF-8 with or without a byte-order mark, or Windows-1252 (what Excel
writes with "CSV (Comma delimited)" on a British Windows), and use commas or semicolons.
Rows keep their place, blank ones included, so that "line 12" in a message is line 12 of
the file (the header is line 1).

Both readers are bounded before they build anything: at most `settings.IMPORT_MAX_ROWS` rows
and `MAX_COLUMNS` columns. A workbook is read cell by cell as stored, never padded to the
width its `<dimension>` declares (a 20 KB sheet can declare 16,384 columns on 3,000 rows).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import tablib
from django.conf import settings
from import_export.formats.base_formats import CSV, XLSX
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser

from recommendations.opendata import FORMULA_PREFIXES

ACCEPTED_EXTENSIONS = (".csv", ".xlsx")

#: The widest import (recommendations) has 9 columns; anything beyond column Z is not ours.
MAX_COLUMNS = 26

#: A workbook's parts, unzipped, may not exceed this: XML compresses 100 to 1, so a file under
#: the upload limit could otherwise unzip to gigabytes.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
#: Rows, cells and shared strings a workbook may hold per row allowed: the widest import's
#: nine cells and the row itself.
PARSE_UNITS_PER_ROW = 10
# A shared string's start tag (<si> or <x:si …>) in a workbook part.
_SHARED_STRING = re.compile(rb"[<:]si[>\s/]")

# A valid UTF-8 sequence of two to four bytes (RFC 3629): Windows-1252 text rarely has one.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


class ImportFileError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why in plain words."""


def unguard(value):
    """The cell's value without the apostrophe that `spreadsheet_safe` puts on export before
    text a spreadsheet would run as a formula, so that an export imported back is unchanged.

    Every import calls it on each text cell it reads; other values pass through.
    """
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _too_many_rows(count: int) -> ImportFileError:
    limit = settings.IMPORT_MAX_ROWS
    return ImportFileError(
        f"The file has {count:,} rows or more below its header; an import takes at most "
        f"{limit:,} (IMPORT_MAX_ROWS). Split it into smaller files."
    )


def decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad_at = error.start
    if _UTF8_MULTIBYTE.search(data):
        # Part UTF-8, part something else: decoding it all as either would garble one part.
        line = data.count(b"\n", 0, bad_at) + 1
        raise ImportFileError(
            f"The file mixes text encodings: some of it is UTF-8 but line {line} is not. "
            "Save the whole file from your spreadsheet as CSV UTF-8 and upload it again."
        )
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is neither UTF-8 nor Windows-1252 text: save it from your spreadsheet "
            "as CSV (UTF-8) or as an Excel workbook (.xlsx)."
        ) from None


def _bounded_rows(reader) -> list[list[str]]:
    """The header and up to IMPORT_MAX_ROWS rows; ImportFileError for a longer file.

    Blank rows keep their place, but are only counted, not stored, until a row with values
    follows: 5 MB of empty lines would otherwise be millions of lists. Blank lines at the
    end do not make a file too long.
    """
    limit = settings.IMPORT_MAX_ROWS
    rows: list[list[str]] = []
    blank = 0
    for row in reader:
        if rows and not any(cell.strip() for cell in row):
            blank += 1
            continue
        if len(rows) - 1 + blank + 1 > limit:
            raise _too_many_rows(len(rows) + blank)
        rows.extend([] for _ in range(blank))
        rows.append(row)
        blank = 0
    rows.extend([] for _ in range(min(blank, limit + 1 - len(rows))))
    return rows


#: What the csv module says of quotes that do not pair up (strict mode).
_QUOTE_ERRORS = ("unexpected end of data", "expected after '\"'")


def _records(reader) -> Iterator[list[str]]:
    """The reader's records; ImportFileError naming the line where the bad record began.

    A record may span lines (a quoted cell with line breaks), so the line to name is the one
    after the end of the record before it: where the quoted field that never closes began.
    """
    began = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if any(what in str(error) for what in _QUOTE_ERRORS):
                raise ImportFileError(
                    f"Line {began}: a quoted cell that begins on this line has no closing "
                    "quote where one is expected, so the lines after it would be read into "
                    'it. Close the quote (write a quote inside a cell as "") and upload the '
                    "file again."
                ) from None
            raise ImportFileError(f"Line {began} cannot be read: {error}.") from None
        yield row
        began = reader.line_num + 1


def read_csv(data: bytes) -> tablib.Dataset:
    if b"\x00" in data[:4096]:
        raise ImportFileError("This is not a CSV file (it holds binary data).")
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    # Strict: a lax reader lets an unclosed quote swallow every line after it, silently.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = _bounded_rows(_records(reader))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ImportFileError("The file is empty: the first line should name the columns.")
    headers = [cell.strip() for cell in rows[0]]
    beyond = [i for i, cell in enumerate(headers[MAX_COLUMNS:], start=MAX_COLUMNS + 1) if cell]
    if beyond:
        raise _too_wide(1, beyond[0])
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


def _too_wide(line: int, column: int) -> ImportFileError:
    return ImportFileError(
        f"Line {line} has a value in column {get_column_letter(column)}; an import reads at "
        f"most {MAX_COLUMNS} columns (A to {get_column_letter(MAX_COLUMNS)}). Delete the "
        "cells beyond the last column and upload the file again."
    )


def _parse_budget() -> int:
    """How many XML rows, cells and shared strings a workbook may hold: parsing each costs
    about 15 µs, whether or not it holds a value, so this bounds the time a file can take."""
    return (settings.IMPORT_MAX_ROWS + 1) * PARSE_UNITS_PER_ROW


def _too_big(what: str) -> ImportFileError:
    return ImportFileError(
        f"The workbook holds more than {_parse_budget():,} {what}, more than "
        f"{settings.IMPORT_MAX_ROWS:,} rows (IMPORT_MAX_ROWS) can fill: delete the unused rows "
        "and columns, or split the file."
    )


#: A part of an archive smaller than this, unzipped, is never a zip bomb whatever its ratio.
EXPANSION_RATIO_FLOOR = 1024 * 1024


def zip_expansion_problem(
    archive: zipfile.ZipFile, *, max_bytes: int, max_ratio: int | None = None
) -> str | None:
    """What makes a zip archive too big to open, or None: it unzips to more than `max_bytes`
    in all, or (with `max_ratio`) a part over a megabyte expands more than `max_ratio` times
    its compressed size, as a zip bomb does (text and XML: 5 to 30 times).

    Read from the sizes the archive's directory declares, before any part is unzipped;
    zipfile never reads a part past its declared size. Shared by the workbook import and the
    owners' evidence (reporting/evidence.py).
    """
    infos = archive.infolist()
    unzipped = sum(info.file_size for info in infos)
    if unzipped > max_bytes:
        return (
            f"unzips to {unzipped / 1_048_576:,.0f} MB; the largest accepted is "
            f"{max_bytes / 1_048_576:,.0f} MB"
        )
    for info in infos if max_ratio else ():
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > EXPANSION_RATIO_FLOOR and ratio > max_ratio:
            return (
                f"holds a part that expands {ratio:,.0f} times when unzipped; at most "
                f"{max_ratio:,} times is accepted"
            )
    return None


def _check_archive(data: bytes) -> None:
    """Refuse a workbook that would unzip, or hold shared strings, past what an import needs.

    openpyxl reads every shared string when it opens a workbook, so they are counted first,
    as bytes, in every part (the part holding them may have any name).
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        problem = zip_expansion_problem(archive, max_bytes=MAX_UNZIPPED_BYTES)
        if problem:
            raise ImportFileError(f"The workbook {problem}. Save it as CSV or split it.")
        strings = 0
        for info in archive.infolist():
            with archive.open(info) as part:
                carry = b""
                while chunk := part.read(1_048_576):
                    # A match spans at most `carry` and this chunk, so none is counted twice.
                    strings += len(_SHARED_STRING.findall(carry + chunk))
                    carry = chunk[-3:]
                    if strings > _parse_budget():
                        raise _too_big("shared strings")


def _sheet_cells(book) -> Iterator[tuple[int, list[tuple[int, object]]]]:
    """The first sheet's (row number, [(column number, value), …]) as stored: no padding,
    whatever width or height the sheet's <dimension> declares."""
    with book._archive.open(book.active._worksheet_path) as source:
        parser = WorkSheetParser(
            source,
            book.shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            yield number, [(cell["column"], cell["value"]) for cell in cells]


def _read_rows(book) -> list[list]:
    limit = settings.IMPORT_MAX_ROWS
    budget = _parse_budget()
    rows: list[list] = []
    for number, cells in _sheet_cells(book):
        budget -= 1 + len(cells)
        if budget < 0:
            raise _too_big("rows and cells")
        cells = [(column, value) for column, value in cells if not is_blank(value)]
        if not cells:
            continue
        if number - 1 > limit:
            raise _too_many_rows(number - 1)
        widest = max(column for column, _ in cells)
        if widest > MAX_COLUMNS:
            raise _too_wide(number, widest)
        rows.extend([] for _ in range(number - len(rows)))  # blank rows keep their place
        row = rows[number - 1]
        row.extend([None] * (widest - len(row)))
        for column, value in cells:
            row[column - 1] = value
    return rows


def read_xlsx(data: bytes) -> tablib.Dataset:
    """The first sheet as a Dataset, refused (never padded) past the row and column limits."""
    if not data.startswith(b"PK\x03\x04"):
        raise ImportFileError("This is not an Excel workbook (.xlsx).")
    try:
        _check_archive(data)
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            rows = _read_rows(book)
        finally:
            book.close()
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl and zipfile raise many kinds for a damaged workbook
        raise ImportFileError(f"The workbook cannot be read ({type(error).__name__}).") from None
    if not rows or all(is_blank(h) for h in rows[0]):
        raise ImportFileError("The sheet is empty: the first row should name the columns.")
    width = max(len(row) for row in rows)
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    dataset = tablib.Dataset(headers=headers + [""] * (width - len(headers)))
    for row in rows[1:]:
        dataset.append(row + [None] * (width - len(row)))
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
