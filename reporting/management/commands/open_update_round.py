"""Open an update round from the command line, e.g.

    python manage.py open_update_round --name "2018 annual report" --due 2018-09-28

Asks the owners of every recommendation with the given status (Ongoing unless --status says
otherwise) for an update, and queues one email to each of their contacts: the task worker
(`python manage.py db_worker`) sends them, and retries any the mail server refuses.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from recommendations.models import Recommendation, Status
from reporting.services import open_round


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--due {text!r} is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Open an update round asking owners for progress on their recommendations."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help='e.g. "2018 annual report"')
        parser.add_argument("--due", required=True, type=_date, help="YYYY-MM-DD")
        parser.add_argument(
            "--status",
            default=Status.ONGOING.value,
            choices=Status.values,
            help="Ask about the recommendations with this status (default: ongoing).",
        )
        parser.add_argument("--opened-by", metavar="USERNAME", help="Who the round is from.")

    def handle(self, *args, name, due, status, opened_by=None, **options):
        officer = None
        if opened_by:
            officer = get_user_model().objects.filter(username=opened_by).first()
            if officer is None:
                raise CommandError(f"There is no user called {opened_by!r}.")
        recommendations = Recommendation.objects.filter(status=status)
        try:
            update_round = open_round(
                name=name, due_date=due, recommendations=recommendations, opened_by=officer
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        asked = update_round.requests.count()
        organisations = update_round.requests.values("organisation").distinct().count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Opened {update_round.name}, due {update_round.due_date:%-d %B %Y}: "
                f"{asked} request(s) to {organisations} organisation(s)."
            )
        )
        self.stdout.write(
            f"Queued {update_round.emails_queued} email(s) to the owners' contacts: the task "
            "worker sends them, and tries again later if the mail server refuses them "
            "(see Outgoing emails in the admin)."
        )
