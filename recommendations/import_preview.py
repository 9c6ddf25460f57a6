"""What a progress-update import will do to the public statuses, shown before it is confirmed.

The preview checks the rows without writing them; this reads the rows it accepted and says,
per recommendation, which status the rule will give it once they are published: the status
of its latest published update, the file's rows counting as later than a stored update of the
same date (they are recorded after it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from recommendations.labels import label
from recommendations.models import Recommendation, Status
from recommendations.spreadsheets import parse_date, parse_whole_number


@dataclass(frozen=True)
class StatusChange:
    number: int
    label: str
    old: Status
    new: Status

    def __str__(self) -> str:
        return f"{self.number}: {self.old.label} → {self.new.label}"


def accepted_rows(result) -> list[tuple[int, datetime.date, Status]]:
    """(number, date, status) of each row the import will record, in the file's order."""
    rows = []
    for row in result.rows:
        if row.import_type != "new" or not row.row_values:
            continue
        values = row.row_values
        try:
            rows.append(
                (
                    parse_whole_number(values.get("recommendation")),
                    parse_date(values.get("date")),
                    Status.from_label(str(values.get("status"))),
                )
            )
        except (TypeError, ValueError):
            continue  # refused rows are reported on their own
    return rows


def status_changes(rows: Iterable[tuple[int, datetime.date, Status]]) -> list[StatusChange]:
    """The status each recommendation moves to if these rows are published, where it moves.
    One query, whatever the number of rows."""
    latest: dict[int, tuple[datetime.date, Status]] = {}
    for number, date, status in rows:
        # A later row of the same date is recorded later, and so wins.
        if number not in latest or date >= latest[number][0]:
            latest[number] = (date, status)
    changes = []
    recommendations = (
        Recommendation.objects.of_default_review()
        .filter(number__in=latest)
        .only("number", "text", "status", "last_updated")
    )
    for recommendation in recommendations.order_by("number"):
        date, status = latest[recommendation.number]
        stored = recommendation.last_updated
        if (stored is None or date >= stored) and status != recommendation.status:
            changes.append(
                StatusChange(
                    recommendation.number,
                    label(recommendation),
                    Status(recommendation.status),
                    status,
                )
            )
    return changes
