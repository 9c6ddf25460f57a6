"""Staff downloads stream: the file starts before its rows are read, and is never held whole."""

import datetime

import pytest

from recommendations.admin import RecommendationAdmin
from recommendations.models import Recommendation
from recommendations.resources import PositionResource
from recommendations.streaming import resource_rows
from tests.factories import (
    OrganisationFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
)
from tests.helpers import body, prepared_download
from tests.recommendations.test_export import HEADERS, POSITION_FIELDS

pytestmark = pytest.mark.django_db

EXPORT_URL = "/admin/recommendations/recommendation/export/"
OVERDUE_URL = "/admin/recommendations/recommendation/overdue/"


@pytest.fixture
def recommendations():
    mps = OrganisationFactory(name="Metropolitan Police Service", acronym="MPS")
    for number in range(1, 8):
        recommendation = RecommendationFactory(
            number=number, target_date=datetime.date(2020, 1, 1)
        )
        OwnershipFactory(recommendation=recommendation, organisation=mps, is_lead=True)
        ProgressUpdateFactory(
            recommendation=recommendation,
            date=datetime.date(2017, 10, 31),
            status="ongoing",
            text=f"=cmd|' /C calc'!A{number}" if number == 3 else "Work goes on.",
        )


def post_export(client, file_format: str, as_at: str = "2018-01-01"):
    client.force_login(StaffUserFactory(role="Report author"))
    data = {"format": file_format, "resource": "0", "position_as_at": as_at}
    data.update({f"positionresource_{name}": "on" for name in POSITION_FIELDS})
    return client.post(EXPORT_URL, data)


def test_the_position_csv_sends_its_header_line_before_any_row(client, recommendations):
    response = post_export(client, "0")
    assert response.status_code == 200
    assert response.streaming
    first = next(iter(response.streaming_content))
    assert first.decode("utf-8-sig") == ",".join(HEADERS) + "\r\n"


def test_the_streamed_csv_is_the_file_django_import_export_writes(client, rf, recommendations):
    """Same bytes as the library's own export: quoting, escaping of formulas, byte-order mark."""
    streamed = body(post_export(client, "0", as_at=""))
    request = rf.post(EXPORT_URL)
    request.user = StaffUserFactory(role="Report author")
    admin = RecommendationAdmin(Recommendation, None)
    library = admin.get_export_data(
        admin.get_export_formats()[0](),
        request,
        Recommendation.objects.all(),
        encoding=admin.to_encoding,
    )
    assert streamed.startswith(b"\xef\xbb\xbf") and streamed.count(b"\xef\xbb\xbf") == 1
    assert b"'=cmd" in streamed
    assert streamed == library


def test_the_position_workbook_is_sent_from_a_file(client, run_tasks, recommendations):
    with run_tasks():
        response = post_export(client, "1")
    response = prepared_download(client, response)
    assert response.status_code == 200
    assert response.streaming
    assert body(response).startswith(b"PK")


def test_rows_are_read_in_chunks_with_their_relations(django_assert_num_queries, recommendations):
    resource = PositionResource(as_at=datetime.date(2018, 1, 1))
    resource._meta.chunk_size, saved = 3, resource._meta.chunk_size
    try:
        # Seven rows in chunks of three: each chunk one query for its owners and one for
        # its changes of date; the rows themselves come from one query's cursor.
        with django_assert_num_queries(1 + 3 * 2):
            rows = list(resource_rows(resource, Recommendation.objects.all()))
    finally:
        resource._meta.chunk_size = saved
    assert [row[0] for row in rows] == list(range(1, 8))


def test_the_chase_list_csv_streams(client, settings, recommendations):
    settings.REPORTING_INTERVAL_DAYS = 100
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    response = client.get(f"{OVERDUE_URL}?download=csv")
    assert response.streaming
    lines = body(response).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Owner,Contact,")
    assert len(lines) == 1 + 7
