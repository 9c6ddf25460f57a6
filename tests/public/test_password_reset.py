"""The owner portal's "forgot password" is limited per address and per client address, and
the page neither looks the address up nor sends anything itself: a background task does."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks import default_task_backend

from public.password_reset import send_password_reset
from tests.factories import OrganisationFactory, OwnerContactFactory

pytestmark = pytest.mark.django_db

RESET = "/owners/password/reset/"
SENT_PAGE = "/owners/password/reset/sent/"


@pytest.fixture
def contact():
    return OwnerContactFactory(
        organisations=[OrganisationFactory()], user__email="paramedic@owner.example"
    )


def ask(client, address: str, client_address: str = "192.0.2.1"):
    return client.post(RESET, {"email": address}, REMOTE_ADDR=client_address, follow=True)


def test_one_address_gets_at_most_three_emails_an_hour(client, contact, settings, run_tasks):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    with run_tasks():
        pages = [ask(client, "Paramedic@owner.example", f"192.0.2.{n}") for n in range(5)]

    assert [m.to for m in mail.outbox] == [["paramedic@owner.example"]] * 3
    # The page reads the same whether the email went or not.
    assert len({page.content for page in pages}) == 1
    assert all(page.redirect_chain[-1][0] == SENT_PAGE for page in pages)


def test_one_client_address_may_ask_ten_times_an_hour(client, contact, settings, run_tasks):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 10
    with run_tasks():
        for n in range(10):
            ask(client, f"guess{n}@owner.example", "198.51.100.7")
        refused = ask(client, "paramedic@owner.example", "198.51.100.7")
    assert mail.outbox == []
    with run_tasks():
        allowed = ask(client, "paramedic@owner.example", "203.0.113.9")

    assert [m.to for m in mail.outbox] == [["paramedic@owner.example"]]
    assert refused.content == allowed.content


def test_the_page_only_queues_the_task_whether_the_address_is_known_or_not(client, contact):
    with CaptureQueriesContext(connection) as known:
        ask(client, "paramedic@owner.example")
    with CaptureQueriesContext(connection) as unknown:
        ask(client, "nobody@owner.example")

    # Nothing the request does depends on the address: the task looks it up.
    assert len(known) == len(unknown)
    assert not [q for q in known.captured_queries if "auth_user" in q["sql"]]
    assert mail.outbox == []


def test_the_task_queues_the_email_for_a_contact_only(contact, run_tasks):
    with run_tasks():
        send_password_reset.enqueue("nobody@owner.example")
        send_password_reset.enqueue("paramedic@owner.example")

    assert [m.to for m in mail.outbox] == [["paramedic@owner.example"]]
    assert not default_task_backend.results
