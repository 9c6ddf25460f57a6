"""The chase list: whom to ask for an update, on which recommendation, and how to reach them.

One row per owner and recommendation that is past its expected date or has had no published
update for `REPORTING_INTERVAL_DAYS`, with the owner's contact details. It holds those
details, so it is for staff only: the Overdue page in the admin offers it as CSV and XLSX.
Both are written as the rows come from the database, so the CSV starts at once and
neither holds the whole list (see streaming.py); the XLSX is built by a background task
(see exports.py).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from django.db import models
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from recommendations.models import Ownership, Recommendation
from recommendations.streaming import chunks

#: Ownerships read from the database at once.
CHUNK_SIZE = 2000
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)

#: (heading, column width in characters) of each column, in order.
COLUMNS = [
    ("Owner", 30),
    ("Contact", 24),
    ("Email", 30),
    ("Phone", 16),
    ("Recommendation", 15),
    ("Why chased", 40),
    ("Expected completion", 20),
    ("Last update", 14),
]


@dataclass(frozen=True)
class ChaseRow:
    owner: str
    contact: str
    email: str
    phone: str
    recommendation: int
    why: str
    expected: datetime.date | None
    last_update: datetime.date | None

    def cells(self) -> list:
        return [
            self.owner,
            self.contact,
            self.email,
            self.phone,
            self.recommendation,
            self.why,
            self.expected,
            self.last_update,
        ]


def chase_rows(*, today: datetime.date, cutoff: datetime.date) -> Iterator[ChaseRow]:
    """The chase list as at `today`, owners in name order: one query, read in chunks, so
    that a list of thousands of rows starts at once and is never held whole."""
    past_target = Recommendation.objects.past_target_date(today).values("pk")
    stale = Recommendation.objects.without_update_since(cutoff).values("pk")
    ownerships = (
        Ownership.objects.filter(
            models.Q(recommendation__in=past_target) | models.Q(recommendation__in=stale)
        )
        .select_related("organisation", "recommendation")
        .order_by("organisation__name", "recommendation__number")
    )
    for ownership in ownerships.iterator(chunk_size=CHUNK_SIZE):
        yield _row(ownership, today=today, cutoff=cutoff)


def _row(ownership: Ownership, *, today: datetime.date, cutoff: datetime.date) -> ChaseRow:
    organisation, recommendation = ownership.organisation, ownership.recommendation
    reasons = []
    if recommendation.target_date and recommendation.target_date < today:
        reasons.append(f"expected by {recommendation.target_date:%d %B %Y}")
    if recommendation.last_updated is None:
        reasons.append("no published update yet")
    elif recommendation.last_updated < cutoff:
        reasons.append(f"no published update since {recommendation.last_updated:%d %B %Y}")
    why = "; ".join(reasons)
    return ChaseRow(
        owner=organisation.display_name,
        contact=organisation.contact_name,
        email=organisation.contact_email,
        phone=organisation.contact_phone,
        recommendation=recommendation.number,
        why=why[:1].upper() + why[1:],
        expected=recommendation.target_date,
        last_update=recommendation.last_updated,
    )


def _safe(value):
    # A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def csv_chunks(rows: Iterable[ChaseRow]) -> Iterator[bytes]:
    """The list as CSV, a few hundred rows at a time, to stream (see streaming.py)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    # With a byte-order mark, spreadsheets open it as UTF-8.
    yield codecs.BOM_UTF8 + _csv_line(out, writer, [heading for heading, _ in COLUMNS])
    for chunk in chunks(rows):
        for row in chunk:
            writer.writerow(
                [v.isoformat() if isinstance(v, datetime.date) else _safe(v) for v in row.cells()]
            )
        yield _csv_line(out, writer, None)


def _csv_line(out: io.StringIO, writer, row: list | None) -> bytes:
    """What `writer` has written to `out` since last asked (and `row`), as UTF-8."""
    if row is not None:
        writer.writerow(row)
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text.encode("utf-8")


def write_xlsx(out: IO[bytes], rows: Iterable[ChaseRow], *, today: datetime.date) -> None:
    """The list as a workbook in `out`, written row by row (openpyxl's write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"Chase list {today:%d %b %Y}")
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, heading, font=BOLD) for heading, _ in COLUMNS])
    for row in rows:
        sheet.append([_cell(sheet, _safe(value), alignment=WRAP) for value in row.cells()])
    workbook.save(out)


def _cell(sheet, value, *, font=None, alignment=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if isinstance(value, datetime.date):
        cell.number_format = "dd mmm yyyy"
    return cell
