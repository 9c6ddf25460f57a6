"""Every change of status is attributable: who, when, from what, to what — and nothing is
deleted: an update is withdrawn, with a reason."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from recommendations.history import status_transitions
from recommendations.models import ProgressUpdate, Recommendation, Status
from recommendations.services import publish_update, record_update, withdraw_update
from tests.factories import RecommendationFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

D = datetime.date
CHANGELIST = "/admin/recommendations/recommendation/"
UPDATES = "/admin/recommendations/progressupdate/"


@pytest.fixture
def officer():
    return StaffUserFactory(role="MOPAC officer", first_name="Ann", last_name="Officer")


def reload(recommendation):
    return Recommendation.objects.get(pk=recommendation.pk)


def test_status_transitions_say_who_moved_the_status_from_what_to_what(officer):
    author = StaffUserFactory(role="Report author", username="author")
    recommendation = RecommendationFactory()
    record_update(recommendation=recommendation, date=D(2017, 10, 31), text="Going.",
                  status="resolved", entered_by=officer)  # fmt: skip
    record_update(recommendation=recommendation, date=D(2018, 6, 1), text="Reopened.",
                  status="ongoing", entered_by=author)  # fmt: skip
    transitions = status_transitions(recommendation)
    assert [(t.old_label, t.new_label, t.changed_by, t.why) for t in transitions] == [
        ("Ongoing", "Resolved", "Ann Officer", "update published"),
        ("Resolved", "Ongoing", "author", "update published"),
    ]
    assert [t.update_date for t in transitions] == [D(2017, 10, 31), D(2018, 6, 1)]


def test_the_history_follows_the_updates_dates_not_the_order_they_were_recorded(officer):
    recommendation = RecommendationFactory()
    record_update(recommendation=recommendation, date=D(2018, 6, 1), text="Done.",
                  status="resolved", entered_by=officer)  # fmt: skip
    # Recorded later, but describes an earlier position: it does not undo the resolution.
    record_update(recommendation=recommendation, date=D(2017, 6, 1), text="Under way.",
                  status="resolved-by-other-means", entered_by=officer)  # fmt: skip
    assert [(t.old_label, t.new_label) for t in status_transitions(recommendation)] == [
        ("Ongoing", "Resolved by other means"),
        ("Resolved by other means", "Resolved"),
    ]
    assert reload(recommendation).status == Status.RESOLVED


def test_a_withdrawn_update_leaves_the_history_as_the_public_record_now_reads(officer):
    recommendation = RecommendationFactory()
    resolved = record_update(recommendation=recommendation, date=D(2018, 6, 1), text="Done.",
                             status="resolved", entered_by=officer)  # fmt: skip
    withdraw_update(update=resolved, reason="Wrong recommendation", user=officer)
    assert status_transitions(recommendation) == []
    assert reload(recommendation).status == Status.ONGOING


def test_the_history_of_loaded_updates_starts_from_the_first_published_one():
    """Updates written without history rows (fixtures, bulk loads) are in the history too."""
    recommendation = RecommendationFactory()
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(recommendation=recommendation, date=D(2017, 6, 1), text="Going.",
                           status="ongoing", published=True, source="2017 report"),
            ProgressUpdate(recommendation=recommendation, date=D(2018, 6, 1), text="Done.",
                           status="resolved", published=True, source="2018 report"),
        ]
    )  # fmt: skip
    [transition] = status_transitions(recommendation)
    assert (transition.new_label, transition.changed_by) == ("Resolved", "")
    assert transition.why == "in the published record (2018 report)"
    assert transition.changed_at is not None


def test_a_draft_moves_nothing_until_it_is_published(officer):
    recommendation = RecommendationFactory()
    draft = record_update(recommendation=recommendation, date=D(2018, 6, 1), text="Done.",
                          status="resolved", published=False, entered_by=officer)  # fmt: skip
    assert status_transitions(recommendation) == []
    assert publish_update(update=draft, user=officer) is True
    assert reload(recommendation).status == Status.RESOLVED
    [transition] = status_transitions(recommendation)
    assert (transition.new_label, transition.why) == ("Resolved", "update published")
    assert ProgressUpdate.history.filter(id=draft.pk).latest().history_user == officer


def test_a_withdrawn_update_no_longer_counts_and_is_kept(officer):
    recommendation = RecommendationFactory()
    update = record_update(recommendation=recommendation, date=D(2018, 6, 1), text="Done.",
                           status="resolved", entered_by=officer)  # fmt: skip
    withdraw_update(update=update, reason="Entered twice", user=officer)
    update.refresh_from_db()
    assert (update.published, update.withdrawn_by, update.withdrawal_reason) == (
        False, officer, "Entered twice",
    )  # fmt: skip
    assert update.withdrawn_at is not None
    assert reload(recommendation).status == Status.ONGOING
    assert not ProgressUpdate.objects.published().exists()
    with pytest.raises(ValidationError):
        publish_update(update=update, user=officer)
    with pytest.raises(ValidationError):
        withdraw_update(update=update, reason="Again", user=officer)


def test_a_withdrawal_needs_a_reason(officer):
    update = record_update(recommendation=RecommendationFactory(), date=D(2018, 6, 1),
                           text="Done.", status="resolved", entered_by=officer)  # fmt: skip
    with pytest.raises(ValidationError):
        withdraw_update(update=update, reason="  ", user=officer)
    assert ProgressUpdate.objects.published().count() == 1


def test_the_admin_history_page_shows_the_status_history(client, officer):
    client.force_login(officer)
    recommendation = RecommendationFactory()
    record_update(recommendation=recommendation, date=D(2018, 6, 1), text="Done.",
                  status="resolved", entered_by=officer)  # fmt: skip
    response = client.get(f"{CHANGELIST}{recommendation.pk}/history/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Status history" in content
    assert "<td>Ongoing</td>" in content and "<td>Resolved</td>" in content
    assert "Ann Officer" in content
    page = client.get(f"{CHANGELIST}{recommendation.pk}/change/").content.decode()
    assert "Ongoing → Resolved" in page


def test_updates_are_withdrawn_in_the_admin_never_deleted(client, officer):
    client.force_login(officer)
    update = record_update(recommendation=RecommendationFactory(), date=D(2018, 6, 1),
                           text="Done.", status="resolved", entered_by=officer)  # fmt: skip
    assert client.get(f"{UPDATES}{update.pk}/delete/").status_code == 403
    response = client.get(UPDATES)
    assert b"delete_selected" not in response.content
    response = client.post(
        UPDATES, {"action": "withdraw_selected", "_selected_action": [update.pk]}
    )
    assert b"Withdraw them" in response.content  # the reason is asked for first
    response = client.post(
        UPDATES,
        {"action": "withdraw_selected", "_selected_action": [update.pk], "apply": "1",
         "reason": "Recorded against the wrong recommendation"},
    )  # fmt: skip
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.is_withdrawn and update.withdrawn_by == officer
    assert ProgressUpdate.history.filter(id=update.pk).latest().history_user == officer


def test_publishing_in_the_admin_needs_the_permission(client, officer):
    recommendation = RecommendationFactory()
    draft = record_update(recommendation=recommendation, date=D(2018, 6, 1), text="Done.",
                          status="resolved", published=False, entered_by=officer)  # fmt: skip
    # Someone with an officer's permissions except publishing.
    drafter = StaffUserFactory(role="Auditor")
    drafter.groups.clear()
    drafter.user_permissions.set(
        officer.groups.get().permissions.exclude(codename="publish_update")
    )
    client.force_login(drafter)
    response = client.get(UPDATES)
    assert b"publish_selected" not in response.content
    client.post(UPDATES, {"action": "publish_selected", "_selected_action": [draft.pk]})
    assert reload(recommendation).status == Status.ONGOING
    # Their new updates are drafts, whatever they post.
    response = client.post(
        f"{UPDATES}add/",
        {"recommendation": recommendation.pk, "date": "2018-07-01", "status": "resolved",
         "text": "Done again.", "published": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert ProgressUpdate.objects.get(text="Done again.").published is False
    client.force_login(officer)
    client.post(UPDATES, {"action": "publish_selected", "_selected_action": [draft.pk]})
    assert reload(recommendation).status == Status.RESOLVED


def test_a_published_update_is_read_only_in_the_admin(client, officer):
    client.force_login(officer)
    update = record_update(recommendation=RecommendationFactory(), date=D(2018, 6, 1),
                           text="Done.", status="resolved", entered_by=officer)  # fmt: skip
    client.post(
        f"{UPDATES}{update.pk}/change/",
        {"recommendation": update.recommendation_id, "date": "2018-06-01", "status": "ongoing",
         "text": "Changed"},
    )  # fmt: skip
    update.refresh_from_db()
    assert (update.status, update.text) == ("resolved", "Done.")


def test_the_bulk_status_update_is_all_or_nothing(client, officer):
    client.force_login(officer)
    old = RecommendationFactory(number=3, made_on=D(2016, 10, 31))
    new = RecommendationFactory(number=4, made_on=D(2018, 1, 1))
    response = client.post(
        CHANGELIST,
        {"action": "record_status_update", "_selected_action": [old.pk, new.pk], "apply": "1",
         "status": "resolved-by-other-means", "date": "2017-06-01", "text": "Met another way.",
         "publication": "publish"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Recommendation 4: An update cannot be dated before" in response.content.decode()
    assert not ProgressUpdate.objects.exists()
    response = client.post(
        CHANGELIST,
        {"action": "record_status_update", "_selected_action": [old.pk], "apply": "1",
         "status": "resolved-by-other-means", "date": "2018-06-01", "text": "Met another way.",
         "publication": "publish"},
    )  # fmt: skip
    assert response.status_code == 302
    assert reload(old).status == Status.RESOLVED_BY_OTHER_MEANS
    assert reload(old).latest_update.entered_by == officer


def test_on_the_real_data_every_history_ends_at_the_status_the_public_sees(real_data, client):
    five = Recommendation.objects.get(number=5)
    assert five.status == Status.RESOLVED
    assert status_transitions(five)[-1].new_status == Status.RESOLVED
    for recommendation in Recommendation.objects.all():
        transitions = status_transitions(recommendation)
        last = transitions[-1].new_status if transitions else Status.ONGOING
        assert last == recommendation.status, recommendation
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    page = client.get(f"{CHANGELIST}{five.pk}/history/").content.decode()
    assert "No published update has changed the status" not in page
    assert "<td>Resolved</td>" in page


def test_the_change_page_lists_who_withdrew_an_update_and_why(client, officer):
    recommendation = RecommendationFactory()
    update = record_update(recommendation=recommendation, date=D(2017, 10, 31), text="Done.",
                           status="resolved", entered_by=officer)  # fmt: skip
    withdraw_update(update=update, reason="Published against the wrong number.", user=officer)
    client.force_login(StaffUserFactory(role="Auditor"))

    page = client.get(f"{CHANGELIST}{recommendation.pk}/change/").content.decode()

    assert "Withdrawn updates" in page
    assert "Resolved (update of 31 Oct 2017)" in page
    assert "Published against the wrong number." in page
    assert str(officer) in page


def test_a_past_version_cannot_be_saved_back_from_the_history(client, officer):
    recommendation = RecommendationFactory()
    update = record_update(recommendation=recommendation, date=D(2017, 10, 31), text="Done.",
                           status="resolved", entered_by=officer)  # fmt: skip
    published_row = update.history.earliest("history_date")
    withdraw_update(update=update, reason="Wrong recommendation.", user=officer)
    client.force_login(StaffUserFactory(role="Auditor"))
    url = f"{UPDATES}{update.pk}/history/{published_row.history_id}/"

    assert client.get(url).status_code == 200
    assert client.post(url, {"version": update.version + 1}).status_code == 403
    update.refresh_from_db()
    assert update.is_withdrawn and not update.published
