"""The list's filter set, made for each request from filters and form fields that are copied
shallowly (public/filters.py, `ShallowCopies`): one request's filter set must not reach
another's."""

import datetime
import itertools

import pytest
from django.http import QueryDict
from django.utils.http import urlencode

from public.filters import SORT_ORDERS, RecommendationFilter
from recommendations.models import Recommendation, Section
from tests.factories import (
    BoardFactory,
    OrganisationFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
)
from tests.public.test_recommendation_views import numbers_listed

pytestmark = pytest.mark.django_db


def numbers(filterset: RecommendationFilter) -> list[int]:
    return list(filterset.qs.order_by("number").values_list("number", flat=True))


def make(query: str) -> RecommendationFilter:
    return RecommendationFilter(QueryDict(query), queryset=Recommendation.objects.all())


def test_each_filter_set_searches_for_its_own_words():
    RecommendationFactory(number=1, text="Buy more radios.")
    RecommendationFactory(number=2, text="Train ambulance crews.")
    radios = make("q=radios")
    ambulance = make("q=ambulance")
    # The search filter answers to the set it was copied for, not the last one made.
    assert numbers(radios) == [1]
    assert numbers(ambulance) == [2]
    assert radios.filters["q"].parent is radios
    assert ambulance.filters["q"].parent is ambulance
    assert RecommendationFilter.base_filters["q"] is not radios.filters["q"]


def test_a_change_to_one_forms_field_stays_with_that_form():
    first, second = make("status=ongoing"), make("")
    first.form.fields["status"].label = "Changed for one request"
    assert second.form.fields["status"].label == "Status"
    assert make("").form.fields["status"].label == "Status"
    assert first.is_valid() and second.is_valid()
    assert first.form.cleaned_data["status"] == "ongoing"
    assert second.form.cleaned_data["status"] == ""


def test_the_list_gives_what_the_filter_set_gives_for_every_filter_order_and_page(client):
    """The list runs its own compiled queries for filters without a search (FilteredList):
    the same recommendations, in the same order and pages, as the filter set's queryset."""
    mps, las = OrganisationFactory(slug="mps"), OrganisationFactory(slug="las")
    board = BoardFactory(slug="contest")
    for number in range(1, 61):
        recommendation = RecommendationFactory(
            number=number, section=Section.MAYOR if number % 3 else Section.OTHER
        )
        if number % 2:
            OwnershipFactory(recommendation=recommendation, organisation=mps)
        if number % 5:
            OwnershipFactory(recommendation=recommendation, organisation=las, is_lead=False)
        if number % 4 == 0:
            board.oversees.add(recommendation)
        if number % 7:
            ProgressUpdateFactory(
                recommendation=recommendation,
                date=datetime.date(2017, 1, 1) + datetime.timedelta(days=number % 11),
                status="resolved" if number % 3 == 0 else "ongoing",
            )
    filters = {
        "status": ["", "ongoing", "resolved"],
        "section": ["", "mayor", "other"],
        "owner": ["", "mps", "las"],
        "board": ["", "contest"],
    }
    checked = 0
    for values in itertools.product(*filters.values()):
        chosen = {name: value for name, value in zip(filters, values, strict=True) if value}
        for sort, (_, ordering) in SORT_ORDERS.items():
            expected = list(
                make(urlencode(chosen)).ordered(*ordering).values_list("number", flat=True)
            )
            pages = [expected[i : i + 25] for i in range(0, len(expected), 25)] or [[]]
            for page, numbers in enumerate(pages, start=1):
                response = client.get("/recommendations/", {**chosen, "sort": sort, "page": page})
                assert numbers_listed(response) == numbers, (chosen, sort, page)
                shown = "1 recommendation" if len(expected) == 1 else f"{len(expected)} rec"
                assert shown in response.content.decode()
                checked += 1
    assert checked > 200
