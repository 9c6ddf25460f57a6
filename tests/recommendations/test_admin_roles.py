"""What each role may do in the recommendations admin: the Review's own words stay its own."""

import pytest

from recommendations.models import Recommendation
from tests.factories import OwnershipFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGE = "/admin/recommendations/recommendation/{}/change/"


@pytest.fixture
def recommendation_32():
    return OwnershipFactory(
        recommendation__number=32,
        recommendation__text="Consideration should be given by the GLA to a review.",
    ).recommendation


def test_an_officer_cannot_add_a_recommendation(client):
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    assert client.get("/admin/recommendations/recommendation/add/").status_code == 403


def test_an_officer_cannot_delete_a_recommendation(client, recommendation_32):
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    url = f"/admin/recommendations/recommendation/{recommendation_32.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Recommendation.objects.filter(pk=recommendation_32.pk).exists()


def test_an_officer_sees_the_reviews_words_but_has_no_input_for_them(client, recommendation_32):
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    response = client.get(CHANGE.format(recommendation_32.pk))
    form = response.context["adminform"].form
    for name in ("number", "text", "section", "made_on"):
        assert name not in form.fields
    content = response.content.decode()
    assert 'name="number"' not in content
    assert 'name="text"' not in content
    assert "Consideration should be given by the GLA" in content


def test_a_posted_text_from_an_officer_is_ignored(client, recommendation_32):
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    response = client.get(CHANGE.format(recommendation_32.pk))
    form = response.context["adminform"].form
    data = {
        "number": "99",
        "text": "Rewritten.",
        "version": form["version"].value(),
        **_inline_data(recommendation_32),
    }
    if "opened" in form.fields:
        data["opened"] = form["opened"].value()
    response = client.post(CHANGE.format(recommendation_32.pk), data)
    assert response.status_code == 302
    fresh = Recommendation.objects.get(pk=recommendation_32.pk)
    assert (fresh.number, fresh.text[:13]) == (32, "Consideration")


def test_a_superuser_can_still_correct_the_text(client, recommendation_32):
    client.force_login(UserFactory(is_superuser=True))
    form = client.get(CHANGE.format(recommendation_32.pk)).context["adminform"].form
    assert {"number", "text", "section", "made_on"} <= set(form.fields)
    assert client.get("/admin/recommendations/recommendation/add/").status_code == 200


def _inline_data(recommendation):
    from tests.helpers import management_form

    ownership = recommendation.ownerships.get()
    return {
        **management_form("ownerships", 1, 1),
        "ownerships-0-id": str(ownership.pk),
        "ownerships-0-recommendation": str(recommendation.pk),
        "ownerships-0-organisation": str(ownership.organisation_id),
        "ownerships-0-is_lead": "on",
        **management_form("updates", 0, 0),
    }
