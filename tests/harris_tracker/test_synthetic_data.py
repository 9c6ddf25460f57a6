"""The benchmark data generator: realistic, consistent, and never mixed with real data."""

import pytest
from django.core.management import CommandError, call_command

from boards.models import Meeting
from recommendations.models import ProgressUpdate, Recommendation, Status
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def test_it_generates_the_sizes_asked_for_with_statuses_that_follow_the_rule():
    call_command(
        "generate_synthetic_data",
        "--recommendations=150",
        "--updates=900",
        "--meetings=12",
        "--organisations=10",
        stdout=None,
    )
    assert Recommendation.objects.count() == 150
    assert ProgressUpdate.objects.count() == 900
    assert Meeting.objects.count() == 12
    for recommendation in Recommendation.objects.all():
        latest = recommendation.updates.published().order_by("-date", "-pk").first()
        assert recommendation.status == (latest.status if latest else Status.ONGOING)
        assert recommendation.latest_update == latest
        assert recommendation.ownerships.filter(is_lead=True).count() == 1
    assert set(Recommendation.objects.values_list("status", flat=True)) == set(Status.values)


def test_it_refuses_a_database_that_holds_recommendations():
    RecommendationFactory(number=1)
    with pytest.raises(CommandError, match="never mixed"):
        call_command("generate_synthetic_data", "--recommendations=5", "--updates=5")
    assert Recommendation.objects.count() == 1
