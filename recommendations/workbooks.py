"""The XLSX the staff download: a workbook a reader can use as it opens.

django-import-export writes tablib's plain sheet: named "Tablib Dataset", every column at
Excel's default width, long texts on one line. This format names the sheet after the
dataset's title, sizes each column to its contents (within `MAX_WIDTH`, far under Excel's 255)
and wraps what is longer, with the header row bold and kept in view.
"""

from __future__ import annotations

import io

import openpyxl
from import_export.formats.base_formats import XLSX
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

#: Widths in characters: a column of long texts is this wide, and wraps.
MAX_WIDTH = 60
MIN_WIDTH = 8


class ReadableXLSX(XLSX):
    def export_data(self, dataset, **kwargs):
        return readable(super().export_data(dataset, **kwargs))


def readable(workbook_bytes: bytes) -> bytes:
    """The same workbook with sized columns, wrapped cells and a frozen bold header."""
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    sheet = book.active
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(sheet.iter_cols(), start=1):
        longest = max(
            (len(str(cell.value)) for cell in column if cell.value is not None), default=0
        )
        sheet.column_dimensions[get_column_letter(index)].width = max(
            MIN_WIDTH, min(longest + 2, MAX_WIDTH)
        )
        for cell in column:
            cell.alignment = wrap
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
