"""The one rule: a recommendation's status is that of its latest published progress update."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from recommendations.history import status_transitions
from recommendations.models import ProgressUpdate, Recommendation, Status
from recommendations.services import publish_update, record_update, withdraw_update
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
    publish_update(update=draft, user=None)
    assert reload(recommendation).status == Status.RESOLVED


def test_the_later_entry_wins_between_updates_of_the_same_date():
    recommendation = RecommendationFactory()
    ProgressUpdateFactory(recommendation=recommendation, date=D(2018, 1, 1), status="ongoing")
    ProgressUpdateFactory(recommendation=recommendation, date=D(2018, 1, 1), status="resolved")
    assert reload(recommendation).status == Status.RESOLVED


def test_withdrawing_the_latest_update_restores_the_previous_status():
    recommendation = RecommendationFactory()
    ProgressUpdateFactory(recommendation=recommendation, date=D(2017, 1, 1), status="ongoing")
    latest = ProgressUpdateFactory(
        recommendation=recommendation, date=D(2018, 1, 1), status="resolved"
    )
    withdraw_update(update=latest, reason="Entered twice", user=None)
    fresh = reload(recommendation)
    assert fresh.status == Status.ONGOING
    assert fresh.last_updated == D(2017, 1, 1)


def test_a_status_set_by_hand_is_neither_stored_nor_in_the_history():
    recommendation = RecommendationFactory()
    recommendation.status = Status.RESOLVED
    recommendation.text = "Reworded."
    recommendation.save()
    fresh = reload(recommendation)
    assert (fresh.status, fresh.text) == (Status.ONGOING, "Reworded.")
    history_fields = {f.name for f in Recommendation.history.model._meta.fields}
    assert not {"status", "last_updated", "latest_update"} & history_fields
    assert status_transitions(fresh) == []


def test_a_new_recommendation_starts_ongoing_whatever_it_was_given():
    recommendation = Recommendation.objects.create(
        number=99, text="New.", status=Status.RESOLVED, last_updated=D(2018, 1, 1)
    )
    assert (recommendation.status, recommendation.last_updated) == (Status.ONGOING, None)
    assert reload(recommendation).status == Status.ONGOING


def test_a_copy_loaded_before_an_update_does_not_put_the_old_status_back():
    recommendation = RecommendationFactory()
    stale = reload(recommendation)
    record_update(recommendation=recommendation, date=D(2018, 6, 1), text="Done.",
                  status="resolved")  # fmt: skip
    stale.text = "Reworded."
    stale.save()
    fresh = reload(recommendation)
    assert (fresh.status, fresh.last_updated, fresh.text) == (
        Status.RESOLVED, D(2018, 6, 1), "Reworded.",
    )  # fmt: skip
    assert fresh.latest_update.text == "Done."


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
    with pytest.raises(ValidationError, match="made 127 recommendations: there is no number 128"):
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
