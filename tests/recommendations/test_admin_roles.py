"""What each role may do in the recommendations admin: the Review's own words stay its own."""

import datetime

import pytest

from recommendations.models import Recommendation, RecommendationLink, Review
from tests.factories import (
    OwnershipFactory,
    RecommendationFactory,
    RecommendationLinkFactory,
    StaffUserFactory,
    UserFactory,
)
from tests.helpers import management_form

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
    from tests.helpers import management_form, no_links

    ownership = recommendation.ownerships.get()
    return {
        **management_form("ownerships", 1, 1),
        "ownerships-0-id": str(ownership.pk),
        "ownerships-0-recommendation": str(recommendation.pk),
        "ownerships-0-organisation": str(ownership.organisation_id),
        "ownerships-0-is_lead": "on",
        **management_form("updates", 0, 0),
        **no_links(),
    }


def _officers_post(client, recommendation, **fields):
    form = client.get(CHANGE.format(recommendation.pk)).context["adminform"].form
    data = {"version": form["version"].value(), **_inline_data(recommendation), **fields}
    if "opened" in form.fields:
        data["opened"] = form["opened"].value()
    return client.post(CHANGE.format(recommendation.pk), data)


def test_an_officer_records_the_response_but_not_the_review(client, recommendation_32):
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    form = client.get(CHANGE.format(recommendation_32.pk)).context["adminform"].form
    assert {"response", "response_date", "response_text"} <= set(form.fields)
    assert "review" not in form.fields

    response = _officers_post(
        client,
        recommendation_32,
        response="accepted",
        response_date="20/01/2017",
        response_text="Accepted by the GLA.",
        review="999",
    )

    assert response.status_code == 302
    fresh = Recommendation.objects.get(pk=recommendation_32.pk)
    assert (fresh.response, fresh.response_date, fresh.response_text) == (
        "accepted",
        datetime.date(2017, 1, 20),
        "Accepted by the GLA.",
    )
    assert fresh.review.slug == "harris-2016"


def test_a_response_date_without_a_response_is_refused_by_name(client, recommendation_32):
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    response = _officers_post(client, recommendation_32, response_date="20/01/2017")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["response_date"] == ["Choose the response this date is for."]


def test_an_officer_links_recommendations_on_the_page_and_sees_links_to_it(
    client, recommendation_32
):
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    other = RecommendationFactory(number=62)
    RecommendationLinkFactory(
        from_recommendation=RecommendationFactory(number=90),
        to_recommendation=recommendation_32,
        kind="supersedes",
    )
    page = client.get(CHANGE.format(recommendation_32.pk)).content.decode()
    assert "Links from other recommendations" in page
    assert "90 — " in page

    data = {
        **management_form("links_from", 1, 0),
        "links_from-0-kind": "takes-up",
        "links_from-0-to_recommendation": str(other.pk),
        "links_from-0-from_recommendation": str(recommendation_32.pk),
    }
    response = _officers_post(client, recommendation_32, **data)

    assert response.status_code == 302
    link = RecommendationLink.objects.get(from_recommendation=recommendation_32)
    assert (link.to_recommendation, link.kind) == (other, "takes-up")


def test_a_superusers_new_recommendation_is_the_default_reviews_unless_chosen(client):
    client.force_login(UserFactory(is_superuser=True))
    form = client.get("/admin/recommendations/recommendation/add/").context["adminform"].form
    assert form["review"].value() == Review.objects.default().pk


def test_officers_read_the_reviews_and_only_a_superuser_changes_one(client):
    review = Review.objects.default()
    change = f"/admin/recommendations/review/{review.pk}/change/"
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    assert "Harris Review 2016" in client.get("/admin/recommendations/review/").content.decode()
    assert client.post(change, {"short_title": "Changed"}).status_code == 403
    client.force_login(UserFactory(is_superuser=True))
    assert 'name="short_title"' in client.get(change).content.decode()
