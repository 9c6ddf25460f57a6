"""Error pages look like the site and say nothing about the request or the server."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import include, path

from tests.site_data import SECRET, make_site, text_of


def fail(request):
    raise RuntimeError(f"database password is {SECRET}")


def forbid(request):
    raise PermissionDenied(SECRET)


urlpatterns = [
    path("test-500/", fail),
    path("test-403/", forbid),
    path("", include("harris_tracker.urls")),
]


@pytest.fixture
def failing_client(client, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    make_site()
    return client


def assert_site_page(response, status: int, heading: str) -> None:
    assert response.status_code == status
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'class="skip-link"' in html
    assert heading in text_of(response)
    assert SECRET not in html
    assert "Traceback" not in html


@pytest.mark.django_db
def test_404_is_in_the_site_look(failing_client):
    response = failing_client.get(f"/recommendations/999/?q={SECRET}")
    assert_site_page(response, 404, "Page not found")


@pytest.mark.django_db
def test_500_is_in_the_site_look_and_leaks_nothing(failing_client):
    assert_site_page(failing_client.get("/test-500/"), 500, "Sorry, there is a problem")


@pytest.mark.django_db
def test_403_is_in_the_site_look_and_leaks_nothing(failing_client):
    assert_site_page(failing_client.get("/test-403/"), 403, "You cannot see this page")


@pytest.mark.django_db
def test_400_is_in_the_site_look_and_leaks_nothing(failing_client):
    response = failing_client.get("/", headers={"host": "not-allowed.example"})
    assert_site_page(response, 400, "could not understand that request")
    assert "not-allowed.example" not in response.content.decode()
