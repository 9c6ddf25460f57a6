"""The annual report page: what each recommendation's entry shows."""

import datetime

import pytest

from tests.factories import ProgressUpdateFactory, RecommendationFactory
from tests.site_data import make_site, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return make_site()


def test_each_entry_quotes_the_years_last_update_and_links_the_recommendation(client, site):
    # Two updates on the same day: the one written last is the year's position.
    ProgressUpdateFactory(
        recommendation=site.r62, date=datetime.date(2017, 10, 31), text="Written later."
    )
    response = client.get("/report/2017/")
    html = response.content.decode()
    page = text_of(response)
    assert "Recommendation 62 The MPS should train more officers. Update, October 2017 " in page
    assert "Update, October 2017 Written later. Status: Ongoing" in page
    assert 'href="http://testserver/recommendations/62/">Recommendation 62</a>' in html
    assert '<strong class="tag tag--ongoing">Ongoing</strong>' in html


def test_a_recommendation_without_an_update_that_year_says_so(client, site):
    RecommendationFactory(number=99, text="The last recommendation.")
    page = text_of(client.get("/report/2017/"))
    assert (
        "Recommendation 99 The last recommendation. No update was published in 2017. "
        "Status: Ongoing"
    ) in page


def test_an_officers_markup_is_shown_as_text(client, site):
    ProgressUpdateFactory(
        recommendation=site.r62, date=datetime.date(2017, 11, 1), text="<b>Bold</b> & more"
    )
    html = client.get("/report/2017/").content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; more" in html
    assert "<b>Bold</b>" not in html


@pytest.mark.django_db
def test_at_scale_the_report_page_is_paged_and_the_intro_counts_every_recommendation(
    client, settings, monkeypatch
):
    from public import reports

    monkeypatch.setattr(reports, "REPORT_PAGE_SIZE", 2)
    for number in range(1, 6):
        recommendation = RecommendationFactory(
            number=number, section="mayor" if number < 3 else "other"
        )
        ProgressUpdateFactory(
            recommendation=recommendation, date=datetime.date(2017, 6, 1), published=True
        )
    first = client.get("/report/2017/").content.decode()
    assert "It made 5 recommendations: 2 aimed at the Mayor" in first
    assert ">Recommendation 2<" in first and ">Recommendation 3<" not in first
    assert 'aria-label="Pages of results"' in first
    last = client.get("/report/2017/", {"page": 3}).content.decode()
    assert ">Recommendation 5<" in last and ">Recommendation 1<" not in last
    assert client.get("/report/2017/", {"page": 4}).status_code == 404
    assert client.get("/report/2017/", {"page": "x"}).status_code == 404
