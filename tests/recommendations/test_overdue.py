"""The Overdue page: what staff must chase."""

import datetime

import pytest

from tests.factories import (
    ActionFactory,
    OrganisationFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/admin/recommendations/recommendation/overdue/"
today = datetime.date.today()
days = datetime.timedelta


def test_the_overdue_page_lists_what_to_chase(client, settings):
    settings.REPORTING_INTERVAL_DAYS = 183
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    mps, lfb = OrganisationFactory(name="Met", slug="mps"), OrganisationFactory(name="LFB")
    late = RecommendationFactory(number=12, target_date=today - days(1))
    OwnershipFactory(recommendation=late, organisation=mps)
    ProgressUpdateFactory(recommendation=late, date=today - days(10))
    done_late = RecommendationFactory(number=13, target_date=today - days(30))
    ProgressUpdateFactory(recommendation=done_late, status="resolved", date=today - days(400))
    quiet = RecommendationFactory(number=14)
    OwnershipFactory(recommendation=quiet, organisation=lfb)
    ProgressUpdateFactory(recommendation=quiet, date=today - days(200))

    response = client.get(URL)
    assert response.status_code == 200
    past = [r.number for r in response.context["past_target"]]
    assert past == [12]  # 13 is resolved: not overdue
    owners = {owner.name: owner for owner in response.context["owners"]}
    assert [r.number for r in owners["LFB"].owned] == [14]
    assert owners["LFB"].owned_last_updated == today - days(200)
    assert "Met" not in owners  # it reported ten days ago


def test_the_admin_index_links_to_the_overdue_page(client):
    client.force_login(StaffUserFactory(role="Auditor"))
    assert URL in client.get("/admin/").content.decode()
    assert client.get(URL).status_code == 200


def test_overdue_needs_staff(client):
    assert client.get(URL).status_code == 302


def test_the_overdue_page_queries_do_not_grow(client, django_assert_max_num_queries):
    client.force_login(StaffUserFactory(role="MOPAC officer"))

    def make(n):
        for _ in range(n):
            OwnershipFactory(recommendation__target_date=today - days(5))
            ActionFactory(due_date=today - days(2))

    make(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    make(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(URL)


def test_the_overdue_page_turns_each_tables_pages_on_its_own(client, settings):
    """At scale the page lists a page of each table, never thousands of rows at once."""
    settings.REPORTING_INTERVAL_DAYS = 183
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    mps = OrganisationFactory(name="Met", slug="mps")
    for number in range(1, 61):
        late = RecommendationFactory(number=number, target_date=today - days(number))
        OwnershipFactory(recommendation=late, organisation=mps)

    first = client.get(URL)
    assert [r.number for r in first.context["past_target"]] == list(range(60, 35, -1))
    page = first.content.decode()
    assert "not resolved (60)" in page
    assert 'href="?late-page=2"' in page
    second = client.get(URL, {"late-page": "3", "owners-page": "1"})
    assert [r.number for r in second.context["past_target"]] == list(range(10, 0, -1))
    assert 'href="?late-page=2&amp;owners-page=1"' in second.content.decode()


def test_an_owner_of_many_recommendations_names_the_first_ten(client, settings):
    settings.REPORTING_INTERVAL_DAYS = 183
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    mps = OrganisationFactory(name="Met", slug="mps")
    for number in range(1, 26):
        OwnershipFactory(recommendation=RecommendationFactory(number=number), organisation=mps)

    response = client.get(URL)
    (owner,) = response.context["owners"]
    assert [r.number for r in owner.owned] == list(range(1, 11))
    assert "and 15 more (all in the chase list)" in response.content.decode()
