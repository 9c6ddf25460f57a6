"""The admin site's own views: the autocomplete refuses what the database cannot search."""

import pytest

from tests.factories import RecommendationFactory, UserFactory

pytestmark = pytest.mark.django_db

# The picker of the recommendation page's links (its inline of RecommendationLink).
AUTOCOMPLETE = (
    "/admin/autocomplete/?app_label=recommendations&model_name=recommendationlink"
    "&field_name=to_recommendation"
)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="admin", is_superuser=True))
    RecommendationFactory(number=62, text="The MPS should train more officers.")
    return client


def test_autocomplete_finds_a_recommendation(admin_client):
    response = admin_client.get(f"{AUTOCOMPLETE}&term=officers")
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [
        "62 — The MPS should train more officers."
    ]


@pytest.mark.parametrize("term", ["%00", "offi%00cers"])
def test_a_nul_character_in_the_search_is_a_400_on_every_database(admin_client, term):
    response = admin_client.get(f"{AUTOCOMPLETE}&term={term}")
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_character_in_another_parameter_is_a_400(admin_client):
    response = admin_client.get(f"{AUTOCOMPLETE}&term=officers&page=1%00")
    assert response.status_code == 400
