"""An officer changes a status in the admin by adding a published progress update."""

import pytest

from recommendations.models import Recommendation, Status
from tests.factories import (
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.helpers import management_form, no_links

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True))
    return client


def test_adding_a_published_update_in_the_admin_changes_the_status(admin_client):
    recommendation = RecommendationFactory(number=48, text="Train LFB personnel.")
    ownership = OwnershipFactory(recommendation=recommendation)
    old = ProgressUpdateFactory(recommendation=recommendation, date="2017-10-31", status="ongoing")
    data = {
        "number": "48",
        "section": "other",
        "text": "Train LFB personnel.",
        "made_on": "2016-10-31",
        "version": str(Recommendation.objects.get(pk=recommendation.pk).version),
        **management_form("ownerships", 1, 1),
        "ownerships-0-id": str(ownership.pk),
        "ownerships-0-recommendation": str(recommendation.pk),
        "ownerships-0-organisation": str(ownership.organisation.pk),
        "ownerships-0-is_lead": "on",
        **management_form("updates", 2, 1),
        **no_links(),
        "updates-0-id": str(old.pk),
        "updates-0-recommendation": str(recommendation.pk),
        "updates-0-date": "2017-10-31",
        "updates-0-status": "ongoing",
        "updates-0-text": old.text,
        "updates-0-source": old.source,
        "updates-0-published": "on",
        "updates-1-recommendation": str(recommendation.pk),
        "updates-1-date": "2018-06-01",
        "updates-1-status": "resolved",
        "updates-1-text": "All crews trained.",
        "updates-1-source": "LFB return",
        "updates-1-published": "on",
    }
    response = admin_client.post(
        f"/admin/recommendations/recommendation/{recommendation.pk}/change/", data
    )
    assert response.status_code == 302, (
        response.context["errors"] if response.context else response
    )
    fresh = Recommendation.objects.get(pk=recommendation.pk)
    assert fresh.status == Status.RESOLVED
    assert fresh.latest_update.text == "All crews trained."
    assert fresh.latest_update.entered_by.is_superuser


@pytest.mark.parametrize(
    "url",
    [
        "/admin/recommendations/recommendation/",
        "/admin/recommendations/recommendation/?status__exact=resolved&q=LFB",
        "/admin/recommendations/progressupdate/",
        "/admin/recommendations/organisation/",
        "/admin/recommendations/recommendation/add/",
    ],
)
def test_admin_pages_answer(admin_client, url):
    ProgressUpdateFactory(text="LFB trained")
    assert admin_client.get(url).status_code == 200


def test_the_admin_is_for_staff_only(client):
    response = client.get("/admin/recommendations/recommendation/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_changelist_queries_do_not_grow_with_rows(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(rows: int) -> int:
        for _ in range(rows):
            ProgressUpdateFactory(recommendation=OwnershipFactory().recommendation)
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/admin/recommendations/recommendation/").status_code == 200
        return len(captured.captured_queries)

    ten = count(10)
    assert count(90) == ten  # now 100 rows


def test_progress_update_changelist_queries_do_not_grow(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(rows: int) -> int:
        for _ in range(rows):
            ProgressUpdateFactory()
        with CaptureQueriesContext(connection) as captured:
            admin_client.get("/admin/recommendations/progressupdate/")
        return len(captured.captured_queries)

    ten = count(10)
    assert count(90) == ten


def test_autocomplete_finds_organisations_and_recommendations(admin_client):
    OwnershipFactory(organisation__name="Metropolitan Police Service", organisation__slug="mps")
    response = admin_client.get(
        "/admin/autocomplete/",
        {"term": "Metro", "app_label": "recommendations", "model_name": "ownership",
         "field_name": "organisation"},
    )  # fmt: skip
    assert response.json()["results"][0]["text"]
