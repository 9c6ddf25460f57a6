"""Load the real data (the 127 recommendations and the board records) into an empty database.

Run by `make run` every time: on a database that already holds recommendations it does
nothing, so officers' changes are never overwritten and nothing is duplicated.
"""

from django.core.management import BaseCommand, call_command
from django.db import transaction

from boards.models import Board, Meeting
from recommendations.models import Recommendation

#: In this order: the boards' organisations are named by slug and update the rows the
#: recommendations fixture made (or add the ones only boards use); the boards refer to both.
FIXTURES = ["recommendations", "board_organisations", "boards"]


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
            # One fixture per call: loaddata resets PostgreSQL's id sequences only at the end
            # of a call, and the organisations the boards add (no pk) must not be given ids
            # the recommendations fixture has just used.
            for fixture in fixtures or FIXTURES:
                call_command("loaddata", fixture, verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {Recommendation.objects.count()} recommendations, "
                f"{Board.objects.count()} boards and {Meeting.objects.count()} meetings."
            )
        )
