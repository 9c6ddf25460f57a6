"""Create a staff user in one of the roles, e.g.

    python manage.py create_staff_user --username asmith --email a.smith@mopac.example \\
        --role "MOPAC officer"

An owner contact is not staff (they use the owner portal, never the admin) and names the
organisations they report for:

    python manage.py create_staff_user --username jdoe --email j.doe@las.example \\
        --role "Owner contact" --organisation las

The password is asked for (twice), or read from an environment variable named with
--password-from-env: never from the command line, where it would stay in the shell history
and the process list.
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError
from django.db import transaction

from harris_tracker.roles import OWNER_CONTACT, ROLES
from recommendations.models import Organisation
from reporting.models import OwnerContact


class Command(BaseCommand):
    help = "Create a staff user in a role: " + ", ".join(ROLES) + "."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=list(ROLES))
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="Read the password from this environment variable instead of asking.",
        )
        parser.add_argument(
            "--organisation",
            action="append",
            default=[],
            metavar="SLUG",
            help=f"For the {OWNER_CONTACT!r} role: an organisation they report for (repeatable).",
        )

    def handle(
        self, *args, username, email, role, password_from_env=None, organisation=(), **options
    ):
        User = get_user_model()
        organisations = self._organisations(role, organisation)
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user called {username!r} already exists.")
        try:
            group = Group.objects.get(name=role)
        except Group.DoesNotExist:
            raise CommandError(f"The role {role!r} is missing: run migrate first.") from None

        password = self._password(password_from_env)
        user = User(username=username, email=email, is_staff=role != OWNER_CONTACT)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("The password is refused: " + " ".join(error.messages)) from None

        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(group)
            if role == OWNER_CONTACT:
                OwnerContact.objects.create(user=user).organisations.set(organisations)
        self.stdout.write(self.style.SUCCESS(f"Created {username} ({role})."))

    def _organisations(self, role: str, slugs: list[str]) -> list[Organisation]:
        if role != OWNER_CONTACT:
            if slugs:
                raise CommandError(f"--organisation is only for the {OWNER_CONTACT!r} role.")
            return []
        if not slugs:
            raise CommandError(f"An {OWNER_CONTACT!r} needs at least one --organisation SLUG.")
        found = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            raise CommandError(f"No organisation with the slug {', '.join(missing)}.")
        return list(found.values())

    def _password(self, variable: str | None) -> str:
        if variable:
            password = os.environ.get(variable, "")
            if not password:
                raise CommandError(f"The environment variable {variable} is empty or not set.")
            return password
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
