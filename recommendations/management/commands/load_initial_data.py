"""Load the real data (the 127 recommendations and the board records) into an empty database.

Run by `make run` every time: on a database that already holds recommendations it does
nothing, so officers' changes are never overwritten and nothing is duplicated.
"""

from django.core.management import BaseCommand, call_command
from django.db import transaction

from recommendations.models import Recommendation

FIXTURES = ["recommendations"]


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
            call_command("loaddata", *(fixtures or FIXTURES), verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {Recommendation.objects.count()} recommendations.")
        )
