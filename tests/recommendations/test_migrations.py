"""The reviews' migrations move today's data into `harris-2016` without losing a row or a
history entry, turn the related pairs into links, and run backwards as well."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("recommendations", "0010_public_newest_index")]
AFTER = [("recommendations", "0019_review_and_link_roles")]

# A migration changes the schema: the test cannot run inside the usual transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def migrate(target):
    """Migrate to `target` and return the app registry of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


def history_of(apps, recommendation, history_type: str, day: int) -> None:
    """A history entry of `recommendation` as django-simple-history writes one."""
    historical = apps.get_model("recommendations", "HistoricalRecommendation")
    fields = {
        field.attname: getattr(recommendation, field.attname)
        for field in historical._meta.fields
        if not field.name.startswith("history_") and hasattr(recommendation, field.attname)
    }
    historical.objects.create(
        **fields,
        history_date=datetime.datetime(2017, 1, day, tzinfo=datetime.UTC),
        history_type=history_type,
    )


def make_data_before(apps) -> None:
    """Five recommendations, each with two history entries; 1–2 and 2–3 related."""
    recommendation = apps.get_model("recommendations", "Recommendation")
    made = [
        recommendation.objects.create(number=n, text=f"Recommendation {n}.", section="other")
        for n in range(1, 6)
    ]
    for row in made:
        history_of(apps, row, "+", 1)
        history_of(apps, row, "~", 2)
    made[0].related.add(made[1])
    made[1].related.add(made[2])


@pytest.fixture
def at_latest_afterwards():
    yield
    migrate(AFTER)


def test_the_migrations_keep_every_row_and_history_entry_and_run_back(at_latest_afterwards):
    apps = migrate(BEFORE)
    make_data_before(apps)

    apps = migrate(AFTER)
    recommendation = apps.get_model("recommendations", "Recommendation")
    historical = apps.get_model("recommendations", "HistoricalRecommendation")
    link = apps.get_model("recommendations", "RecommendationLink")
    assert recommendation.objects.count() == 5
    assert historical.objects.count() == 10
    assert set(recommendation.objects.values_list("review__slug", flat=True)) == {"harris-2016"}
    assert set(historical.objects.values_list("review__slug", flat=True)) == {"harris-2016"}
    assert set(recommendation.objects.values_list("made_on", flat=True)) == {
        datetime.date(2016, 10, 31)
    }
    # One related link per pair, from the lower id; responses are not recorded, never guessed.
    pairs = link.objects.values_list(
        "from_recommendation__number", "to_recommendation__number", "kind"
    )
    assert sorted(pairs) == [(1, 2, "related"), (2, 3, "related")]
    assert set(recommendation.objects.values_list("response", flat=True)) == {""}

    apps = migrate(BEFORE)
    recommendation = apps.get_model("recommendations", "Recommendation")
    historical = apps.get_model("recommendations", "HistoricalRecommendation")
    assert recommendation.objects.count() == 5
    assert historical.objects.count() == 10
    assert sorted(
        recommendation.related.through.objects.values_list(
            "from_recommendation__number", "to_recommendation__number"
        )
    ) == [(1, 2), (2, 1), (2, 3), (3, 2)]
