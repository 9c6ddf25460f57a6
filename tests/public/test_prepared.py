"""Queries compiled once (public/prepared.py) answer as their querysets would."""

import pytest

from public.prepared import Prepared
from recommendations.models import Recommendation
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def test_a_prepared_query_answers_for_each_value_it_is_given():
    for number in (3, 5, 9):
        RecommendationFactory(number=number)
    above = Prepared(
        lambda n: Recommendation.objects.filter(number__gt=n).values_list("number").order_by()
    )
    assert sorted(above(4)) == [(5,), (9,)]
    assert sorted(above(8)) == [(9,)]
    pair = Prepared(
        lambda a, b: Recommendation.objects.filter(number__in=[a, b]).values_list("number"),
        size=2,
    )
    assert sorted(pair(3, 9)) == [(3,), (9,)]


def test_a_queryset_that_loses_its_marker_is_refused_rather_than_answering_wrongly():
    everything = Prepared(lambda n: Recommendation.objects.values_list("number"))
    with pytest.raises(ValueError, match="marker"):
        everything(1)
