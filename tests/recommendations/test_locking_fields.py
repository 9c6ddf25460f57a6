"""The lock refuses only a real conflict: a save that would overwrite someone else's change to
the same field. Changes to other fields are kept, and a refusal keeps what was typed."""

import datetime

import pytest
from django.test import Client

from recommendations.models import ProgressUpdate, Recommendation
from tests.factories import OwnershipFactory, StaffUserFactory
from tests.helpers import management_form, no_links

pytestmark = pytest.mark.django_db

CHANGE = "/admin/recommendations/recommendation/{}/change/"


@pytest.fixture
def recommendation():
    return OwnershipFactory(
        recommendation__number=48, recommendation__target_date=None
    ).recommendation


def officer_client() -> Client:
    client = Client()
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    return client


def opened_page(client, recommendation) -> dict:
    """The change page as opened, ready to be posted back unchanged."""
    form = client.get(CHANGE.format(recommendation.pk)).context["adminform"].form
    ownership = recommendation.ownerships.get()
    return {
        "version": form["version"].value(),
        "opened_values": form["opened_values"].value(),
        "target_date": form["target_date"].value() or "",
        **management_form("ownerships", 1, 1),
        "ownerships-0-id": str(ownership.pk),
        "ownerships-0-recommendation": str(recommendation.pk),
        "ownerships-0-organisation": str(ownership.organisation_id),
        "ownerships-0-is_lead": "on",
        **management_form("updates", 0, 0),
        **no_links(),
    }


def set_target_date(client, recommendation, date: str, reason: str = "Funding moved."):
    data = {**opened_page(client, recommendation), "target_date": date,
            "target_date_reason": reason}  # fmt: skip
    return client.post(CHANGE.format(recommendation.pk), data)


def test_an_update_is_saved_after_someone_else_changed_only_the_target_date(recommendation):
    mine, theirs = officer_client(), officer_client()
    stale = opened_page(mine, recommendation)
    assert set_target_date(theirs, recommendation, "2027-06-01").status_code == 302

    response = mine.post(
        CHANGE.format(recommendation.pk),
        {
            **stale,
            **management_form("updates", 1, 0),
            "updates-0-recommendation": str(recommendation.pk),
            "updates-0-date": "2018-06-01",
            "updates-0-status": "resolved",
            "updates-0-text": "All crews trained.",
            "updates-0-published": "on",
        },
    )

    assert response.status_code == 302, response.context["errors"]
    fresh = Recommendation.objects.get(pk=recommendation.pk)
    assert fresh.target_date == datetime.date(2027, 6, 1)  # their change stays
    assert fresh.target_date_changes.count() == 1
    assert ProgressUpdate.objects.get(recommendation=recommendation).text == "All crews trained."


def test_two_changes_of_the_same_field_are_refused_showing_both_values(recommendation):
    mine, theirs = officer_client(), officer_client()
    stale = opened_page(mine, recommendation)
    assert set_target_date(theirs, recommendation, "2027-06-01").status_code == 302

    data = {**stale, "target_date": "2027-03-01", "target_date_reason": "Slipped."}
    response = mine.post(CHANGE.format(recommendation.pk), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Expected completion: you entered “1 March 2027”; it is now “1 June 2027”." in page
    assert 'value="2027-03-01"' in page  # what was typed stays
    assert Recommendation.objects.get(pk=recommendation.pk).target_date == datetime.date(
        2027, 6, 1
    )

    # Having seen theirs, saving the page again is a deliberate choice and goes through.
    form = response.context["adminform"].form
    again = {**data, "version": form["version"].value(),
             "opened_values": form["opened_values"].value()}  # fmt: skip
    assert mine.post(CHANGE.format(recommendation.pk), again).status_code == 302
    assert Recommendation.objects.get(pk=recommendation.pk).target_date == datetime.date(
        2027, 3, 1
    )


def test_the_same_change_made_twice_is_no_conflict(recommendation):
    mine, theirs = officer_client(), officer_client()
    stale = opened_page(mine, recommendation)
    assert set_target_date(theirs, recommendation, "2027-06-01").status_code == 302
    data = {**stale, "target_date": "2027-06-01", "target_date_reason": "Agreed date."}
    assert mine.post(CHANGE.format(recommendation.pk), data).status_code == 302


def test_a_tampered_digest_is_refused_as_stale(recommendation):
    mine, theirs = officer_client(), officer_client()
    stale = opened_page(mine, recommendation)
    assert set_target_date(theirs, recommendation, "2027-06-01").status_code == 302
    response = mine.post(CHANGE.format(recommendation.pk), {**stale, "opened_values": "forged"})
    assert response.status_code == 200
    assert "Someone else changed this recommendation since you opened it" in (
        response.content.decode()
    )
