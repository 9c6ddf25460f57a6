"""The staff home (/admin/): counts of what needs doing, each opening exactly those rows."""

import datetime
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from boards.models import Meeting
from tests.factories import (
    ActionFactory,
    MeetingFactory,
    OrganisationFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

today = timezone.localdate()
days = datetime.timedelta


def counts_on(response) -> dict[str, tuple[int, str]]:
    """Each count on the home: label → (count, link)."""
    return {
        item.label: (item.count, item.url)
        for panel in response.context["panels"]
        for item in panel.counts
    }


def make_work(settings, n: int = 1) -> None:
    """`n` of each thing the home counts, and some that it must not count."""
    settings.REPORTING_INTERVAL_DAYS = 100
    for i in range(n):
        owner = OrganisationFactory()
        late = RecommendationFactory(target_date=today - days(1))
        OwnershipFactory(recommendation=late, organisation=owner)
        ProgressUpdateFactory(recommendation=late, date=today - days(200))
        ProgressUpdateFactory(recommendation=late, date=today - days(5), published=False)
        meeting = MeetingFactory(date=today - days(10 + i), minutes_status="approved")
        ActionFactory(meeting=meeting, due_date=today - days(1))
        ActionFactory(meeting=meeting, due_date=today + days(30))
    # Not to count: a recent published update, a resolved recommendation, a done action,
    # a meeting with published minutes and one still to come.
    fresh = RecommendationFactory(target_date=today + days(30))
    OwnershipFactory(recommendation=fresh)
    ProgressUpdateFactory(recommendation=fresh, date=today - days(1))
    resolved = RecommendationFactory(target_date=today - days(3))
    ProgressUpdateFactory(recommendation=resolved, status="resolved", date=today - days(400))
    published = MeetingFactory(date=today - days(400))
    ActionFactory(meeting=published, status="done", due_date=today - days(300))
    MeetingFactory(date=today + days(7), status="scheduled", minutes_status="draft")


def test_the_home_counts_what_needs_doing_and_each_link_lists_exactly_those_rows(client, settings):
    make_work(settings, n=2)
    client.force_login(StaffUserFactory(role="Auditor"))
    counts = counts_on(client.get("/admin/"))
    assert {label: count for label, (count, _) in counts.items()} == {
        "Draft updates awaiting publication": 2,
        "Recommendations past their expected date": 2,
        "Owners to chase for an update": 2,
        "Open board actions": 4,
        "Board actions past their due date": 2,
        "Meetings awaiting minutes": 2,
        "Submissions awaiting review": 0,
        "Closure requests awaiting review": 0,
        "Update rounds open": 0,
    }
    for label, (count, url) in counts.items():
        listed = client.get(url)
        assert listed.status_code == 200, label
        assert listed.context["cl"].result_count == count, label


def test_a_meeting_left_scheduled_after_its_date_awaits_minutes(client, settings):
    MeetingFactory(date=today - days(3), status="scheduled", minutes_status="draft")
    client.force_login(StaffUserFactory(role="Board secretariat"))
    count, url = counts_on(client.get("/admin/"))["Meetings awaiting minutes"]
    assert count == 1
    assert "Held, minutes not yet published" in client.get(url).content.decode()


def test_counts_are_shown_only_for_what_the_user_may_view(client, settings):
    make_work(settings)
    user = UserFactory(username="minutes-only")
    user.user_permissions.add(Permission.objects.get(codename="view_meeting"))
    client.force_login(user)
    response = client.get("/admin/")
    assert counts_on(response) == {
        "Meetings awaiting minutes": (1, "/admin/boards/meeting/?stage=awaiting-minutes")
    }
    assert "/overdue/" not in response.content.decode()


def test_the_home_shows_the_users_own_recent_changes(client):
    officer = StaffUserFactory(role="MOPAC officer")
    other = StaffUserFactory(role="MOPAC officer")
    recommendation = RecommendationFactory(number=32)
    for user, message in [(officer, "mine"), (other, "theirs")]:
        LogEntry.objects.create(
            user=user,
            content_type=ContentType.objects.get_for_model(recommendation),
            object_id=str(recommendation.pk),
            object_repr=f"Recommendation 32 ({message})",
            action_flag=CHANGE,
        )
    client.force_login(officer)
    page = client.get("/admin/").content.decode()
    assert "Recommendation 32 (mine)" in page
    assert "Recommendation 32 (theirs)" not in page


@pytest.mark.parametrize("rows", [10, 200])
def test_the_home_takes_a_fixed_number_of_queries(
    client, settings, django_assert_max_num_queries, rows
):
    make_work(settings, n=rows)
    client.force_login(StaffUserFactory(role="Auditor"))
    client.get("/admin/")  # the session and permissions, loaded once per request anyway
    with django_assert_max_num_queries(15):
        response = client.get("/admin/")
    assert counts_on(response)["Draft updates awaiting publication"][0] == rows


def test_overdue_is_in_the_side_navigation_and_its_link_is_not_squeezed(client):
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    page = client.get("/admin/recommendations/progressupdate/").content.decode()
    sidebar = page[page.index('id="nav-sidebar"') :]
    assert 'href="/admin/recommendations/recommendation/overdue/"' in sidebar
    home = client.get("/admin/").content.decode()
    # The home's Overdue link is a sentence of its own, not a cell of the admin's model table
    # (whose narrow first column broke it one letter per line).
    assert re.search(r'<p class="staff-home-overdue"><a href="[^"]+/overdue/">Overdue</a>', home)


def test_the_counts_are_right_on_the_real_data(client, real_data):
    client.force_login(StaffUserFactory(role="Auditor"))
    counts = counts_on(client.get("/admin/"))
    for label, (count, url) in counts.items():
        assert client.get(url).context["cl"].result_count == count, label
    # The fixtures record meetings from 2015 to 2017 whose minutes are not all published.
    assert counts["Meetings awaiting minutes"][0] == Meeting.objects.awaiting_minutes().count()
    assert counts["Meetings awaiting minutes"][0] > 0
