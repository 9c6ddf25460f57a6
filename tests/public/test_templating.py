"""The public templates' Jinja2 helpers give what Django's own tags and filters give."""

import datetime
import zoneinfo

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse, set_script_prefix
from django.utils import dateformat

from public import templating

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.mark.parametrize("format", ["j F Y", "Y-m-d", "F Y", "l j F Y", "D j M"])
def test_dates_read_as_djangos_date_filter_writes_them(format):
    day = datetime.date(2016, 1, 1)
    for offset in range(0, 800, 7):
        value = day + datetime.timedelta(days=offset)
        assert templating.date(value, format) == dateformat.format(value, format)


def test_a_time_late_in_a_summer_evening_is_shown_on_londons_date():
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    moment = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)
    assert templating.date(moment) == "1 July 2026"
    assert templating.date(moment, "j F Y, H:i") == "1 July 2026, 00:30"


def test_no_date_is_an_empty_string():
    assert templating.date(None) == ""


def test_long_text_is_cut_to_whole_words_as_djangos_filter_cuts_it():
    django_filter = engines["django"].from_string("{{ text|truncatewords:3 }}")
    text = "The Mayor should appoint an adviser"
    assert templating.truncatewords(text, 3) == django_filter.render({"text": text})
    assert templating.truncatewords("Two words", 3) == "Two words"


def test_links_follow_the_sites_prefix_when_it_is_served_under_one():
    assert templating.url("recommendations:detail", number=32) == reverse(
        "recommendations:detail", kwargs={"number": 32}
    )
    set_script_prefix("/tracker/")
    try:
        assert templating.url("recommendations:detail", number=32) == (
            "/tracker/recommendations/32/"
        )
    finally:
        set_script_prefix("/")


def test_a_page_link_keeps_the_filters_and_replaces_the_page():
    request = RequestFactory().get("/recommendations/", {"owner": "mopac", "page": "2"})
    assert templating.querystring(request, page=3) == "?owner=mopac&page=3"
    assert templating.querystring(request, page=None) == "?owner=mopac"


def test_text_in_a_page_is_escaped():
    template = engines["jinja2"].from_string("<p>{{ text }}</p>")
    assert template.render({"text": "<script>"}) == "<p>&lt;script&gt;</p>"
