"""Exporting the year's position for the annual report, from the admin changelist."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.models import Recommendation, TargetDateChange
from recommendations.resources import PositionResource
from recommendations.services import set_target_date
from tests.factories import (
    OrganisationFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
)
from tests.helpers import body, prepared_download

pytestmark = pytest.mark.django_db

EXPORT_URL = "/admin/recommendations/recommendation/export/"
POSITION_FIELDS = [
    "number",
    "text",
    "section",
    "status",
    "owners",
    "lead_owner",
    "target_date",
    "latest_update_date",
    "latest_update",
    "as_at",
]
HEADERS = [
    "Number",
    "Recommendation",
    "Section",
    "Status",
    "Owners",
    "Lead owner",
    "Expected completion",
    "Latest update dated",
    "Latest update",
    "Position as at",
]


@pytest.fixture
def data():
    mps = OrganisationFactory(name="Metropolitan Police Service", acronym="MPS", slug="mps")
    lfb = OrganisationFactory(name="London Fire Brigade", acronym="LFB", slug="lfb")
    r48 = RecommendationFactory(number=48, section="mayor", target_date=datetime.date(2019, 3, 31))
    OwnershipFactory(recommendation=r48, organisation=lfb, is_lead=True)
    OwnershipFactory(recommendation=r48, organisation=mps, is_lead=False)
    ProgressUpdateFactory(
        recommendation=r48, date=datetime.date(2017, 10, 31), status="ongoing",
        text="=HYPERLINK(\"http://evil\")",
    )  # fmt: skip
    ProgressUpdateFactory(
        recommendation=r48, date=datetime.date(2018, 10, 31), status="resolved", text="Done."
    )
    ProgressUpdateFactory(
        recommendation=r48, date=datetime.date(2018, 11, 1), status="ongoing",
        text="Draft", published=False,
    )  # fmt: skip
    r5 = RecommendationFactory(number=5)
    OwnershipFactory(recommendation=r5, organisation=mps)
    return r48, r5


@pytest.fixture
def client(client, run_tasks):
    """A workbook is built by a task after the request: its tasks run when it has answered."""
    client.run_tasks = run_tasks
    return client


def export(client, fmt: str, as_at: str = "", query: str = ""):
    """The CSV the export sends, or the workbook it prepares (from "Your exports")."""
    client.force_login(StaffUserFactory(role="Report author"))
    data = {"format": fmt, "resource": "0", "position_as_at": as_at}
    data.update({f"positionresource_{name}": "on" for name in POSITION_FIELDS})
    with client.run_tasks():
        response = client.post(EXPORT_URL + query, data)
    if fmt == "1":
        response = prepared_download(client, response)
    assert response.status_code == 200, response.content[:500]
    return response


def test_the_position_as_at_a_date(data):
    rows = (
        PositionResource(as_at=datetime.date(2018, 1, 1)).export(Recommendation.objects.all()).dict
    )
    r48 = next(r for r in rows if r["Number"] == 48)
    assert r48["Status"] == "Ongoing"
    assert r48["Latest update dated"] == "2017-10-31"
    assert r48["Owners"] == "London Fire Brigade; Metropolitan Police Service"
    assert r48["Lead owner"] == "London Fire Brigade"
    assert r48["Expected completion"] == "2019-03-31"
    later = (
        PositionResource(as_at=datetime.date(2019, 1, 1))
        .export(Recommendation.objects.filter(number=48))
        .dict[0]
    )
    assert (later["Status"], later["Latest update"]) == ("Resolved", "Done.")


def test_csv_export_from_the_admin(client, data):
    response = export(client, "0", as_at="01/01/2018")
    assert response["Content-Disposition"].endswith('.csv"')
    text = body(response).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Number"] for r in rows] == ["5", "48"]
    r48 = rows[1]
    assert r48["Status"] == "Ongoing"
    assert r48["Position as at"] == "2018-01-01"
    # A cell a spreadsheet would run as a formula is escaped.
    assert r48["Latest update"].startswith("'=")
    assert r48["Section"] == "Mayor's Office, MOPAC and LFEPA"


def test_xlsx_export_from_the_admin(client, data):
    response = export(client, "1", as_at="2019-01-01")
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    rows = list(sheet.values)
    assert list(rows[0]) == HEADERS
    r48 = dict(zip(rows[0], rows[2], strict=True))
    assert r48["Status"] == "Resolved"
    assert r48["Latest update"] == "Done."


def test_the_export_honours_the_changelist_filters(client, data):
    response = export(client, "0", query="?section__exact=mayor")
    rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert [r["Number"] for r in rows] == ["48"]


def test_the_export_without_a_date_is_as_at_today(client, data):
    response = export(client, "0")
    rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert rows[1]["Status"] == "Resolved"
    assert rows[1]["Position as at"] == datetime.date.today().isoformat()


def test_export_queries_do_not_grow_with_the_rows():
    def count(n: int) -> int:
        Recommendation.objects.all().delete()
        for number in range(1, n + 1):
            recommendation = RecommendationFactory(number=number)
            OwnershipFactory(recommendation=recommendation)
            ProgressUpdateFactory(recommendation=recommendation)
        with CaptureQueriesContext(connection) as captured:
            PositionResource().export(Recommendation.objects.all())
        return len(captured.captured_queries)

    assert count(5) == count(40)


def test_the_position_carries_the_recommendation_text(data):
    RecommendationFactory(number=7, text="Consideration should be given by the GLA to a review.")
    (row,) = PositionResource().export(Recommendation.objects.filter(number=7)).dict
    assert row["Recommendation"] == "Consideration should be given by the GLA to a review."


def test_the_expected_completion_is_the_one_set_at_the_date(client, data):
    r48, _ = data
    officer = StaffUserFactory(role="MOPAC officer")
    change = set_target_date(recommendation=r48, target_date=datetime.date(2020, 3, 31),
                             reason="Funding moved.", user=officer)  # fmt: skip
    # As if made on 1 June 2018.
    TargetDateChange.objects.filter(pk=change.pk).update(
        changed_at=datetime.datetime(2018, 6, 1, 12, tzinfo=datetime.UTC)
    )

    def expected_on(as_at: datetime.date) -> str:
        resource = PositionResource(as_at=as_at)
        return resource.export(Recommendation.objects.filter(number=48)).dict[0][
            "Expected completion"
        ]

    assert expected_on(datetime.date(2018, 1, 1)) == "2019-03-31"
    assert expected_on(datetime.date(2018, 6, 1)) == "2020-03-31"


def test_a_future_as_at_date_is_refused(client, data):
    client.force_login(StaffUserFactory(role="Report author"))
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    response = client.post(
        EXPORT_URL, {"format": "0", "resource": "0", "position_as_at": tomorrow.isoformat()}
    )
    assert response.status_code == 200
    assert "is after today" in response.context["form"].errors["position_as_at"][0]


def test_the_file_is_named_for_its_as_at_date(client, data):
    response = export(client, "1", as_at="2017-10-31")
    assert response["Content-Disposition"].endswith('harris-review-position-2017-10-31.xlsx"')


def test_the_workbook_is_readable_as_it_opens(client, data):
    response = export(client, "1", as_at="2017-10-31")
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    assert sheet.title == "Position at 2017-10-31"
    widths = {
        sheet.cell(row=1, column=i).value: sheet.column_dimensions[letter].width
        for i, letter in enumerate("ABCDEFGHIJ", start=1)
    }
    assert all(8 <= width <= 60 for width in widths.values())
    assert widths["Number"] < widths["Owners"]
    assert sheet["B2"].alignment.wrap_text
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
