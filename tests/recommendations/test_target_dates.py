"""The expected completion date: changing it needs a reason, and every change is kept."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from recommendations.models import Recommendation, TargetDateChange
from recommendations.services import set_target_date
from tests.factories import OwnershipFactory, RecommendationFactory, StaffUserFactory
from tests.recommendations.test_locking import form_data

pytestmark = pytest.mark.django_db

D = datetime.date
CHANGE = "/admin/recommendations/recommendation/{}/change/"


def test_set_target_date_keeps_every_change_with_who_and_why():
    officer = StaffUserFactory(role="MOPAC officer")
    recommendation = RecommendationFactory()
    first = set_target_date(recommendation=recommendation, target_date=D(2019, 3, 31),
                            reason="Agreed with the LFB", user=officer)  # fmt: skip
    second = set_target_date(recommendation=recommendation, target_date=D(2019, 9, 30),
                             reason="Training delayed", user=officer)  # fmt: skip
    assert (first.old_date, first.new_date) == (None, D(2019, 3, 31))
    assert (second.old_date, second.new_date, second.changed_by) == (
        D(2019, 3, 31), D(2019, 9, 30), officer,
    )  # fmt: skip
    assert Recommendation.objects.get(pk=recommendation.pk).target_date == D(2019, 9, 30)
    assert list(recommendation.target_date_changes.all()) == [second, first]
    assert recommendation.history.latest().history_user == officer


def test_the_same_date_again_records_nothing():
    recommendation = RecommendationFactory(target_date=D(2019, 3, 31))
    assert set_target_date(recommendation=recommendation, target_date=D(2019, 3, 31),
                           reason="", user=None) is None  # fmt: skip
    assert not TargetDateChange.objects.exists()


@pytest.mark.parametrize(
    ("date", "reason", "field"),
    [(D(2019, 3, 31), "  ", "target_date_reason"), (D(2015, 1, 1), "Typo", "target_date")],
)
def test_set_target_date_refuses_bad_input(date, reason, field):
    recommendation = RecommendationFactory()
    with pytest.raises(ValidationError) as error:
        set_target_date(recommendation=recommendation, target_date=date, reason=reason, user=None)
    assert field in error.value.message_dict
    assert Recommendation.objects.get(pk=recommendation.pk).target_date is None
    assert not TargetDateChange.objects.exists()


def test_the_admin_asks_for_a_reason_when_the_date_changes(client):
    officer = StaffUserFactory(role="MOPAC officer")
    client.force_login(officer)
    recommendation = OwnershipFactory(recommendation__number=8).recommendation
    version = Recommendation.objects.get(pk=recommendation.pk).version
    data = {**form_data(recommendation, version, recommendation.text), "target_date": "31/03/2019"}
    response = client.post(CHANGE.format(recommendation.pk), data)
    assert response.status_code == 200
    assert "Say why the expected completion date changes." in response.content.decode()
    assert not TargetDateChange.objects.exists()

    response = client.post(
        CHANGE.format(recommendation.pk), {**data, "target_date_reason": "Agreed at the board"}
    )
    assert response.status_code == 302
    change = TargetDateChange.objects.get()
    assert (change.new_date, change.reason, change.changed_by) == (
        D(2019, 3, 31), "Agreed at the board", officer,
    )  # fmt: skip
    page = client.get(CHANGE.format(recommendation.pk)).content.decode()
    assert "Agreed at the board" in page


def test_other_edits_need_no_reason(client):
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    recommendation = OwnershipFactory(
        recommendation__number=9, recommendation__target_date=D(2019, 3, 31)
    ).recommendation
    version = Recommendation.objects.get(pk=recommendation.pk).version
    data = {**form_data(recommendation, version, "New text"), "target_date": "2019-03-31"}
    assert client.post(CHANGE.format(recommendation.pk), data).status_code == 302
    assert not TargetDateChange.objects.exists()
