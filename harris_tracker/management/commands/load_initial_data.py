"""Load the real data (the 127 recommendations and the board records) into an empty database.

Run by `make run` every time: on a database that already holds recommendations it does
nothing, so officers' changes are never overwritten and nothing is duplicated.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, call_command
from django.db import transaction

from boards.models import Board, Meeting
from recommendations.models import LinkKind, Recommendation, RecommendationLink

#: In this order: the boards' organisations are named by slug and update the rows the
#: recommendations fixture made (or add the ones only boards use); the boards refer to both.
FIXTURES = ["recommendations", "board_organisations", "boards"]

#: Loaded first, whichever fixtures are asked for: the review the recommendations belong to
#: (a recommendation that names none belongs to settings.DEFAULT_REVIEW). Named by natural
#: key, so that it updates the row the migrations made rather than adding a second.
REVIEWS_FIXTURE = "reviews"


def fixture_path(fixture: str) -> Path:
    """A fixture's file: a path as given, or a name in settings.FIXTURE_DIRS."""
    if fixture.endswith(".json"):
        return Path(fixture)
    for directory in settings.FIXTURE_DIRS:
        path = Path(directory) / f"{fixture}.json"
        if path.exists():
            return path
    raise FileNotFoundError(f"No fixture named '{fixture}' in {settings.FIXTURE_DIRS}")


def load_fixture(fixture: str) -> int:
    """loaddata, with the fixture's `related` lists made into related links; returns the
    number of links made.

    fixtures/recommendations.json is the report parser's output (tools/), which still writes a
    recommendation's cross-references as the old many-to-many `related` (pks, both ways):
    loaddata ignores that field now, and each pair becomes one related link.
    """
    call_command("loaddata", fixture, verbosity=0, ignorenonexistent=True)
    objects = json.loads(fixture_path(fixture).read_text(encoding="utf-8"))
    pairs = {
        (min(obj["pk"], other), max(obj["pk"], other))
        for obj in objects
        if obj.get("model") == "recommendations.recommendation"
        for other in obj["fields"].get("related", [])
        if other != obj["pk"]
    }
    links = RecommendationLink.objects.bulk_create(
        RecommendationLink(from_recommendation_id=a, to_recommendation_id=b, kind=LinkKind.RELATED)
        for a, b in sorted(pairs)
    )
    return len(links)


class Command(BaseCommand):
    help = "Load the Harris Review data from fixtures/ unless the database already has it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixture", action="append", dest="fixtures", help="Load these fixtures instead."
        )

    def handle(self, *args, fixtures=None, **options):
        if Recommendation.objects.exists():
            self.stdout.write("The database already holds the recommendations: nothing loaded.")
            return
        with transaction.atomic():
            call_command("loaddata", REVIEWS_FIXTURE, verbosity=0)
            # One fixture per call: loaddata resets PostgreSQL's id sequences only at the end
            # of a call, and the organisations the boards add (no pk) must not be given ids
            # the recommendations fixture has just used.
            for fixture in fixtures or FIXTURES:
                load_fixture(fixture)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {Recommendation.objects.count()} recommendations, "
                f"{Board.objects.count()} boards and {Meeting.objects.count()} meetings."
            )
        )
