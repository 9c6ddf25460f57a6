"""Time and peak memory of reading hostile and large spreadsheets, as the imports read them.

    .venv/bin/python bench/spreadsheet_bombs.py

Each file is built in memory and read with `read_xlsx` / `read_csv` (what every admin import
and `import_updates` call): once timed, once under tracemalloc (which slows it). A hostile
file must be refused, or read, in well under 2 s and 100 MB.
"""

from __future__ import annotations

import io
import os
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

# bench/import_export.py would shadow the django-import-export package: look from the root.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harris_tracker.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402

from recommendations.spreadsheets import ImportFileError, read_csv, read_xlsx  # noqa: E402

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PARTS = {
    "[Content_Types].xml": f'<Types xmlns="{PACKAGE}/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{MAIN}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{MAIN}.worksheet+xml"/>'
    "</Types>",
    "_rels/.rels": f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
    f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>",
}


def workbook(rows: int, column: str, with_values: bool, shared_strings: int = 0) -> bytes:
    cell = (
        '<c r="{c}{n}" t="inlineStr"><is><t>x</t></is></c>'
        if with_values
        else '<c r="{c}{n}" s="0"/>'
    )
    body = "".join(f'<row r="{n}">{cell.format(c=column, n=n)}</row>' for n in range(1, rows + 1))
    sheet = (
        f'<worksheet xmlns="{NS}"><dimension ref="A1:XFD{rows}"/>'
        f"<sheetData>{body}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in {**PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            archive.writestr(name, content)
        if shared_strings:
            archive.writestr(
                "xl/sharedStrings.xml",
                f'<sst xmlns="{NS}">' + "<si><t>x</t></si>" * shared_strings + "</sst>",
            )
    return buffer.getvalue()


def updates_workbook(rows: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["recommendation", "date", "status", "update"])
    for i in range(rows):
        sheet.append([i % 127 + 1, "2018-06-01", "Ongoing", f"Update {i}: training goes on."])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER = b"recommendation,date,status,update\n"
CASES = [
    (
        "XLSX A1:XFD3001, a value at XFD on each row",
        read_xlsx,
        lambda: workbook(3001, "XFD", True),
    ),
    (
        "XLSX 400,000 rows of empty styled cells at XFD",
        read_xlsx,
        lambda: workbook(400_000, "XFD", False),
    ),
    ("XLSX 3,000,000 shared strings", read_xlsx, lambda: workbook(2, "A", True, 3_000_000)),
    ("XLSX 20,000 updates (4 columns)", read_xlsx, lambda: updates_workbook(20_000)),
    ("CSV 5 MB of empty lines", read_csv, lambda: HEADER + b"\n" * (5 * 1024 * 1024 - 40)),
    ("CSV 20,001 rows", read_csv, lambda: HEADER + b"48,2018-06-01,Resolved,Done.\n" * 20_001),
    ("CSV 20,000 rows", read_csv, lambda: HEADER + b"48,2018-06-01,Resolved,Done.\n" * 20_000),
]


def attempt(read, data: bytes) -> str:
    try:
        return f"read {len(read(data)):,} rows"
    except ImportFileError as error:
        return f"refused: {error}"


def main() -> None:
    for label, read, build in CASES:
        data = build()
        started = time.perf_counter()
        outcome = attempt(read, data)
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        attempt(read, data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{label}: {len(data) / 1024:,.0f} KB, {elapsed:.2f} s, peak {peak / 1e6:.1f} MB")
        print(f"    {outcome}")


if __name__ == "__main__":
    main()
