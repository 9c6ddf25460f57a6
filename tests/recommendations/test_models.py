"""The one rule: a recommendation's status is that of its latest published progress update."""

import datetime

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.db import IntegrityError, transaction

from recommendations.models import ProgressUpdate, Recommendation, Status
from recommendations.services import record_update
from tests.factories import (
    OrganisationFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def reload(recommendation: Recommendation) -> Recommendation:
    return Recommendation.objects.get(pk=recommendation.pk)


def test_a_recommendation_without_updates_is_ongoing():
    recommendation = RecommendationFactory()
    assert reload(recommendation).status == Status.ONGOING
    assert reload(recommendation).last_updated is None


def test_status_follows_latest_published_update():
    recommendation = RecommendationFactory()
    ProgressUpdateFactory(recommendation=recommendation, date=D(2017, 10, 31), status="resolved")
    ProgressUpdateFactory(recommendation=recommendation, date=D(2017, 1, 5), status="ongoing")
    fresh = reload(recommendation)
    assert fresh.status == Status.RESOLVED
    assert fresh.last_updated == D(2017, 10, 31)
    assert fresh.latest_update.date == D(2017, 10, 31)


def test_a_draft_update_does_not_move_the_status():
    recommendation = RecommendationFactory()
    ProgressUpdateFactory(recommendation=recommendation, date=D(2017, 1, 1), status="ongoing")
    draft = ProgressUpdateFactory(
        recommendation=recommendation, date=D(2018, 1, 1), status="resolved", published=False
    )
    assert reload(recommendation).status == Status.ONGOING
    draft.published = True
    draft.save()
    assert reload(recommendation).status == Status.RESOLVED


def test_the_later_entry_wins_between_updates_of_the_same_date():
    recommendation = RecommendationFactory()
    ProgressUpdateFactory(recommendation=recommendation, date=D(2018, 1, 1), status="ongoing")
    ProgressUpdateFactory(recommendation=recommendation, date=D(2018, 1, 1), status="resolved")
    assert reload(recommendation).status == Status.RESOLVED


def test_deleting_the_latest_update_restores_the_previous_status():
    recommendation = RecommendationFactory()
    ProgressUpdateFactory(recommendation=recommendation, date=D(2017, 1, 1), status="ongoing")
    latest = ProgressUpdateFactory(
        recommendation=recommendation, date=D(2018, 1, 1), status="resolved"
    )
    latest.delete()
    fresh = reload(recommendation)
    assert fresh.status == Status.ONGOING
    assert fresh.last_updated == D(2017, 1, 1)


def test_queryset_update_of_updates_moves_the_status():
    recommendation = RecommendationFactory()
    ProgressUpdateFactory(recommendation=recommendation, status="ongoing")
    ProgressUpdate.objects.filter(recommendation=recommendation).update(
        status=Status.RESOLVED_BY_OTHER_MEANS
    )
    assert reload(recommendation).status == Status.RESOLVED_BY_OTHER_MEANS


def test_queryset_delete_of_updates_moves_the_status():
    recommendation = RecommendationFactory()
    ProgressUpdateFactory(recommendation=recommendation, status="resolved")
    ProgressUpdate.objects.filter(recommendation=recommendation).delete()
    fresh = reload(recommendation)
    assert fresh.status == Status.ONGOING
    assert fresh.latest_update is None


def test_bulk_created_and_bulk_updated_updates_move_the_status():
    recommendation = RecommendationFactory()
    (update,) = ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                recommendation=recommendation,
                date=D(2019, 1, 1),
                text="Done.",
                status=Status.RESOLVED,
                published=True,
            )
        ]
    )
    assert reload(recommendation).status == Status.RESOLVED
    update.status = Status.ONGOING
    ProgressUpdate.objects.bulk_update([update], ["status"])
    assert reload(recommendation).status == Status.ONGOING


def test_moving_an_update_to_another_recommendation_refreshes_both():
    first, second = RecommendationFactory(), RecommendationFactory()
    update = ProgressUpdateFactory(recommendation=first, status="resolved")
    update.recommendation = second
    update.save()
    assert reload(first).status == Status.ONGOING
    assert reload(second).status == Status.RESOLVED


def test_the_stored_status_cannot_be_written_directly():
    recommendation = RecommendationFactory()
    recommendation.status = Status.RESOLVED
    recommendation.save()
    assert reload(recommendation).status == Status.ONGOING
    with pytest.raises(FieldError, match="record an update"):
        Recommendation.objects.filter(pk=recommendation.pk).update(status=Status.RESOLVED)
    with pytest.raises(FieldError):
        Recommendation.objects.bulk_update([recommendation], ["status"])
    assert reload(recommendation).status == Status.ONGOING


def test_a_recommendation_has_at_most_one_lead_owner():
    recommendation = RecommendationFactory()
    OwnershipFactory(recommendation=recommendation, is_lead=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnershipFactory(recommendation=recommendation, is_lead=True)


def test_an_organisation_owns_a_recommendation_once():
    ownership = OwnershipFactory(is_lead=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnershipFactory(
            recommendation=ownership.recommendation,
            organisation=ownership.organisation,
            is_lead=False,
        )


def test_recommendation_numbers_are_unique_and_within_the_review():
    RecommendationFactory(number=5)
    with pytest.raises(ValidationError) as error:
        Recommendation(number=5, text="x").full_clean()
    assert "number" in error.value.message_dict
    with pytest.raises(ValidationError, match="less than or equal to 127"):
        Recommendation(number=128, text="x").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Recommendation.objects.create(number=0, text="x")


def test_record_update_moves_the_status_and_says_who():
    from tests.factories import UserFactory

    officer = UserFactory()
    recommendation = RecommendationFactory()
    record_update(
        recommendation=recommendation,
        date=D(2018, 3, 1),
        text="Agreed by the board.",
        status="resolved",
        entered_by=officer,
    )
    fresh = reload(recommendation)
    assert fresh.status == Status.RESOLVED
    assert fresh.latest_update.entered_by == officer


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "finished"}, "status"),
        ({"text": "   "}, "text"),
        ({"date": datetime.date.today() + datetime.timedelta(days=1)}, "date"),
        ({"date": D(2015, 1, 1)}, "date"),
    ],
)
def test_record_update_refuses_bad_input_and_writes_nothing(changes, field):
    recommendation = RecommendationFactory()
    arguments = {"date": D(2018, 3, 1), "text": "Progress.", "status": "resolved", **changes}
    with pytest.raises(ValidationError) as error:
        record_update(recommendation=recommendation, **arguments)
    assert field in error.value.message_dict
    assert not ProgressUpdate.objects.exists()
    assert reload(recommendation).status == Status.ONGOING


def test_organisation_slug_comes_from_its_acronym():
    organisation = OrganisationFactory(name="Metropolitan Police Service", acronym="MPS", slug="")
    assert organisation.slug == "mps"
    assert organisation.display_name == "Metropolitan Police Service (MPS)"
