"""Reading uploaded spreadsheets: bounded, one encoding, and the export's guard removed."""

import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recommendations.imports import import_updates
from recommendations.models import ProgressUpdate
from recommendations.spreadsheets import ImportFileError, read_csv, read_xlsx, unguard
from tests.factories import RecommendationFactory, StaffUserFactory

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="{REL}">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}


def cell(ref: str, value: str | None) -> str:
    if value is None:
        return f'<c r="{ref}" s="0"/>'  # formatted, no value
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def workbook(rows: dict[int, list[str]], dimension: str, **extra_parts: str) -> bytes:
    """An XLSX built by hand, as a hostile or careless writer could: rows are {number: cells}."""
    body = "".join(f'<row r="{n}">{"".join(cells)}</row>' for n, cells in rows.items())
    sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{NS}"><dimension ref="{dimension}"/>'
        f"<sheetData>{body}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in {**PARTS, "xl/worksheets/sheet1.xml": sheet, **extra_parts}.items():
            archive.writestr(name, content)
    return buffer.getvalue()


HEADER_CELLS = [
    cell(f"{c}1", h)
    for c, h in zip("ABCD", ["recommendation", "date", "status", "update"], strict=True)
]


def test_a_sheet_declaring_16384_columns_is_refused_without_padding():
    data = workbook({n: [cell(f"XFD{n}", "x")] for n in range(1, 3002)}, "A1:XFD3001")
    assert len(data) < 30_000
    tracemalloc.start()
    with pytest.raises(ImportFileError) as refused:
        read_xlsx(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "Line 1 has a value in column XFD" in str(refused.value)
    assert "at most 26 columns" in str(refused.value)
    assert peak < 20_000_000  # padded to its dimension it took 450 MB


def test_formatted_empty_cells_far_right_are_ignored_not_padded():
    rows = {1: [*HEADER_CELLS, cell("XFD1", None)]}
    rows.update(
        {
            n: [cell(f"A{n}", "48"), cell(f"D{n}", "Done."), cell(f"XFD{n}", None)]
            for n in range(2, 5)
        }
    )
    dataset = read_xlsx(workbook(rows, "A1:XFD4"))
    assert dataset.headers == ["recommendation", "date", "status", "update"]
    assert dataset.width == 4
    assert dataset[0] == ("48", None, None, "Done.")


def test_a_workbook_with_more_rows_than_the_limit_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 5
    rows = {1: HEADER_CELLS, **{n: [cell(f"A{n}", "48")] for n in range(2, 8)}}
    with pytest.raises(ImportFileError, match=r"an import takes at most 5 \(IMPORT_MAX_ROWS\)"):
        read_xlsx(workbook(rows, "A1:D7"))
    del rows[7]
    assert len(read_xlsx(workbook(rows, "A1:D6"))) == 5


def test_a_workbook_of_countless_empty_cells_is_refused_by_count(settings):
    settings.IMPORT_MAX_ROWS = 10
    rows = {1: HEADER_CELLS, **{n: [cell(f"XFD{n}", None)] for n in range(2, 500)}}
    with pytest.raises(ImportFileError, match="holds more than 110 rows and cells"):
        read_xlsx(workbook(rows, "A1:XFD499"))


def test_a_workbook_of_countless_shared_strings_is_refused_before_opening(settings):
    settings.IMPORT_MAX_ROWS = 10
    strings = f'<?xml version="1.0"?><sst xmlns="{NS}">' + "<si><t>x</t></si>" * 500 + "</sst>"
    data = workbook({1: HEADER_CELLS}, "A1:D1", **{"xl/sharedStrings.xml": strings})
    with pytest.raises(ImportFileError, match="holds more than 110 shared strings"):
        read_xlsx(data)


def test_a_workbook_saved_by_openpyxl_reads_as_before():
    book = openpyxl.Workbook()
    book.active.append(["Recommendation", "Date", "Status", "Update"])
    book.active.append([48, "2018-06-01", "Resolved", "Done."])
    book.active.append([])
    book.active.append([1, "2018-06-01", "Ongoing", "Going."])
    buffer = io.BytesIO()
    book.save(buffer)
    dataset = read_xlsx(buffer.getvalue())
    assert dataset.headers == ["Recommendation", "Date", "Status", "Update"]
    assert list(dataset) == [
        (48, "2018-06-01", "Resolved", "Done."),
        (None, None, None, None),  # a blank row keeps its place: line numbers stay right
        (1, "2018-06-01", "Ongoing", "Going."),
    ]


def test_a_csv_with_more_rows_than_the_limit_is_refused_up_front(settings):
    settings.IMPORT_MAX_ROWS = 3
    header = b"recommendation,date,status,update\n"
    with pytest.raises(ImportFileError, match=r"at most 3 \(IMPORT_MAX_ROWS\)"):
        read_csv(header + b"48,2018-06-01,Resolved,Done.\n" * 4)
    # Blank lines after the last row do not make a file too long.
    assert len(read_csv(header + b"48,2018-06-01,Resolved,Done.\n" * 3 + b",,,\n" * 50)) == 3


def test_a_csv_mixing_utf8_and_windows_1252_is_refused_naming_the_line():
    data = (
        "recommendation,date,status,update\n48,2018-06-01,Resolved,Café réopened.\n".encode()
        + "1,2018-06-01,Ongoing,Café closed.\n".encode("cp1252")
    )
    with pytest.raises(ImportFileError) as refused:
        read_csv(data)
    assert "mixes text encodings" in str(refused.value)
    assert "line 3 is not" in str(refused.value)


def test_a_csv_wholly_in_windows_1252_still_reads():
    data = "update\nCafé réopened – £5.\n".encode("cp1252")
    assert read_csv(data)[0] == ("Café réopened – £5.",)


@pytest.mark.parametrize(
    ("cell_value", "imported"),
    [
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'-2+3 org", "-2+3 org"),
        ("'+44 20", "+44 20"),
        ("'@home", "@home"),
        ("'Tis the season", "'Tis the season"),  # an apostrophe the export did not add
        ("Plain", "Plain"),
        (48, 48),
        (None, None),
    ],
)
def test_unguard_removes_only_the_apostrophe_an_export_adds(cell_value, imported):
    assert unguard(cell_value) == imported


@pytest.mark.django_db
def test_the_crafted_sheet_is_refused_by_the_import_with_its_message():
    RecommendationFactory(number=48)
    data = workbook({n: [cell(f"XFD{n}", "x")] for n in range(1, 3002)}, "A1:XFD3001")
    report = import_updates(
        dataset_or_file=SimpleUploadedFile("bomb.xlsx", data),
        user=StaffUserFactory(role="Report author"),
        publish=True,
    )
    assert not report.ok
    assert "column XFD" in str(report.problems[0])
    assert not ProgressUpdate.objects.exists()


def test_a_csv_of_countless_blank_lines_is_not_held_in_memory(settings):
    settings.IMPORT_MAX_ROWS = 10
    header = b"recommendation,date,status,update\n"
    assert len(read_csv(header + b"\n" * 100_000)) == 10
    with pytest.raises(ImportFileError, match="100,001 rows or more"):
        read_csv(header + b"\n" * 100_000 + b"48,2018-06-01,Resolved,Done.\n")
    dataset = read_csv(header + b"\n48,2018-06-01,Resolved,Done.\n\n")
    assert list(dataset) == [("",) * 4, ("48", "2018-06-01", "Resolved", "Done."), ("",) * 4]
