"""The chase list: whom to ask for an update, on which recommendation, and how to reach them.

One row per owner and recommendation that is past its expected date or has had no published
update for `REPORTING_INTERVAL_DAYS`, with the owner's contact details. It holds those
details, so it is for staff only: the Overdue page in the admin offers it as CSV and XLSX.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.db import models
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from recommendations.models import Ownership, Recommendation

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


def chase_rows(*, today: datetime.date, cutoff: datetime.date) -> list[ChaseRow]:
    """The chase list as at `today`, owners in name order (one query)."""
    past_target = Recommendation.objects.past_target_date(today).values("pk")
    stale = Recommendation.objects.without_update_since(cutoff).values("pk")
    ownerships = (
        Ownership.objects.filter(
            models.Q(recommendation__in=past_target) | models.Q(recommendation__in=stale)
        )
        .select_related("organisation", "recommendation")
        .order_by("organisation__name", "recommendation__number")
    )
    return [_row(o, today=today, cutoff=cutoff) for o in ownerships]


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


def as_csv(rows: list[ChaseRow]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([heading for heading, _ in COLUMNS])
    for row in rows:
        cells = row.cells()
        writer.writerow(
            [v.isoformat() if isinstance(v, datetime.date) else _safe(v) for v in cells]
        )
    # With a byte-order mark, spreadsheets open it as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(rows: list[ChaseRow], *, today: datetime.date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Chase list {today:%d %b %Y}"
    sheet.append([heading for heading, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(value) for value in row.cells()])
    for index, (_, width) in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, datetime.date):
                cell.number_format = "dd mmm yyyy"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
