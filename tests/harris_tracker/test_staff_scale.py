"""Staff lists hold at scale: their queries do not grow with the rows, and they paginate."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ActionFactory,
    MeetingFactory,
    OrganisationFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def make_recommendations(count: int) -> None:
    organisations = [OrganisationFactory() for _ in range(3)]
    for index in range(count):
        recommendation = RecommendationFactory(target_date=datetime.date(2020, 1, 1))
        OwnershipFactory(recommendation=recommendation, organisation=organisations[index % 3])
        OwnershipFactory(
            recommendation=recommendation,
            organisation=organisations[(index + 1) % 3],
            is_lead=False,
        )
        ProgressUpdateFactory(recommendation=recommendation, date=datetime.date(2018, 1, 1))


def make_updates(count: int) -> None:
    ProgressUpdateFactory.create_batch(count, entered_by=UserFactory())


def make_submissions(count: int) -> None:
    SubmissionFactory.create_batch(count, state="submitted")


def make_meetings(count: int) -> None:
    for meeting in MeetingFactory.create_batch(count):
        ActionFactory(meeting=meeting, owners=[OrganisationFactory()])


def make_actions(count: int) -> None:
    meeting = MeetingFactory()
    for _ in range(count):
        ActionFactory(meeting=meeting, owners=[OrganisationFactory(), OrganisationFactory()])


LISTS = [
    ("/admin/recommendations/recommendation/", make_recommendations),
    ("/admin/recommendations/progressupdate/", make_updates),
    ("/admin/reporting/submission/?state=all", make_submissions),
    ("/admin/boards/meeting/", make_meetings),
    ("/admin/boards/action/", make_actions),
    ("/admin/recommendations/recommendation/overdue/", make_recommendations),
]


@pytest.mark.parametrize(("url", "make"), LISTS)
def test_a_staff_list_makes_as_many_queries_for_100_rows_as_for_10(
    admin_client, django_assert_max_num_queries, url, make
):
    make(10)
    with CaptureQueriesContext(connection) as ten:
        assert admin_client.get(url).status_code == 200
    make(90)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/admin/recommendations/progressupdate/?status__exact=resolved", make_updates),
        ("/admin/reporting/submission/?state=draft", make_submissions),
        ("/admin/boards/meeting/?status__exact=scheduled", make_meetings),
        ("/admin/boards/action/?status__exact=closed", make_actions),
    ],
)
def test_a_filtered_staff_list_counts_its_matches_only(admin_client, url, make):
    """Counting every row again for "N total" is what a list costs at 100,000 rows."""
    make(3)
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(url).status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts
    assert all(" WHERE " in sql.upper() for sql in counts), counts
