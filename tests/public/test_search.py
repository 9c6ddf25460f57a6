"""The list's search as people type it: a number, a quoted phrase, and where it matched.

These run on whichever database the suite uses: PostgreSQL's full-text search and SQLite's
substring match must give the same answers to these queries.
"""

import re

import pytest

from recommendations.models import Ownership
from tests.factories import ProgressUpdateFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def numbers_listed(response) -> list[int]:
    assert response.status_code == 200
    html = response.content.decode()
    return [int(n) for n in re.findall(r'<h2><a href="/recommendations/(\d+)/"', html)]


def test_a_number_lists_that_recommendation_first(client):
    RecommendationFactory(number=3, text="As with recommendation 47, train the staff.")
    RecommendationFactory(number=47, text="Exercise the plans every year.")
    RecommendationFactory(number=100, text="Buy more radios.")
    assert numbers_listed(client.get("/recommendations/", {"q": "47"})) == [47, 3]
    assert numbers_listed(client.get("/recommendations/", {"q": "47", "sort": "-number"})) == [
        47,
        3,
    ]


def test_a_quoted_phrase_matches_the_phrase_only(client):
    RecommendationFactory(number=1, text="The London Ambulance Service should train crews.")
    RecommendationFactory(number=2, text="London should buy an ambulance for each borough.")
    ProgressUpdateFactory(
        recommendation=RecommendationFactory(number=3, text="Crews should be trained."),
        text="The London Ambulance Service has trained them.",
    )
    listed = numbers_listed(client.get("/recommendations/", {"q": '"London Ambulance"'}))
    assert listed == [1, 3]
    # Without quotes, both words anywhere will do.
    assert numbers_listed(client.get("/recommendations/", {"q": "London Ambulance"})) == [1, 2, 3]


def test_results_show_where_the_words_matched_marked_and_escaped(client):
    RecommendationFactory(
        number=5, text="Before <b>this</b> & that, the London Ambulance Service should train."
    )
    html = client.get("/recommendations/", {"q": '"London Ambulance"'}).content.decode()
    assert "<mark>London" in html
    assert "Ambulance</mark>" in html
    # PostgreSQL's headline drops what looks like a tag; SQLite's shows it as text.
    assert "<b>" not in html
    assert "&amp; that" in html


def test_a_match_in_an_update_shows_the_updates_words(client):
    recommendation = RecommendationFactory(number=8, text="Crews should be trained.")
    ProgressUpdateFactory(recommendation=recommendation, text="All paramedics have trained.")
    html = client.get("/recommendations/", {"q": "paramedics"}).content.decode()
    assert "Crews should be trained." in html
    assert re.search(r"From an update: All <mark>paramedics</mark> have trained", html)


def test_on_the_real_data_47_comes_first_and_the_phrase_finds_the_las_recommendations(
    client, real_data
):
    assert numbers_listed(client.get("/recommendations/", {"q": "47"}))[0] == 47
    listed = numbers_listed(client.get("/recommendations/", {"q": '"London Ambulance"'}))
    led_by_las = set(
        Ownership.objects.filter(organisation__slug="las", is_lead=True).values_list(
            "recommendation__number", flat=True
        )
    )
    assert led_by_las
    assert led_by_las <= set(listed)


@pytest.mark.parametrize(
    "url", ["/recommendations/", "/recommendations.csv", "/recommendations.json"]
)
@pytest.mark.parametrize("query", ["①", "²", "#²", "٣"])
def test_a_query_of_non_ascii_digits_is_text_not_a_number(client, url, query):
    """str.isdigit() is true for these, int() refuses them: they are searched as text."""
    RecommendationFactory(number=1, text="Exercise the plans every year.")
    response = client.get(url, {"q": query})
    assert response.status_code == 200
    assert b"Exercise the plans" not in b"".join(
        response.streaming_content if response.streaming else [response.content]
    )
