"""Publishing cannot be missed: new updates are published by default for those who may, and a
draft says plainly that nothing public changed."""

import pytest
from django.contrib.auth.models import Group

from recommendations.models import ProgressUpdate, Recommendation, Status
from tests.factories import (
    OwnershipFactory,
    ProgressUpdateFactory,
    StaffUserFactory,
)
from tests.helpers import management_form, no_links

pytestmark = pytest.mark.django_db

CHANGE = "/admin/recommendations/recommendation/{}/change/"
ADD_UPDATE = "/admin/recommendations/progressupdate/add/"


@pytest.fixture
def recommendation():
    return OwnershipFactory(recommendation__number=19).recommendation


@pytest.fixture
def officer(client):
    user = StaffUserFactory(role="MOPAC officer")
    client.force_login(user)
    return user


@pytest.fixture
def secretariat(client):
    user = StaffUserFactory(role="Board secretariat")
    # Enough to enter an update, not to publish it.
    user.user_permissions.add(*Group.objects.get(name="MOPAC officer").permissions.exclude(
        codename="publish_update"))  # fmt: skip
    client.force_login(user)
    return user


def inline_post(client, recommendation, *, published: bool):
    opened = client.get(CHANGE.format(recommendation.pk)).context["adminform"].form
    ownership = recommendation.ownerships.get()
    data = {
        "version": opened["version"].value(),
        **management_form("ownerships", 1, 1),
        "ownerships-0-id": str(ownership.pk),
        "ownerships-0-recommendation": str(recommendation.pk),
        "ownerships-0-organisation": str(ownership.organisation_id),
        "ownerships-0-is_lead": "on",
        **management_form("updates", 1, 0),
        **no_links(),
        "updates-0-recommendation": str(recommendation.pk),
        "updates-0-date": "2018-06-01",
        "updates-0-status": "resolved",
        "updates-0-text": "All crews trained.",
    }
    if "opened" in opened.fields:
        data["opened"] = opened["opened"].value()
    if published:
        data["updates-0-published"] = "on"
    return client.post(CHANGE.format(recommendation.pk), data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_new_inline_update_is_ticked_published_for_an_officer(client, officer, recommendation):
    response = client.get(CHANGE.format(recommendation.pk))
    formset = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "updates"
    )
    assert formset.formset.forms[-1]["published"].value() is True


def test_an_unticked_update_says_it_is_a_draft_and_the_status_has_not_moved(
    client, officer, recommendation
):
    response = inline_post(client, recommendation, published=False)
    assert "Saved as a draft: the public status of Recommendation 19 is still Ongoing." in (
        " ".join(messages_of(response))
    )
    assert Recommendation.objects.get(pk=recommendation.pk).status == Status.ONGOING


def test_a_ticked_update_moves_the_status(client, officer, recommendation):
    response = inline_post(client, recommendation, published=True)
    assert not any("draft" in m for m in messages_of(response))
    assert Recommendation.objects.get(pk=recommendation.pk).status == Status.RESOLVED


def test_the_add_page_publishes_by_default_and_names_a_draft(client, officer, recommendation):
    form = client.get(ADD_UPDATE).context["adminform"].form
    assert form["published"].value() is True
    response = client.post(
        ADD_UPDATE,
        {
            "recommendation": recommendation.pk,
            "date": "2018-06-01",
            "status": "resolved",
            "text": "Done.",
            "source": "",
        },
        follow=True,
    )
    assert any("Saved as a draft" in m for m in messages_of(response))


def test_drafts_are_listed_and_published_with_one_click(client, officer, recommendation):
    draft = ProgressUpdateFactory(
        recommendation=recommendation, date="2018-06-01", status="resolved", published=False
    )
    page = client.get(CHANGE.format(recommendation.pk)).content.decode()
    assert "Drafts awaiting publication" in page
    assert "Publish the update of 1 Jun 2018" in page
    response = client.post(
        f"/admin/recommendations/recommendation/{recommendation.pk}/publish-draft/",
        {"update": draft.pk},
        follow=True,
    )
    assert "Recommendation 19 is now Resolved in public" in " ".join(messages_of(response))
    assert ProgressUpdate.objects.get(pk=draft.pk).published


def test_publishing_a_draft_needs_a_post(client, officer, recommendation):
    url = f"/admin/recommendations/recommendation/{recommendation.pk}/publish-draft/"
    assert client.get(url).status_code == 405


def test_who_may_not_publish_cannot_and_is_told_who_can(client, secretariat, recommendation):
    draft = ProgressUpdateFactory(recommendation=recommendation, published=False)
    url = f"/admin/recommendations/recommendation/{recommendation.pk}/publish-draft/"
    assert client.post(url, {"update": draft.pk}).status_code == 403
    assert not ProgressUpdate.objects.get(pk=draft.pk).published
    page = client.get(CHANGE.format(recommendation.pk)).content.decode()
    assert (
        "You may not publish; someone in the role “MOPAC officer” or “Report author” may." in page
    )


def test_the_bulk_action_publishes_by_default(client, officer, recommendation):
    response = client.post(
        "/admin/recommendations/recommendation/",
        {"action": "record_status_update", "_selected_action": [recommendation.pk]},
    )
    assert response.context["form"]["publication"].value() == "publish"


def test_the_bulk_action_names_drafts_plainly(client, officer, recommendation):
    response = client.post(
        "/admin/recommendations/recommendation/",
        {
            "action": "record_status_update",
            "_selected_action": [recommendation.pk],
            "apply": "1",
            "status": "resolved",
            "date": "2018-06-01",
            "text": "Done.",
            "source": "",
            "publication": "draft",
        },
        follow=True,
    )
    text = " ".join(messages_of(response))
    assert "Saved as a draft: the public status of Recommendation 19 is still Ongoing." in text
    assert "(s)" not in text


def test_the_publish_action_counts_in_plain_english(client, officer, recommendation):
    drafts = [
        ProgressUpdateFactory(recommendation=recommendation, published=False) for _ in range(2)
    ]
    response = client.post(
        "/admin/recommendations/progressupdate/",
        {"action": "publish_selected", "_selected_action": [d.pk for d in drafts]},
        follow=True,
    )
    assert "Published 2 updates." in messages_of(response)


def test_help_texts_name_no_database_fields(client, officer, recommendation):
    page = client.get(CHANGE.format(recommendation.pk)).content.decode()
    assert "target_date_changes" not in page
    assert "listed under “Expected date changes” below" in page


def test_the_add_page_tells_who_may_not_publish_who_may(client, secretariat, recommendation):
    page = client.get(ADD_UPDATE).content.decode()
    assert "This update will be a draft: you may not publish; someone in the role" in page
