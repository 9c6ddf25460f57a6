"""No public page's query count grows with its rows; repeat views are cheap, changes show."""

import datetime

import pytest
from django.core.cache import caches

from boards.models import Action, AgendaItem, Meeting
from recommendations.models import (
    LinkKind,
    Ownership,
    ProgressUpdate,
    Recommendation,
    RecommendationLink,
)
from recommendations.services import record_update, refresh_positions
from tests.factories import BoardFactory, MeetingFactory, OrganisationFactory, ReviewFactory
from tests.site_data import make_site

D = datetime.date

#: The most queries each page may make, whatever the number of rows (the same bound at 10
#: and at 1,000 recommendations). One of them is the freshness stamp, read once a request.
PAGES = {
    "/": 7,
    "/?as_at=2017-06-30": 7,
    "/recommendations/": 8,
    "/recommendations/?owner=ag-0&board=big-board&sort=-last_updated&page=1": 10,
    # A search: one more query for the matched words of the page's updates (SQLite).
    '/recommendations/?q=5+"text"': 9,
    "/recommendations/5/": 13,  # with the public evidence and the actions' carry chains
    "/organisations/ag-0/": 6,
    "/boards/": 3,
    "/boards/big-board/": 8,  # one more: where carried-forward actions now stand
    "/boards/big-board/2017-01-18/": 10,
    "/updates/feed/": 3,
    "/organisations/ag-0/feed/": 4,
    "/recommendations/5/feed/": 4,
    "/report/2017/": 8,  # paged: the count; its figures kept under the stamp
    "/recommendations.csv": 5,
    "/recommendations.json?board=big-board": 5,
}


def make_rows(count: int) -> None:
    """`count` recommendations, each owned, updated twice, overseen and discussed; the fifth
    linked to all the others and to as many of a later review, every kind both ways."""
    organisations = [OrganisationFactory(slug=f"ag-{i}") for i in range(3)]
    recommendations = Recommendation.objects.bulk_create(
        Recommendation(number=n, text=f"Recommendation text {n}") for n in range(1, count + 1)
    )
    make_links(recommendations[4], recommendations)
    Ownership.objects.bulk_create(
        Ownership(recommendation=r, organisation=o, is_lead=i == 0)
        for r in recommendations
        for i, o in enumerate(organisations)
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            recommendation=r, date=day, text="An update.", status=status, published=True
        )
        for r in recommendations
        for day, status in [(D(2017, 3, 1), "ongoing"), (D(2017, 10, 31), "resolved")]
    )
    refresh_positions(recommendation_ids=[r.pk for r in recommendations])
    board = BoardFactory(slug="big-board")
    board.members.set(organisations)
    board.oversees.set(recommendations)
    meeting = MeetingFactory(board=board, date=D(2017, 1, 18))
    items = AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, number=n, title=f"Item {n}", confidential=n % 2 == 0)
        for n in range(1, count + 1)
    )
    actions = Action.objects.bulk_create(
        Action(meeting=meeting, reference=f"Action {n}", text="Do") for n in range(1, count + 1)
    )
    AgendaItem.recommendations.through.objects.bulk_create(
        AgendaItem.recommendations.through(agendaitem=item, recommendation=r)
        for item, recommendation in zip(items, recommendations, strict=True)
        for r in {recommendation, recommendations[4]}
    )
    Action.recommendations.through.objects.bulk_create(
        Action.recommendations.through(action=action, recommendation=r)
        for action, recommendation in zip(actions, recommendations, strict=True)
        for r in {recommendation, recommendations[4]}
    )
    Action.owners.through.objects.bulk_create(
        Action.owners.through(action=action, organisation=organisation)
        for action in actions
        for organisation in organisations
    )


def make_links(hub: Recommendation, recommendations: list[Recommendation]) -> None:
    """`hub` linked to each of `recommendations` and of a later review's as many, the kinds
    and directions in turn: its page names every other end's review and status."""
    later = ReviewFactory(slug="later-review", published_on=D(2022, 3, 1))
    others = [r for r in recommendations if r != hub]
    others += Recommendation.objects.bulk_create(
        Recommendation(review=later, number=r.number, text="Later.") for r in recommendations
    )
    kinds = [LinkKind.RELATED, LinkKind.TAKES_UP, LinkKind.SUPERSEDES]
    RecommendationLink.objects.bulk_create(
        RecommendationLink(
            from_recommendation=hub if i % 2 else other,
            to_recommendation=other if i % 2 else hub,
            kind=kinds[i % 3],
        )
        for i, other in enumerate(others)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1000])
def test_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, count):
    make_rows(count)
    for url, bound in PAGES.items():
        caches["pages"].clear()
        with django_assert_max_num_queries(bound, info=url):
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_a_repeat_view_with_the_etag_is_a_304_until_an_update_is_added(
    client, django_capture_on_commit_callbacks
):
    site = make_site()
    first = client.get("/recommendations/62/")
    etag = first["ETag"]
    assert first.status_code == 200
    assert "no-cache" in first["Cache-Control"]
    repeat = client.get("/recommendations/62/", headers={"if-none-match": etag})
    assert repeat.status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        record_update(
            recommendation=site.r62,
            date=D(2018, 3, 1),
            status="ongoing",
            text="Work has started again.",
            published=True,
        )
    changed = client.get("/recommendations/62/", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert "Work has started again." in changed.content.decode()
    assert changed["ETag"] != etag


@pytest.mark.django_db
def test_any_committed_change_to_the_boards_shows_at_once(
    client, django_capture_on_commit_callbacks
):
    site = make_site()
    url = site.april.get_absolute_url()
    etag = client.get(url)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        site.april.minutes_status = Meeting.MinutesStatus.PUBLISHED
        site.april.save()
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "Attendance" in response.content.decode()


@pytest.mark.django_db
def test_a_repeat_view_is_served_from_the_cache_with_one_query(client, django_assert_num_queries):
    make_site()
    client.get("/")
    with django_assert_num_queries(1):
        response = client.get("/")
    assert response.status_code == 200
    assert "2 of 3 resolved" in response.content.decode()


@pytest.mark.django_db
def test_error_responses_are_neither_cached_nor_tagged(client):
    make_site()
    response = client.get("/recommendations/", {"status": "nonsense"})
    assert response.status_code == 400
    assert not response.has_header("ETag")


@pytest.mark.django_db
def test_a_bulk_write_of_updates_changes_the_etag(client, django_capture_on_commit_callbacks):
    site = make_site()
    etag = client.get("/recommendations/62/")["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        ProgressUpdate.objects.filter(recommendation=site.r62).update(text="Rewritten in bulk.")
        # As a data fix must: the writes to updates end with the positions' refresh.
        refresh_positions(recommendation_ids=[site.r62.pk])
    changed = client.get("/recommendations/62/", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
