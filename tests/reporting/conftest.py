import pytest
from django.urls import NoReverseMatch, reverse


@pytest.fixture(autouse=True)
def _portal_urls(settings):
    """Emails name the owner portal's pages: stand in for them where the portal is absent."""
    try:
        reverse("owners:home")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.reporting.portal_urls"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Evidence files land in the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
