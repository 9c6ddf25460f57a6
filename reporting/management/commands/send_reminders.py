"""Send the owner contacts' reminders and the officers' weekly digest that are due.

Run it every hour from cron or a Kubernetes CronJob: it sends each reminder once, even when
two copies run at the same time, and nothing when there is nothing new to send. The emails
are queued; the task worker (`python manage.py db_worker`) sends them.
"""

from django.core.management import BaseCommand

from reporting.services import send_reminders


class Command(BaseCommand):
    help = "Send the reminders and digests that are due (safe to run every hour)."

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(f"Queued {sent} email(s): the task worker sends them.")
