"""What the boards add to the recommendations' admin pages, which do not import boards: the
"Boards and meetings" panel of a recommendation and the overdue actions of the Overdue page."""

import datetime

import pytest
from django.contrib.auth.models import Permission

from tests.factories import (
    ActionFactory,
    AgendaItemFactory,
    BoardFactory,
    RecommendationFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

RECOMMENDATIONS = "/admin/recommendations/recommendation/"
OVERDUE = f"{RECOMMENDATIONS}overdue/"
today = datetime.date.today()
days = datetime.timedelta


def test_a_recommendations_page_links_its_boards_meetings_items_and_actions(client):
    client.force_login(StaffUserFactory(role="Auditor"))
    recommendation = RecommendationFactory(number=32)
    board = BoardFactory(name="London CONTEST Board")
    board.oversees.add(recommendation)
    item = AgendaItemFactory(title="Exercise planning", recommendations=[recommendation])
    action = ActionFactory(reference="Action 3", recommendations=[recommendation])
    RecommendationFactory(number=33)  # its boards' work is not listed on 32's page
    ActionFactory(reference="Action 9")

    page = client.get(f"{RECOMMENDATIONS}{recommendation.pk}/change/").content.decode()

    panel = page[page.index("field-boards_and_meetings") : page.index("field-status_history")]
    assert f'<a href="/admin/boards/board/{board.pk}/change/">London CONTEST Board' in panel
    assert f'<a href="/admin/boards/meeting/{item.meeting.pk}/change/">' in panel
    assert f'<a href="/admin/boards/agendaitem/{item.pk}/change/">' in panel
    assert f'<a href="/admin/boards/action/{action.pk}/change/">{action} — Open' in panel
    assert "Action 9" not in panel


def test_a_new_recommendations_page_says_its_boards_show_once_it_is_saved(client):
    client.force_login(UserFactory(is_superuser=True))
    page = client.get(f"{RECOMMENDATIONS}add/").content.decode()
    panel = page[page.index("field-boards_and_meetings") :]
    assert "Shown once the recommendation is saved." in panel


def test_the_overdue_page_lists_open_actions_past_their_due_date(client):
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    ActionFactory(reference="Action 7", due_date=today - days(3))
    ActionFactory(reference="Action 8", due_date=today + days(3))
    ActionFactory(reference="Action 6", due_date=today - days(3), status="done")

    page = client.get(OVERDUE).content.decode()

    assert "Board actions past their due date, still open (1)" in page
    assert "Action 7" in page
    assert "Action 8" not in page
    assert "Action 6" not in page


def test_the_overdue_page_shows_actions_only_to_those_who_may_view_them(client):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_recommendation"))
    client.force_login(user)
    ActionFactory(reference="Action 7", due_date=today - days(3))

    response = client.get(OVERDUE)

    assert response.status_code == 200
    assert "Board actions past their due date" not in response.content.decode()
    assert "Action 7" not in response.content.decode()
