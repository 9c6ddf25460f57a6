"""The list's filter set, made for each request from filters and form fields that are copied
shallowly (public/filters.py, `ShallowCopies`): one request's filter set must not reach
another's."""

import pytest
from django.http import QueryDict

from public.filters import RecommendationFilter
from recommendations.models import Recommendation
from tests.factories import RecommendationFactory

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
