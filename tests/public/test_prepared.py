"""Queries compiled once (public/prepared.py) answer as their querysets would."""

import pytest

from public.prepared import Prepared
from recommendations.models import Ownership, ProgressUpdate, Recommendation
from tests.factories import OwnershipFactory, ProgressUpdateFactory, RecommendationFactory

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


def test_rows_come_back_converted_as_the_querysets_own_would():
    """A boolean is True or False and a date a date, on SQLite as on PostgreSQL."""
    update = ProgressUpdateFactory(published=True)
    ownership = OwnershipFactory(recommendation=update.recommendation, is_lead=True)
    leads = Prepared(
        lambda pk: Ownership.objects.filter(recommendation_id=pk).values_list("is_lead")
    )
    assert leads(ownership.recommendation_id) == [(True,)]
    assert leads(ownership.recommendation_id)[0][0] is True
    dates = Prepared(
        lambda pk: ProgressUpdate.objects.filter(pk=pk).values_list("date", "published")
    )
    assert dates(update.pk) == [(update.date, True)]
