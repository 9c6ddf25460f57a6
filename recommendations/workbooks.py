"""The XLSX the staff download: a workbook a reader can use as it opens.

django-import-export writes tablib's plain sheet: named "Tablib Dataset", every column at
Excel's default width, long texts on one line. This format names the sheet after the
dataset's title, sizes each column to its contents (within `MAX_WIDTH`, far under Excel's 255)
and wraps what is longer, with the header row bold and kept in view. It writes the workbook
in one streaming pass, so the styling costs little over tablib's own export.
"""

from __future__ import annotations

import io
from typing import IO

from import_export.formats.base_formats import XLSX
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

#: Widths in characters: a column of long texts is this wide, and wraps.
MAX_WIDTH = 60
MIN_WIDTH = 8
SHEET_TITLE_LIMIT = 31  # Excel's
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)


class ReadableXLSX(XLSX):
    def export_data(self, dataset, **kwargs):
        return readable_workbook(
            headers=list(dataset.headers or []), rows=dataset, title=dataset.title or "Export"
        )


def _width(values) -> int:
    longest = max((len(str(v)) for v in values if v is not None), default=0)
    return max(MIN_WIDTH, min(longest + 2, MAX_WIDTH))


def _clean(value):
    # Control characters are refused by the file format; a stray one must not lose the export.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def readable_workbook(*, headers: list[str], rows, title: str) -> bytes:
    """One sheet named `title`: a bold frozen header row, sized columns, wrapped cells."""
    out = io.BytesIO()
    write_readable_workbook(out, headers=headers, rows=rows, title=title)
    return out.getvalue()


def write_readable_workbook(out: IO[bytes], *, headers: list[str], rows, title: str) -> None:
    """`readable_workbook` written to the file `out` (a prepared export's; see exports.py)."""
    rows = [list(row) for row in rows]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:SHEET_TITLE_LIMIT])
    for index, header in enumerate(headers):
        column = [header, *(row[index] for row in rows)]
        sheet.column_dimensions[get_column_letter(index + 1)].width = _width(column)
    sheet.freeze_panes = "A2"

    def cell(value, font=None):
        written = WriteOnlyCell(sheet, value=_clean(value))
        written.alignment = WRAP
        if font is not None:
            written.font = font
        return written

    sheet.append([cell(header, BOLD) for header in headers])
    for row in rows:
        sheet.append([cell(value) for value in row])
    book.save(out)
