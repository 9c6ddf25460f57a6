import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import RecommendationFactory

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def recommendation_numbers_in_boards_fixture() -> set[int]:
    numbers = set()
    for obj in json.loads((FIXTURES / "boards.json").read_text(encoding="utf-8")):
        numbers.update(obj["fields"].get("oversees", []))
        numbers.update(obj["fields"].get("recommendations", []))
    return numbers


def load_real_boards() -> None:
    """The boards' fixtures, loaded over the recommendations they name (pk = number, as in
    the recommendations fixture), made here so that the boards are checked on their own."""
    for number in sorted(recommendation_numbers_in_boards_fixture()):
        RecommendationFactory(id=number, number=number)
    call_command("loaddata", "board_organisations", "boards", verbosity=0)


@pytest.fixture
def real_boards(db):
    load_real_boards()
