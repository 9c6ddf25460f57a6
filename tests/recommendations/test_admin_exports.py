"""Every admin export downloads, in CSV and XLSX, through the admin's own export view."""

import csv
import datetime
import io

import openpyxl
import pytest
import tablib

from boards.models import Board
from boards.resources import ActionResource, BoardResource, MeetingResource
from recommendations.imports import import_updates
from recommendations.resources import (
    OrganisationResource,
    PositionResource,
    ProgressUpdateResource,
    RecommendationResource,
)
from tests.factories import (
    ActionFactory,
    MeetingFactory,
    OrganisationFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
)
from tests.helpers import body, prepared_download

pytestmark = pytest.mark.django_db

FORMATS = {"csv": "0", "xlsx": "1"}


@pytest.fixture
def client(client, run_tasks):
    """A workbook is built by a task after the request: its tasks run when it has answered."""
    client.run_tasks = run_tasks
    return client


def posted(client, url: str, data: dict, file_format: str):
    """The file an export sends: the CSV itself, or the workbook from "Your exports"."""
    with client.run_tasks():
        response = client.post(url, data)
    return prepared_download(client, response) if file_format == "xlsx" else response


@pytest.fixture
def data():
    mps = OrganisationFactory(name="Metropolitan Police Service", acronym="MPS", slug="mps")
    odd = OrganisationFactory(name="-2+3 org", acronym="ODD", slug="odd")
    recommendation = RecommendationFactory(number=48, text="Train every crew.")
    OwnershipFactory(recommendation=recommendation, organisation=mps, is_lead=True)
    OwnershipFactory(recommendation=recommendation, organisation=odd, is_lead=False)
    ProgressUpdateFactory(
        recommendation=recommendation,
        date=datetime.date(2018, 10, 31),
        status="resolved",
        text="All crews trained.",
    )
    meeting = MeetingFactory(board__slug="contest", date=datetime.date(2017, 1, 18))
    action = ActionFactory(meeting=meeting, reference="Action 1", text="Report back.")
    action.owners.set([mps, odd])
    return recommendation


def rows_of(response, file_format: str) -> list[dict]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].endswith(f'.{file_format}"')
    if file_format == "csv":
        return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    header, *rows = openpyxl.load_workbook(io.BytesIO(body(response))).active.values
    return [
        {h: "" if v is None else str(v) for h, v in zip(header, row, strict=True)} for row in rows
    ]


def export(client, url: str, role: str, resource, index: str, file_format: str) -> list[dict]:
    client.force_login(StaffUserFactory(role=role))
    names = resource().get_export_order()
    columns = [resource.fields[name].column_name for name in names]
    prefix = resource.__name__.lower()
    response = posted(
        client,
        url,
        {
            "format": FORMATS[file_format],
            "resource": index,
            **{f"{prefix}_{name}": "on" for name in names},
        },
        file_format,
    )
    rows = rows_of(response, file_format)
    assert rows, "the export has rows"
    assert list(rows[0]) == columns
    return rows


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_years_position_exports(client, data, file_format):
    (row,) = export(
        client,
        "/admin/recommendations/recommendation/export/",
        "Report author",
        PositionResource,
        "0",
        file_format,
    )
    assert (row["Number"], row["Status"]) == ("48", "Resolved")
    assert row["Recommendation"] == "Train every crew."
    assert row["Owners"] == "Metropolitan Police Service; -2+3 org"
    assert row["Latest update"] == "All crews trained."


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_recommendations_round_trip_exports(client, data, file_format):
    (row,) = export(
        client,
        "/admin/recommendations/recommendation/export/",
        "Report author",
        RecommendationResource,
        "1",
        file_format,
    )
    assert (row["number"], row["text"], row["lead_owner"]) == ("48", "Train every crew.", "mps")
    assert row["owners"] == "mps; odd"


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_progress_updates_export_imports_back_unchanged(client, data, file_format):
    (row,) = export(
        client,
        "/admin/recommendations/progressupdate/export/",
        "Report author",
        ProgressUpdateResource,
        "0",
        file_format,
    )
    assert row == {
        "recommendation": "48",
        "date": "2018-10-31",
        "status": "Resolved",
        "update": "All crews trained.",
    }
    report = import_updates(
        dataset_or_file=tablib.Dataset(list(row.values()), headers=list(row)),
        user=None,
        publish=True,
    )
    assert (report.ok, report.new, report.unchanged) == (True, 0, 1)


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_organisations_export(client, data, file_format):
    rows = export(
        client,
        "/admin/recommendations/organisation/export/",
        "Report author",
        OrganisationResource,
        "0",
        file_format,
    )
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug["mps"]["name"] == "Metropolitan Police Service"
    assert by_slug["odd"]["name"] == "'-2+3 org"  # guarded; the import takes it off again


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_board_actions_export(client, data, file_format):
    (row,) = export(
        client,
        "/admin/boards/action/export/",
        "Board secretariat",
        ActionResource,
        "0",
        file_format,
    )
    assert (row["board"], row["meeting_date"], row["reference"]) == (
        "contest",
        "2017-01-18",
        "Action 1",
    )
    assert row["owners"] == "mps; odd"


def test_an_officer_without_the_export_permission_gets_no_file(client, data):
    client.force_login(StaffUserFactory(role="Board secretariat"))
    response = client.post(
        "/admin/recommendations/organisation/export/", {"format": "0", "resource": "0"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_boards_export(client, data, file_format):
    board = Board.objects.get(slug="contest")
    board.name, board.chair = "London CONTEST Board", "=Chair"
    board.save()
    board.members.set(data.owners.all())
    board.oversees.set([data])
    (row,) = export(
        client, "/admin/boards/board/export/", "Board secretariat", BoardResource, "0", file_format
    )
    assert (row["Slug"], row["Name"], row["Chair"]) == (
        "contest",
        "London CONTEST Board",
        "'=Chair",
    )
    assert (row["Members"], row["Oversees"]) == ("mps; odd", "48")


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_meetings_export(client, data, file_format):
    (row,) = export(
        client,
        "/admin/boards/meeting/export/",
        "Board secretariat",
        MeetingResource,
        "0",
        file_format,
    )
    assert (row["Board"], row["Place"], row["Status"]) == ("contest", "City Hall", "Held")
    assert (row["Date"], row["Time"]) == ("2017-01-18", "")


@pytest.mark.parametrize(
    ("url", "resource", "title"),
    [
        ("/admin/boards/board/export/", BoardResource, "Boards"),
        ("/admin/boards/meeting/export/", MeetingResource, "Meetings"),
        ("/admin/boards/action/export/", ActionResource, "Actions"),
    ],
)
def test_the_boards_workbooks_are_readable(client, data, url, resource, title):
    client.force_login(StaffUserFactory(role="Board secretariat"))
    names = resource().get_export_order()
    prefix = resource.__name__.lower()
    response = posted(
        client,
        url,
        {"format": FORMATS["xlsx"], "resource": "0", **{f"{prefix}_{n}": "on" for n in names}},
        "xlsx",
    )
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    assert sheet.title == title
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["B"].width > 8
