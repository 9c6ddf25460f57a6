"""Two officers editing the same recommendation: the second save is refused, never lost."""

import datetime
import threading

import pytest
from django.db import connection

from recommendations.models import Recommendation
from recommendations.services import record_update
from tests.factories import (
    OwnershipFactory,
    RecommendationFactory,
    StaffUserFactory,
    UserFactory,
)
from tests.helpers import management_form, no_links

pytestmark = pytest.mark.django_db

CHANGE = "/admin/recommendations/recommendation/{}/change/"


def form_data(recommendation, version, text):
    ownership = recommendation.ownerships.get()
    return {
        "number": str(recommendation.number),
        "section": recommendation.section,
        "text": text,
        "made_on": "2016-10-31",
        "version": str(version),
        **management_form("ownerships", 1, 1),
        "ownerships-0-id": str(ownership.pk),
        "ownerships-0-recommendation": str(recommendation.pk),
        "ownerships-0-organisation": str(ownership.organisation_id),
        "ownerships-0-is_lead": "on",
        **management_form("updates", 0, 0),
        **no_links(),
    }


@pytest.fixture
def recommendation():
    return OwnershipFactory(
        recommendation__number=48, recommendation__text="Train LFB personnel."
    ).recommendation


def opened_version(client, recommendation) -> int:
    response = client.get(CHANGE.format(recommendation.pk))
    return int(response.context["adminform"].form["version"].value())


def test_the_second_of_two_edits_is_refused_with_a_link_to_the_history(client, recommendation):
    # Superusers: only they may correct the Review's text.
    first, second = UserFactory(is_superuser=True), UserFactory(is_superuser=True)
    client.force_login(first)
    version_a = opened_version(client, recommendation)
    client.force_login(second)
    version_b = opened_version(client, recommendation)
    assert version_a == version_b

    client.force_login(first)
    response = client.post(
        CHANGE.format(recommendation.pk), form_data(recommendation, version_a, "First edit.")
    )
    assert response.status_code == 302

    client.force_login(second)
    response = client.post(
        CHANGE.format(recommendation.pk), form_data(recommendation, version_b, "Second edit.")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone else changed this recommendation since you opened it" in content
    assert f"/admin/recommendations/recommendation/{recommendation.pk}/history/" in content
    assert Recommendation.objects.get(pk=recommendation.pk).text == "First edit."

    # Opened again, the current version saves.
    version = opened_version(client, recommendation)
    response = client.post(
        CHANGE.format(recommendation.pk), form_data(recommendation, version, "Second edit.")
    )
    assert response.status_code == 302
    assert Recommendation.objects.get(pk=recommendation.pk).text == "Second edit."


def test_an_update_recorded_meanwhile_also_refuses_the_stale_edit(client, recommendation):
    officer = StaffUserFactory(role="MOPAC officer")
    client.force_login(officer)
    version = opened_version(client, recommendation)
    record_update(recommendation=recommendation, date=datetime.date(2018, 6, 1),
                  text="Done.", status="resolved", entered_by=officer)  # fmt: skip
    response = client.post(
        CHANGE.format(recommendation.pk), form_data(recommendation, version, "Edited.")
    )
    assert response.status_code == 200
    assert "Someone else changed this recommendation" in response.content.decode()


def test_every_save_moves_the_version_on():
    recommendation = RecommendationFactory()
    start = Recommendation.objects.get(pk=recommendation.pk).version
    stale = Recommendation.objects.get(pk=recommendation.pk)
    recommendation.text = "Changed"
    recommendation.save()
    stale.save()  # an old copy saved still moves it on, never back
    assert Recommendation.objects.get(pk=recommendation.pk).version == start + 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_one_wins_one_is_refused(client, recommendation):
    """Two requests at the same moment: the row lock makes the second see the first."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with row locks and concurrent connections")
    from django.test import Client

    # Superusers: an earlier transactional test (the browser tests' live server) may have
    # flushed the database, taking the roles of the data migration with it.
    users = [UserFactory(is_superuser=True) for _ in range(2)]
    version = Recommendation.objects.get(pk=recommendation.pk).version
    results = []
    barrier = threading.Barrier(2)

    def edit(user, text):
        c = Client()
        c.force_login(user)
        barrier.wait()
        results.append(
            c.post(CHANGE.format(recommendation.pk), form_data(recommendation, version, text))
        )
        connection.close()

    threads = [threading.Thread(target=edit, args=(u, f"Edit {i}")) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [200, 302]


def test_a_draft_published_while_it_was_open_is_not_unpublished_by_the_edit(client):
    from recommendations.services import publish_update
    from tests.factories import ProgressUpdateFactory

    officer = StaffUserFactory(role="MOPAC officer")
    draft = ProgressUpdateFactory(published=False, status="resolved", text="First words.")
    client.force_login(officer)
    url = f"/admin/recommendations/progressupdate/{draft.pk}/change/"
    page = client.get(url)
    data = {
        "recommendation": draft.recommendation_id,
        "date": draft.date.isoformat(),
        "status": "resolved",
        "text": "Better words.",
        "source": draft.source,
        "version": page.context["adminform"].form.initial["version"],
    }
    publish_update(update=draft, user=officer)

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["errors"], "the save is refused with a message"
    draft.refresh_from_db()
    assert draft.published and draft.text == "First words."
    assert draft.recommendation.status == "resolved"
