"""Workbook exports are built by a background task and downloaded from "Your exports"."""

import datetime
import io
from unittest import mock

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.exports import KEEP_PER_USER, build_export
from recommendations.models import PreparedExport, Recommendation
from recommendations.workbooks import ReadableXLSX
from tests.factories import (
    OrganisationFactory,
    OwnershipFactory,
    PreparedExportFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
    UserFactory,
)
from tests.helpers import body, prepared_download
from tests.recommendations.test_export import POSITION_FIELDS

pytestmark = pytest.mark.django_db

EXPORT_URL = "/admin/recommendations/recommendation/export/"
OVERDUE_URL = "/admin/recommendations/recommendation/overdue/"
YOUR_EXPORTS = "/admin/recommendations/preparedexport/"
FILTERS = "?section__exact=mayor"


@pytest.fixture
def recommendations():
    mps = OrganisationFactory(name="Metropolitan Police Service", acronym="MPS")
    for number in range(1, 9):
        recommendation = RecommendationFactory(
            number=number,
            section="mayor" if number % 2 else "other",
            target_date=datetime.date(2020, 1, 1),
        )
        OwnershipFactory(recommendation=recommendation, organisation=mps, is_lead=True)
        ProgressUpdateFactory(
            recommendation=recommendation,
            date=datetime.date(2017, 10, 31),
            status="resolved" if number == 3 else "ongoing",
            text=f"=cmd|' /C calc'!A{number}" if number == 5 else f"Update on {number}.",
        )


@pytest.fixture
def author(client):
    user = StaffUserFactory(role="Report author")
    client.force_login(user)
    client.user = user
    return client


def ask_for_the_position(client, query: str = FILTERS):
    data = {"format": "1", "resource": "0", "position_as_at": ""}
    data.update({f"positionresource_{name}": "on" for name in POSITION_FIELDS})
    return client.post(EXPORT_URL + query, data)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def cells(content: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(content)).active.values)


BUILT_IN_THE_REQUEST = AssertionError("a workbook was built inside the request")


def test_the_request_builds_no_workbook_and_says_where_it_will_be(author, recommendations):
    with (
        mock.patch(
            "recommendations.admin.write_readable_workbook", side_effect=BUILT_IN_THE_REQUEST
        ),
        mock.patch(
            "recommendations.workbooks.readable_workbook", side_effect=BUILT_IN_THE_REQUEST
        ),
    ):
        response = ask_for_the_position(author)

    # Back to the list as it was filtered, with word of where the file will be.
    assert response.status_code == 302
    assert response["Location"] == "/admin/recommendations/recommendation/" + FILTERS
    (message,) = messages_of(response)
    today = datetime.date.today().isoformat()
    assert f"Your export of “Position at {today}” is being prepared" in message
    assert f'<a href="{YOUR_EXPORTS}">Your exports</a>' in message
    assert "ready to download" in message
    (export,) = PreparedExport.objects.all()
    assert (export.requested_by, export.state) == (author.user, PreparedExport.State.QUEUED)
    assert export.filters == "section__exact=mayor"
    assert not export.file


def test_the_chase_list_request_builds_no_workbook(author, recommendations, settings):
    settings.REPORTING_INTERVAL_DAYS = 100
    with mock.patch("recommendations.chase.write_xlsx", side_effect=BUILT_IN_THE_REQUEST):
        response = author.post(OVERDUE_URL, {"download": "xlsx"})
    assert response.status_code == 302
    assert response["Location"] == OVERDUE_URL
    (message,) = messages_of(response)
    assert "Your export of “Chase list" in message and "is being prepared" in message
    assert PreparedExport.objects.get().state == PreparedExport.State.QUEUED


def test_the_prepared_workbook_holds_what_the_synchronous_export_wrote(
    author, recommendations, run_tasks, rf
):
    with run_tasks():
        response = ask_for_the_position(author)
    download = prepared_download(author, response)
    assert download["Content-Disposition"] == (
        f'attachment; filename="harris-review-position-{datetime.date.today().isoformat()}.xlsx"'
    )

    # The library's own synchronous export of the same filtered list, for comparison.
    request = rf.post(EXPORT_URL + FILTERS)
    request.user = author.user
    model_admin = admin.site.get_model_admin(Recommendation)
    synchronous = model_admin.get_export_data(
        ReadableXLSX(), request, model_admin.get_export_queryset(request)
    )
    prepared = cells(body(download))
    assert prepared == cells(synchronous)
    assert [row[0] for row in prepared[1:]] == [1, 3, 5, 7]  # the filtered list only
    assert prepared[3][8].startswith("'=cmd")  # a formula is still guarded


def test_your_exports_lists_the_users_exports_newest_first(author, recommendations, run_tasks):
    older = PreparedExportFactory(requested_by=author.user, name="An older export")
    PreparedExportFactory(name="Someone else's export")
    with run_tasks():
        ask_for_the_position(author)
    newest = PreparedExport.objects.exclude(pk=older.pk).get(requested_by=author.user)

    page = author.get(YOUR_EXPORTS).content.decode()

    assert page.index("Position at") < page.index("An older export")
    assert f"{YOUR_EXPORTS}{newest.pk}/download/" in page
    assert "section__exact = mayor" in page  # the filters it was asked with
    assert "Someone else" not in page


def test_the_staff_home_links_to_your_exports(author):
    assert f'href="{YOUR_EXPORTS}"' in author.get("/admin/").content.decode()


def test_only_the_user_who_asked_or_a_superuser_downloads_an_export(client):
    export = PreparedExportFactory()
    url = f"{YOUR_EXPORTS}{export.pk}/download/"

    client.force_login(StaffUserFactory(role="Report author"))
    assert client.get(url).status_code == 404

    client.force_login(export.requested_by)
    assert body(client.get(url)) == b"PK workbook"

    client.force_login(UserFactory(username="root", is_superuser=True))
    assert client.get(url).status_code == 200


def test_an_export_still_being_prepared_has_nothing_to_download(client):
    export = PreparedExportFactory(state=PreparedExport.State.QUEUED)
    client.force_login(export.requested_by)
    assert client.get(f"{YOUR_EXPORTS}{export.pk}/download/").status_code == 404
    assert "Being prepared" in client.get(YOUR_EXPORTS).content.decode()


def test_a_failed_build_says_so_in_words_not_a_traceback(author, recommendations, run_tasks):
    with (
        mock.patch(
            "recommendations.admin.write_readable_workbook",
            side_effect=OSError("No space left on device"),
        ),
        run_tasks(),
    ):
        ask_for_the_position(author)

    export = PreparedExport.objects.get()
    assert export.state == PreparedExport.State.FAILED
    assert not export.file
    page = author.get(YOUR_EXPORTS).content.decode()
    assert "Failed: The file could not be built because of an error on the server" in page
    assert "Traceback" not in page and "No space left" not in page


def test_a_user_who_lost_the_export_permission_meanwhile_gets_no_file(author, recommendations):
    ask_for_the_position(author)
    export = PreparedExport.objects.get()
    author.user.groups.set([Group.objects.get(name="MOPAC officer")])

    build_export.call(export.pk)

    export.refresh_from_db()
    assert export.state == PreparedExport.State.FAILED
    assert export.failure == "You may no longer export recommendations, so nothing was exported."


def test_the_last_ten_exports_of_a_user_are_kept(author, recommendations, run_tasks):
    kept = PreparedExportFactory.create_batch(KEEP_PER_USER, requested_by=author.user)
    oldest = kept[0]
    PreparedExport.objects.filter(pk=oldest.pk).update(
        requested_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    storage = oldest.file.storage
    assert storage.exists(oldest.file.name)

    with run_tasks():
        ask_for_the_position(author)

    assert PreparedExport.objects.filter(requested_by=author.user).count() == KEEP_PER_USER
    assert not PreparedExport.objects.filter(pk=oldest.pk).exists()
    assert not storage.exists(oldest.file.name)


def test_your_exports_queries_do_not_grow_with_the_rows(author):
    def queries(count: int) -> int:
        PreparedExport.objects.all().delete()
        PreparedExportFactory.create_batch(count, requested_by=author.user)
        with CaptureQueriesContext(connection) as captured:
            assert author.get(YOUR_EXPORTS).status_code == 200
        return len(captured.captured_queries)

    assert queries(2) == queries(10)


def test_your_exports_counts_in_plain_words_when_there_are_none(client):
    client.force_login(StaffUserFactory())
    page = client.get("/admin/recommendations/preparedexport/").content.decode()
    assert "Your exports" in page
    assert "0 exports" in page and "0 Your exports" not in page
