"""The public pages of the recommendations."""

import datetime
import re

import pytest

from public.models import SiteChange
from recommendations.models import ProgressUpdate, TargetDateChange
from recommendations.services import record_update
from tests.factories import (
    OrganisationFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
)
from tests.site_data import SECRET, make_site, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return make_site()


def numbers_listed(response) -> list[int]:
    return [
        int(n)
        for n in re.findall(r'<h2><a href="/recommendations/(\d+)/"', response.content.decode())
    ]


# The progress report ------------------------------------------------------------------------


def test_progress_report_gives_each_status_out_of_the_total(client, site):
    page = text_of(client.get("/"))
    assert "2 of 3 resolved — 67%" in page
    assert "Resolved: 1 of 3 (33%)" in page
    assert "Resolved by other means: 1 of 3 (33%)" in page
    assert "Ongoing: 1 of 3 (33%)" in page
    assert (
        "<title>Progress report – Harris Review Tracker</title>"
        in client.get("/").content.decode()
    )


def test_progress_report_by_section_and_owner_links_to_the_lists(client, site):
    response = client.get("/")
    html = response.content.decode()
    assert 'href="/recommendations/?section=mayor"' in html
    assert 'href="/organisations/mps/"' in html
    page = text_of(response)
    assert "Metropolitan Police Service 1 1 0 2 2 (100%)" in page
    assert "Mayor's Office for Policing and Crime 1 0 1 2 1 (50%)" in page


def test_progress_report_as_at_a_date_counts_the_statuses_of_that_day(client, site):
    page = text_of(client.get("/", {"as_at": "2017-06-30"}))
    assert "Progress report as at 30 June 2017" in page
    assert "0 of 3 resolved — 0%" in page
    assert "Ongoing: 3 of 3 (100%)" in page
    assert "This recommendation has been resolved" not in page  # a later update


@pytest.mark.parametrize(
    ("value", "message"),
    [("2017-13-01", "Enter the date as YYYY-MM-DD"), ("tomorrow", "Enter the date as YYYY-MM-DD")],
)
def test_a_bad_as_at_date_is_a_400_with_a_visible_message(client, site, value, message):
    response = client.get("/", {"as_at": value})
    assert response.status_code == 400
    assert message in text_of(response)
    assert "There is a problem" in text_of(response)


def test_the_status_counts_link_to_the_list_filtered_to_them(client, site):
    html = client.get("/").content.decode()
    assert '<a href="/recommendations/?status=resolved">Resolved: 1 of 3</a>' in html
    # By section and by owner, each count links to its group's recommendations in that status.
    assert 'href="/recommendations/?section=other&amp;status=resolved">1</a>' in html
    assert 'href="/recommendations/?owner=mps&amp;status=resolved-by-other-means">1</a>' in html
    listed = client.get("/recommendations/?owner=mps&status=resolved-by-other-means")
    assert numbers_listed(listed) == [62]


def test_the_counts_as_at_a_past_date_do_not_link_to_todays_list(client, site):
    html = client.get("/", {"as_at": "2017-06-30"}).content.decode()
    assert "status=" not in html


def test_an_organisations_status_counts_link_to_its_filtered_list(client, site):
    html = client.get("/organisations/mps/").content.decode()
    assert '<a href="/recommendations/?owner=mps&amp;status=resolved">Resolved: 1 of 2</a>' in html


@pytest.mark.parametrize("value", ["notadate", '"><script>', "2017-13-01"])
def test_a_bad_as_at_date_is_not_put_back_into_the_date_input(client, site, value):
    html = client.get("/", {"as_at": value}).content.decode()
    assert re.search(r'<input type="date"[^>]* value="">', html)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("as_at=2017-06-30&as_at=2017-10-31", "as_at: give one value, not 2"),
        ("as_at=2017-06-30&status=resolved", "Unknown parameter 'status': use as_at"),
    ],
)
def test_the_progress_report_refuses_a_repeated_or_unknown_parameter(client, site, query, message):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert message in text_of(response)
    assert "as at 30 June 2017" not in text_of(response)


@pytest.mark.parametrize("url", ["/", "/recommendations/", "/recommendations.csv"])
def test_tracking_parameters_are_ignored(client, site, url):
    query = "utm_source=newsletter&utm_medium=email&fbclid=abc&gclid=def&mc_cid=1&mc_eid=2"
    assert client.get(f"{url}?{query}").status_code == 200


def test_a_bad_filter_is_a_400_on_every_page_number(client, site):
    response = client.get("/recommendations/", {"status": "bad", "page": "2"})
    assert response.status_code == 400
    assert "status: 'bad' is not a known value" in text_of(response)


def test_an_as_at_date_before_the_review_is_refused(client, site):
    response = client.get("/", {"as_at": "2016-10-30"})
    assert response.status_code == 400
    assert "The Review was published on 31 October 2016" in text_of(response)


def test_an_as_at_date_in_the_future_is_refused(client, site):
    future = datetime.date.today() + datetime.timedelta(days=2)
    response = client.get("/", {"as_at": future.isoformat()})
    assert response.status_code == 400
    assert "The date cannot be in the future" in text_of(response)


def test_progress_report_lists_the_latest_published_updates_only(client, site):
    page = text_of(client.get("/"))
    assert "This recommendation has been resolved." in page
    assert SECRET not in page


# The list -----------------------------------------------------------------------------------


def test_list_shows_number_excerpt_status_owners_and_last_update(client, site):
    response = client.get("/recommendations/")
    assert response.status_code == 200
    page = text_of(response)
    assert "3 recommendations" in page
    assert "Recommendation 32 The MPS should exercise with partners." in page
    assert "Status Resolved Owners MPS (lead), MOPAC Last updated 31 October 2017" in page


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ({"status": "resolved"}, [32]),
        ({"status": "ongoing"}, [13]),
        ({"owner": "mps"}, [32, 62]),
        ({"section": "mayor"}, [13]),
        ({"board": "london-contest-board"}, [13, 32, 62]),
        ({"q": "train officers"}, [62]),
        ({"owner": "mopac", "status": "resolved"}, [32]),
        ({"sort": "-number"}, [62, 32, 13]),
    ],
)
def test_list_filters_and_sorts(client, site, query, numbers):
    response = client.get("/recommendations/", query)
    assert response.status_code == 200
    assert numbers_listed(response) == numbers


def test_list_sorts_by_last_update_with_never_updated_last(client, site):
    RecommendationFactory(number=99)
    ProgressUpdateFactory(recommendation=site.r62, date="2018-01-05", status="resolved")
    response = client.get("/recommendations/", {"sort": "-last_updated"})
    assert numbers_listed(response) == [62, 13, 32, 99]
    response = client.get("/recommendations/", {"sort": "last_updated"})
    assert numbers_listed(response) == [99, 13, 32, 62]


def test_a_board_not_overseeing_anything_gives_an_empty_list_that_says_so(client, site):
    from tests.factories import BoardFactory

    BoardFactory(slug="london-prevent-board")
    response = client.get("/recommendations/", {"board": "london-prevent-board"})
    assert response.status_code == 200
    assert "No recommendation matches these filters" in text_of(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "done"}, "status: 'done' is not a known value"),
        ({"owner": "nobody"}, "owner: 'nobody' is not the slug of an organisation"),
        ({"board": "nowhere"}, "board: 'nowhere' is not the slug of a board"),
        ({"section": "mayors"}, "section: 'mayors' is not a known value"),
        ({"sort": "oldest"}, "sort: 'oldest' is not a known order"),
        ({"stauts": "resolved"}, "Unknown parameter 'stauts'"),
    ],
)
def test_a_bad_filter_value_is_a_400_with_a_visible_message_and_no_list(
    client, site, query, message
):
    response = client.get("/recommendations/", query)
    assert response.status_code == 400
    assert message in text_of(response)
    assert numbers_listed(response) == []
    assert "<title>Error: Recommendations" in response.content.decode()


def test_pagination_keeps_the_filters(client, db):
    for number in range(1, 31):
        ProgressUpdateFactory(
            recommendation=RecommendationFactory(number=number), status="resolved"
        )
    response = client.get("/recommendations/", {"status": "resolved", "sort": "-number"})
    html = response.content.decode()
    assert "30 recommendations, showing 1 to 25" in text_of(response)
    assert 'href="?status=resolved&amp;sort=-number&amp;page=2"' in html
    second = client.get("/recommendations/", {"status": "resolved", "sort": "-number", "page": 2})
    assert numbers_listed(second) == [5, 4, 3, 2, 1]


def test_the_downloads_are_linked_with_the_current_filters(client, site):
    html = client.get("/recommendations/", {"owner": "mps", "sort": "-number"}).content.decode()
    assert 'href="/recommendations.csv?owner=mps"' in html
    assert 'href="/recommendations.json?owner=mps"' in html


def test_the_downloads_honour_the_board_filter_and_give_each_page_url(client, site):
    response = client.get("/recommendations.json", {"board": "london-contest-board"})
    import json

    rows = json.loads(b"".join(response.streaming_content))["recommendations"]
    assert [row["number"] for row in rows] == [13, 32, 62]
    assert rows[1]["url"] == "http://testserver/recommendations/32/"
    assert client.get("/recommendations.csv", {"board": "nowhere"}).status_code == 400


# One recommendation -------------------------------------------------------------------------


def test_detail_shows_text_status_owners_related_and_history_newest_first(client, site):
    response = client.get("/recommendations/32/")
    page = text_of(response)
    assert "<title>Recommendation 32 – Harris Review Tracker</title>" in response.content.decode()
    assert "The MPS should exercise with partners." in page
    assert "Metropolitan Police Service (MPS) (lead owner)" in page
    assert "Related recommendations Recommendation 62" in page
    assert "Overseen by London CONTEST Board" in page
    assert page.index("31 October 2017 Resolved") < page.index("1 March 2017 Ongoing")


def test_detail_shows_public_meetings_items_and_actions_only(client, site):
    page = text_of(client.get("/recommendations/32/"))
    assert "London CONTEST Board, 18 January 2017: item 1, Progress on exercising" in page
    assert "Action 1 · Open Report on exercising to the next meeting." in page
    # Which recommendation a confidential item or action concerns is kept back, as on the
    # meeting page: they are not listed here at all.
    assert "Threat briefing" not in page
    assert "Action 2" not in page
    assert "21 April 2017" not in page  # minutes approved but not published
    assert SECRET not in page


def test_detail_links_to_previous_and_next_recommendations(client, site):
    html = client.get("/recommendations/32/").content.decode()
    assert 'href="/recommendations/13/" rel="prev"' in html
    assert 'href="/recommendations/62/" rel="next"' in html
    assert 'type="application/atom+xml"' in html
    assert 'href="/recommendations/32/feed/"' in html


def test_owners_are_listed_lead_first_then_by_name_on_the_list_and_the_page(client):
    recommendation = RecommendationFactory(number=7)
    for name, acronym, is_lead in [
        ("Zeta Agency", "", False),
        ("Transport for London", "TfL", True),
        ("Alpha Agency", "AA", False),
    ]:
        OwnershipFactory(
            recommendation=recommendation,
            organisation=OrganisationFactory(name=name, acronym=acronym),
            is_lead=is_lead,
        )
    RecommendationFactory(number=8)
    listed = text_of(client.get("/recommendations/"))
    assert "Owners TfL (lead), AA, Zeta Agency Last updated" in listed
    assert "Owners None recorded Last updated" in listed
    page = text_of(client.get("/recommendations/7/"))
    assert (
        "Owners Transport for London (TfL) (lead owner) Alpha Agency (AA) Zeta Agency Last" in page
    )


def test_a_date_change_made_late_in_the_evening_shows_londons_date(client):
    recommendation = RecommendationFactory(number=3)
    TargetDateChange.objects.create(
        recommendation=recommendation,
        old_date=datetime.date(2017, 12, 31),
        new_date=datetime.date(2018, 6, 30),
        reason="The exercise moved.",
        # 11.30 pm in UTC is half past midnight the next day in London (summer time).
        changed_at=datetime.datetime(2017, 6, 30, 23, 30, tzinfo=datetime.UTC),
    )
    html = client.get("/recommendations/3/").content.decode()
    assert '<time datetime="2017-07-01">1 July 2017</time>' in html
    assert "How this date has changed (1)" in text_of(client.get("/recommendations/3/"))
    assert "1 July 2017: from 31 December 2017 to 30 June 2018. The exercise moved." in text_of(
        client.get("/recommendations/3/")
    )


def test_a_recommendation_no_meeting_names_says_so(client):
    RecommendationFactory(number=4)
    page = text_of(client.get("/recommendations/4/"))
    assert "No published board minutes refer to this recommendation yet." in page
    assert "No progress update has been published yet." in page
    assert "Related recommendations None" in page
    assert "Overseen by No board recorded" in page


def test_the_first_and_last_recommendations_link_only_one_way(client):
    for number in (1, 2):
        RecommendationFactory(number=number)
    first = client.get("/recommendations/1/").content.decode()
    last = client.get("/recommendations/2/").content.decode()
    assert 'rel="prev"' not in first and 'href="/recommendations/2/" rel="next"' in first
    assert 'rel="next"' not in last and 'href="/recommendations/1/" rel="prev"' in last


def test_an_unknown_recommendation_is_a_404(client, site):
    assert client.get("/recommendations/128/").status_code == 404


# One organisation ---------------------------------------------------------------------------


def test_organisation_page_lists_what_it_owns_with_counts(client, site):
    response = client.get("/organisations/mps/")
    page = text_of(response)
    assert "2 of 2 resolved — 100%" in page
    assert (
        "32: recommendation 32 The MPS should exercise with partners. Lead owner Resolved" in page
    )
    assert 'href="/organisations/mps/feed/"' in response.content.decode()
    assert client.get("/organisations/nobody/").status_code == 404


# The annual report --------------------------------------------------------------------------


def test_annual_report_reads_section_by_section_with_that_years_update(client, site):
    response = client.get("/report/2017/")
    page = text_of(response)
    assert "It made 3 recommendations: 1 aimed at the Mayor's Office, MOPAC and LFEPA" in page
    assert "as at October 2017" in page
    assert "2 of 3 recommendations resolved — 67%" in page
    mayor = page.index("Mayor's Office, MOPAC and LFEPA Recommendation 13")
    others = page.index("Other recommendations Recommendation 32")
    assert mayor < others
    assert "Update, October 2017 This recommendation has been resolved. Status: Resolved" in page
    assert SECRET not in page


def test_annual_report_status_is_as_at_the_end_of_that_year(client, site):
    ProgressUpdate.objects.filter(recommendation=site.r13).update(published=True)
    page = text_of(client.get("/report/2017/"))
    # The 2018 update, now published, does not change the 2017 report.
    assert "review. Update, October 2017 Work goes on. Status: Ongoing" in page


def test_a_year_without_updates_is_a_404_that_names_the_years_there_are(client, site):
    response = client.get("/report/2015/")
    assert response.status_code == 404
    page = text_of(response)
    assert "There is no progress report for 2015" in page
    assert "Progress report 2017" in page


def test_annual_report_prints_without_navigation_and_with_link_urls():
    from django.conf import settings

    css = (settings.BASE_DIR / "static/css/site.css").read_text()
    print_rules = css[css.index("@media print") :]
    assert ".site-header nav" in print_rules
    assert "break-inside: avoid" in print_rules
    assert 'content: " (" attr(href) ")"' in print_rules


def test_detail_shows_the_expected_completion_date_and_why_it_changed(client, site):
    from recommendations.models import Recommendation
    from recommendations.services import set_target_date
    from tests.factories import UserFactory

    recommendation = Recommendation.objects.get(number=32)
    officer = UserFactory()
    set_target_date(
        recommendation=recommendation,
        target_date=datetime.date(2019, 3, 31),
        reason="Agreed with the boroughs.",
        user=officer,
    )
    set_target_date(
        recommendation=recommendation,
        target_date=datetime.date(2019, 9, 30),
        reason="Funding arrived late.",
        user=officer,
    )
    page = text_of(client.get("/recommendations/32/"))
    assert "Expected completion 30 September 2019" in page
    assert "from 31 March 2019 to 30 September 2019. Funding arrived late." in page
    assert "to 31 March 2019. Agreed with the boroughs." in page


def test_the_list_counts_and_pages_what_it_lists(client):
    for number in range(1, 31):
        RecommendationFactory(number=number)
    first = client.get("/recommendations/").content.decode()
    assert "30 recommendations, showing 1 to 25" in first
    second = client.get("/recommendations/", {"page": 2}).content.decode()
    assert "30 recommendations, showing 26 to 30" in second
    assert "Recommendation 30</a>" in second and "Recommendation 25</a>" not in second
    assert client.get("/recommendations/", {"page": "last"}).content.decode() == second
    assert client.get("/recommendations/", {"page": 3}).status_code == 404
    assert client.get("/recommendations/", {"page": 0}).status_code == 404
    filtered = client.get("/recommendations/", {"q": "no such words anywhere"})
    assert "0 recommendations" in filtered.content.decode()


@pytest.mark.django_db
def test_the_progress_report_says_when_the_public_data_last_changed(
    client, django_capture_on_commit_callbacks
):
    recommendation = RecommendationFactory(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        record_update(
            recommendation=recommendation,
            date=datetime.date(2017, 10, 31),
            status="resolved",
            text="Done.",
            published=True,
        )
    SiteChange.objects.filter(pk=1).update(
        changed_at=datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)
    )
    page = client.get("/").content.decode()
    assert 'Last updated <time datetime="2026-03-02">2 March 2026</time>' in page
