"""A recommendation's page names the response to it, and its links to other reviews'
recommendations, each with that review's short title and status; a superseded one says so."""

import datetime
import json

import pytest

from tests.factories import (
    ProgressUpdateFactory,
    RecommendationFactory,
    RecommendationLinkFactory,
    ReviewFactory,
)
from tests.site_data import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def harris_2022():
    return ReviewFactory(
        slug="harris-2022",
        short_title="Harris Review 2022",
        published_on=datetime.date(2022, 3, 1),
    )


def test_a_response_not_in_the_sources_reads_not_recorded(client):
    RecommendationFactory(number=47)
    assert "Response Not recorded Owners" in text_of(client.get("/recommendations/47/"))


def test_a_recorded_response_shows_with_its_date_and_text(client):
    RecommendationFactory(
        number=47,
        response="accepted-in-principle",
        response_date=datetime.date(2017, 1, 20),
        response_text="The Mayor accepts it, subject to funding.",
    )
    page = text_of(client.get("/recommendations/47/"))
    assert (
        "Response Accepted in principle, 20 January 2017 The Mayor accepts it, subject to funding."
        in page
    )


def test_typed_links_show_both_ways_with_the_other_review_and_status(client, harris_2022):
    r47 = RecommendationFactory(number=47)
    r48 = RecommendationFactory(number=48)
    later = RecommendationFactory(review=harris_2022, number=3)
    ProgressUpdateFactory(recommendation=later, date=datetime.date(2023, 1, 1), status="resolved")
    RecommendationLinkFactory(from_recommendation=later, to_recommendation=r47, kind="takes-up")
    RecommendationLinkFactory(from_recommendation=r47, to_recommendation=r48)

    page = text_of(client.get("/recommendations/47/"))
    assert "Taken up by Recommendation 3, Harris Review 2022 Resolved" in page
    assert "Related recommendations Recommendation 48, Harris Review 2016 Ongoing" in page
    assert "Related recommendations Recommendation 47, Harris Review 2016 Ongoing" in text_of(
        client.get("/recommendations/48/")
    )
    html = client.get("/recommendations/47/").content.decode()
    assert '<a href="/recommendations/48/">Recommendation 48</a>' in html
    # The later review's pages come with the per-review URLs: /recommendations/3/ would be
    # another recommendation (or none), so its number is not a link yet.
    assert 'href="/recommendations/3/"' not in html


def test_a_superseded_recommendation_says_so_at_the_top_and_links_to_its_successor(client):
    old = RecommendationFactory(number=47, text="The old words.")
    new = RecommendationFactory(number=90)
    RecommendationLinkFactory(from_recommendation=new, to_recommendation=old, kind="supersedes")

    page = text_of(client.get("/recommendations/47/"))
    assert page.index(
        "This recommendation has been superseded by Recommendation 90, Harris Review 2016."
    ) < page.index("The old words.")
    assert "Superseded by Recommendation 90, Harris Review 2016 Ongoing" in page
    html = client.get("/recommendations/47/").content.decode()
    assert 'role="note"' in html
    assert "has been superseded" not in text_of(client.get("/recommendations/90/"))
    assert "Supersedes Recommendation 47" in text_of(client.get("/recommendations/90/"))


def test_the_contract_url_answers_for_the_default_review_whatever_other_reviews_hold(
    client, harris_2022
):
    RecommendationFactory(number=47, text="The 2016 words.")
    RecommendationFactory(review=harris_2022, number=47, text="The 2022 words.")
    RecommendationFactory(review=harris_2022, number=48, text="Only in 2022.")

    page = text_of(client.get("/recommendations/47/"))
    assert "The 2016 words." in page
    assert "The 2022 words." not in page
    assert client.get("/recommendations/48/").status_code == 404
    assert client.get("/recommendations/47/feed/").status_code == 200


def test_the_downloads_name_each_recommendations_review_in_a_last_column(client):
    RecommendationFactory(number=47)
    body = b"".join(client.get("/recommendations.csv").streaming_content).decode("utf-8-sig")
    header, first = (line.split(",") for line in body.splitlines()[:2])
    assert (header[-1], first[-1]) == ("review", "harris-2016")
    response = client.get("/recommendations.json")
    rows = json.loads(b"".join(response.streaming_content))["recommendations"]
    assert list(rows[0])[-1] == "review"
    assert rows[0]["review"] == "harris-2016"
