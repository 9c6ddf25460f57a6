"""The staff roles for browser tests: the live server's transactional tests flush the groups
the data migration made, so each test that signs a role in makes them again."""

from django.apps import apps
from django.contrib.auth.models import Group

from harris_tracker.roles import ROLES, role_permissions


def make_roles() -> None:
    for role, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(apps, grants))


def sign_in(page, live_server, username: str, password: str, next_url: str = "/admin/") -> None:
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{next_url}")
