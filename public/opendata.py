"""The open-data rows: one per recommendation, shared by the CSV and JSON downloads."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator

from django.db.models import QuerySet
from django.urls import reverse

from recommendations.models import Ownership, Recommendation, Section, Status
from recommendations.opendata import spreadsheet_safe

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
    # The values the list's filters take (?status=…&section=…&owner=…), so that a row leads
    # back to the filtered list.
    "status_slug",
    "section_slug",
    "owner_slugs",
    # Added last, so that the columns scripts already read keep their places.
    "review",
]

#: The fields a row is made of, read as plain values: a download of 10,000 rows makes no
#: model instances (building them, and prefetching per instance, was most of its time).
FIELDS = (
    "pk",
    "number",
    "text",
    "status",
    "section",
    "last_updated",
    "latest_update__text",
    "review__slug",
)
CHUNK = 1000


def row(values: dict, owners: list[tuple[str, str, bool]], url: str = "") -> dict:
    """One open-data row from a recommendation's `FIELDS` and its owners (name, slug, lead)."""
    last_updated = values["last_updated"]
    return {
        "number": values["number"],
        "text": values["text"],
        "status": Status(values["status"]).label,
        "section": Section(values["section"]).label,
        "owners": [name for name, _, _ in owners],
        "lead_owner": next((name for name, _, is_lead in owners if is_lead), ""),
        "last_updated": last_updated.isoformat() if last_updated else "",
        "latest_update": values["latest_update__text"] or "",
        "url": url,
        "status_slug": values["status"],
        "section_slug": values["section"],
        "owner_slugs": [slug for _, slug, _ in owners],
        "review": values["review__slug"],
    }


def _owners_of(recommendation_ids: list[int]) -> dict[int, list[tuple[str, str, bool]]]:
    """Each recommendation's owners (name, slug, is lead): lead first, then by name; one query."""
    owners: dict[int, list[tuple[str, str, bool]]] = {pk: [] for pk in recommendation_ids}
    ownerships = (
        Ownership.objects.filter(recommendation_id__in=recommendation_ids)
        .order_by("-is_lead", "organisation__name")
        .values_list("recommendation_id", "organisation__name", "organisation__slug", "is_lead")
    )
    for recommendation_id, name, slug, is_lead in ownerships:
        owners[recommendation_id].append((name, slug, is_lead))
    return owners


def rows(
    queryset: QuerySet[Recommendation], absolute: Callable[[str], str] = str
) -> Iterator[dict]:
    """The rows, streamed in chunks: two queries per 1,000 recommendations.

    The pages' URLs differ only by number, so `reverse()` and `absolute` run once.
    """
    page = absolute(reverse("recommendations:detail", kwargs={"number": _PLACEHOLDER}))
    before, after = page.split(str(_PLACEHOLDER))
    chunk: list[dict] = []
    for values in queryset.values(*FIELDS).iterator(chunk_size=CHUNK):
        chunk.append(values)
        if len(chunk) == CHUNK:
            yield from _rows_of(chunk, before, after)
            chunk = []
    yield from _rows_of(chunk, before, after)


def _rows_of(chunk: list[dict], before: str, after: str) -> Iterator[dict]:
    owners = _owners_of([values["pk"] for values in chunk]) if chunk else {}
    for values in chunk:
        yield row(values, owners[values["pk"]], f"{before}{values['number']}{after}")


#: A number no recommendation has, to make one URL that every row's can be written from.
_PLACEHOLDER = 987654321


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
        record = {
            **record,
            "owners": "; ".join(record["owners"]),
            "owner_slugs": "; ".join(record["owner_slugs"]),
        }
        yield writer.writerow([spreadsheet_safe(record[column]) for column in COLUMNS])


def json_chunks(records: Iterable[dict], meta: dict) -> Iterator[str]:
    """One JSON document, streamed: {"meta": …, "recommendations": [ … ]}."""
    head = json.dumps(meta, ensure_ascii=False)
    yield f'{{"meta": {head}, "recommendations": ['
    for index, record in enumerate(records):
        yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]}\n"


def _labels(choices: type[Status] | type[Section]) -> list[str]:
    return [str(label) for label in choices.labels]


#: Each column of the downloads as a Table Schema field, plus an example for the data page.
#: The order is `COLUMNS`'; a test holds the two together.
SCHEMA_FIELDS = [
    {
        "name": "number",
        "type": "integer",
        "description": "The recommendation's number in the Harris Review (1 to 127).",
        "constraints": {"required": True, "unique": True, "minimum": 1},
        "example": "47",
    },
    {
        "name": "text",
        "type": "string",
        "description": "The recommendation, as the review worded it.",
        "example": "The London Ambulance Service should …",
    },
    {
        "name": "status",
        "type": "string",
        "description": "Its current status, as the site shows it.",
        "constraints": {"enum": _labels(Status)},
        "example": str(Status.labels[0]),
    },
    {
        "name": "section",
        "type": "string",
        "description": "The part of the review it is in, as the site shows it.",
        "constraints": {"enum": _labels(Section)},
        "example": str(Section.labels[0]),
    },
    {
        "name": "owners",
        "type": "string",
        "description": "The organisations responsible for it, lead first, joined with '; '.",
        "example": "London Ambulance Service; Metropolitan Police Service",
    },
    {
        "name": "lead_owner",
        "type": "string",
        "description": "The organisation that leads on it (empty if none is named).",
        "example": "London Ambulance Service",
    },
    {
        "name": "last_updated",
        "type": "date",
        "description": "The date of its latest published progress update (empty if none).",
        "example": "2017-10-31",
    },
    {
        "name": "latest_update",
        "type": "string",
        "description": "The text of its latest published progress update (empty if none).",
        "example": "This recommendation has been resolved.",
    },
    {
        "name": "url",
        "type": "string",
        "format": "uri",
        "description": "Its page on this site.",
        "example": "https://…/recommendations/47/",
    },
    {
        "name": "status_slug",
        "type": "string",
        "description": "Its status as the list's filter takes it: /recommendations/?status=…",
        "constraints": {"enum": list(Status.values)},
        "example": str(Status.values[0]),
    },
    {
        "name": "section_slug",
        "type": "string",
        "description": "Its section as the list's filter takes it: /recommendations/?section=…",
        "constraints": {"enum": list(Section.values)},
        "example": str(Section.values[0]),
    },
    {
        "name": "owner_slugs",
        "type": "string",
        "description": "Its owners as the list's filter takes them (?owner=…), joined with '; '.",
        "example": "las; mps",
    },
    {
        "name": "review",
        "type": "string",
        "description": "The review that made it, by its short name (slug).",
        "constraints": {"required": True},
        "example": "harris-2016",
    },
]
