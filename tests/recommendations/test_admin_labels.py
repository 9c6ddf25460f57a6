"""Pickers and lists say what a recommendation is: its number and the start of its words."""

import pytest

from recommendations.labels import label
from tests.factories import (
    ActionFactory,
    AgendaItemFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

TEXT_32 = (
    "Consideration should be given by the GLA to establishing a London-wide review of the "
    "arrangements for protecting crowded places."
)


@pytest.fixture
def officer(client):
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    return client


def test_a_label_is_the_number_and_the_first_words():
    recommendation = RecommendationFactory.build(number=32, text=TEXT_32)
    assert label(recommendation) == (
        "32 — Consideration should be given by the GLA to establishing a…"
    )


def test_the_recommendation_autocomplete_shows_the_words(officer):
    RecommendationFactory(number=32, text=TEXT_32)
    response = officer.get(
        "/admin/autocomplete/",
        {"term": "32", "app_label": "recommendations", "model_name": "progressupdate",
         "field_name": "recommendation"},
    )  # fmt: skip
    (result,) = response.json()["results"]
    assert result["text"].startswith("32 — Consideration should be given by the GLA")


def test_the_updates_list_names_the_recommendation(officer):
    ProgressUpdateFactory(recommendation=RecommendationFactory(number=32, text=TEXT_32))
    page = officer.get("/admin/recommendations/progressupdate/").content.decode()
    assert "32 — Consideration should be given by the GLA" in page


def test_a_chosen_recommendation_is_shown_by_its_words(officer):
    update = ProgressUpdateFactory(
        recommendation=RecommendationFactory(number=32, text=TEXT_32), published=False
    )
    page = officer.get(f"/admin/recommendations/progressupdate/{update.pk}/change/")
    assert "32 — Consideration should be given by the GLA" in page.content.decode()


@pytest.mark.parametrize("page", ["agenda item", "action", "meeting", "board"])
def test_the_boards_pickers_show_a_chosen_recommendation_by_its_words(client, page):
    client.force_login(StaffUserFactory(role="Board secretariat"))
    recommendation = RecommendationFactory(number=32, text=TEXT_32)
    item = AgendaItemFactory(recommendations=[recommendation])
    action = ActionFactory(meeting=item.meeting, recommendations=[recommendation])
    item.meeting.board.oversees.set([recommendation])
    url = {
        "agenda item": f"/admin/boards/agendaitem/{item.pk}/change/",
        "action": f"/admin/boards/action/{action.pk}/change/",
        # Its agenda item and action inlines.
        "meeting": f"/admin/boards/meeting/{item.meeting.pk}/change/",
        "board": f"/admin/boards/board/{item.meeting.board.pk}/change/",
    }[page]
    html = client.get(url).content.decode()
    assert "32 — Consideration should be given by the GLA" in html
    assert ">Recommendation 32<" not in html
