"""The open-data rows: one per recommendation, shared by the CSV and JSON downloads."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator

from django.db.models import Prefetch, QuerySet

from recommendations.models import Ownership, Recommendation

COLUMNS = [
    "number",
    "text",
    "status",
    "section",
    "owners",
    "lead_owner",
    "last_updated",
    "latest_update",
    "url",
]

#: A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """The value, with a leading apostrophe where a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def download_queryset(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """The queryset with everything a row needs, in a fixed number of queries."""
    return queryset.select_related("latest_update").prefetch_related(
        Prefetch("ownerships", queryset=Ownership.objects.select_related("organisation"))
    )


def row(recommendation: Recommendation, absolute: Callable[[str], str] = str) -> dict:
    """One open-data row; `absolute` turns the page's path into a full URL (the request's)."""
    ownerships = list(recommendation.ownerships.all())
    lead = next((o.organisation.name for o in ownerships if o.is_lead), "")
    latest = recommendation.latest_update
    return {
        "number": recommendation.number,
        "text": recommendation.text,
        "status": recommendation.get_status_display(),
        "section": recommendation.get_section_display(),
        "owners": [o.organisation.name for o in ownerships],
        "lead_owner": lead,
        "last_updated": (
            recommendation.last_updated.isoformat() if recommendation.last_updated else ""
        ),
        "latest_update": latest.text if latest else "",
        "url": absolute(recommendation.get_absolute_url()),
    }


def rows(
    queryset: QuerySet[Recommendation], absolute: Callable[[str], str] = str
) -> Iterator[dict]:
    for recommendation in download_queryset(queryset).iterator(chunk_size=1000):
        yield row(recommendation, absolute)


def buffered(chunks: Iterable[str], size: int = 64 * 1024) -> Iterator[bytes]:
    """The chunks joined into blocks of about `size` bytes.

    A server writes each chunk of a streamed response to the socket on its own; one small
    write per row makes a download many times slower than it need be.
    """
    block: list[bytes] = []
    length = 0
    for chunk in chunks:
        data = chunk.encode()
        block.append(data)
        length += len(data)
        if length >= size:
            yield b"".join(block)
            block, length = [], 0
    if block:
        yield b"".join(block)


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(records: Iterable[dict]) -> Iterator[str]:
    """CSV text, BOM first so that spreadsheets read it as UTF-8; cells safe from formulas."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for record in records:
        record = {**record, "owners": "; ".join(record["owners"])}
        yield writer.writerow([spreadsheet_safe(record[column]) for column in COLUMNS])


def json_chunks(records: Iterable[dict], meta: dict) -> Iterator[str]:
    """One JSON document, streamed: {"meta": …, "recommendations": [ … ]}."""
    head = json.dumps(meta, ensure_ascii=False)
    yield f'{{"meta": {head}, "recommendations": ['
    for index, record in enumerate(records):
        yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]}\n"
