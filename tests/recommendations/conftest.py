import pytest


@pytest.fixture(autouse=True)
def _files_in_a_temporary_media_root(settings, tmp_path):
    """Prepared exports (and any other file a test writes) go to the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
