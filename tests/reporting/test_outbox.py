"""Emails leave through a background task after the commit: a mail server that is down never
fails the action; each failure is recorded and retried with backoff, and staff can send a
failed email again."""

import datetime
import email
import io
import socket
import threading
from email import policy
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from reporting.models import OutgoingEmail, UpdateRound
from reporting.outbox import deliver_email, queue_email
from reporting.services import invite_contact
from tests.conftest import run_queued_tasks
from tests.factories import (
    OrganisationFactory,
    OwnerContactFactory,
    OwnershipFactory,
    RecommendationFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

NEXT_MONTH = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


@pytest.fixture
def refusing_smtp(settings):
    """An SMTP setting whose port nobody listens on: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    return port


@pytest.fixture
def owner_contact():
    las = OrganisationFactory(acronym="LAS")
    OwnershipFactory(recommendation=RecommendationFactory(number=47), organisation=las)
    return OwnerContactFactory(organisations=[las], user__email="jo@las.example")


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_open_update_round_with_smtp_refused_opens_the_round_and_a_retry_delivers(
    owner_contact, refusing_smtp, smtp_server, settings
):
    """The issue's test: the round opens and says its emails are queued; the worker's try
    fails and is recorded; a later retry delivers to a real SMTP server (aiosmtpd)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    server_port, settings.EMAIL_PORT = settings.EMAIL_PORT, refusing_smtp
    out = io.StringIO()

    call_command("open_update_round", "--name", "2018 round", "--due", NEXT_MONTH, stdout=out)
    run_worker()

    assert UpdateRound.objects.filter(name="2018 round").exists()
    assert "Queued 1 email(s)" in out.getvalue()
    queued = OutgoingEmail.objects.get()
    assert queued.state == OutgoingEmail.State.QUEUED
    assert queued.attempts == 1
    assert "ConnectionRefusedError" in queued.last_error
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == queued.next_attempt_at > timezone.now()

    # The mail server is back; the retry falls due (and the worker's pause after a server
    # failure, reporting.outbox.SERVER_DOWN_SECONDS, is long over).
    settings.EMAIL_PORT = server_port
    cache.clear()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()

    queued.refresh_from_db()
    assert queued.state == OutgoingEmail.State.SENT
    assert queued.body == queued.html == ""  # the words go once sent
    [raw] = [bytes(m) for m in smtp_server]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["To"] == "jo@las.example"
    assert "/owners/" in message.get_body(("plain",)).get_content()


def test_an_invitation_is_sent_only_after_the_commit(run_tasks):
    las = OrganisationFactory(acronym="LAS")

    invite_contact(email="jo@las.example", name="Jo", organisations=[las], invited_by=None)

    # Still inside the transaction: queued, nothing sent, no task yet.
    assert OutgoingEmail.objects.get().state == OutgoingEmail.State.QUEUED
    assert not default_task_backend.results
    assert not mail.outbox


def test_failures_are_retried_with_backoff_then_marked_failed(settings, refusing_smtp):
    settings.EMAIL_RETRY_SECONDS = [60, 300]
    queued = queue_email(kind="test", to="jo@las.example", subject="Hello", text="Hi", html="")

    deliver_email.call(queued.pk)
    first = default_task_backend.results[-1].task.run_after
    run_queued_tasks(due_only=False)

    queued.refresh_from_db()
    assert queued.state == OutgoingEmail.State.FAILED
    assert queued.attempts == 3
    assert "ConnectionRefusedError" in queued.last_error
    assert first - timezone.now() > datetime.timedelta(seconds=50)


def test_staff_send_a_failed_email_again_from_the_admin(client, settings, run_tasks):
    queued = queue_email(kind="test", to="jo@las.example", subject="Hello", text="Hi", html="")
    OutgoingEmail.objects.filter(pk=queued.pk).update(
        state=OutgoingEmail.State.FAILED, attempts=6, last_error="SMTPServerDisconnected"
    )
    client.force_login(StaffUserFactory())

    changelist = client.get("/admin/reporting/outgoingemail/?state=failed")
    with run_tasks():
        client.post(
            "/admin/reporting/outgoingemail/",
            {"action": "send_again", "_selected_action": [queued.pk]},
        )

    assert "Failed (no more tries)" in changelist.content.decode()
    assert "Hello" in changelist.content.decode()
    queued.refresh_from_db()
    assert queued.state == OutgoingEmail.State.SENT
    assert [m.to for m in mail.outbox] == [["jo@las.example"]]


def test_two_tasks_for_one_email_send_it_once():
    queued = queue_email(kind="test", to="jo@las.example", subject="Hello", text="Hi", html="")

    deliver_email.call(queued.pk)
    deliver_email.call(queued.pk)

    assert len(mail.outbox) == 1


def test_after_the_server_fails_the_next_emails_wait_without_trying(settings):
    """A silent server holds the worker for EMAIL_TIMEOUT once, not once per email."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])  # and never say a word
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.getsockname()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 1
    emails = [
        queue_email(kind="test", to=f"jo{n}@las.example", subject="Hi", text="Hi", html="")
        for n in range(3)
    ]

    for queued in emails:
        deliver_email.call(queued.pk)
    server.close()

    assert len(accepted) == 1
    states = OutgoingEmail.objects.values_list("state", "attempts", "last_error")
    assert [(state, attempts) for state, attempts, _ in states] == [("queued", 1)] * 3
    assert all("SMTPServerDisconnected" in error for _, _, error in states)


def test_no_request_sends_an_email_itself(client, django_capture_on_commit_callbacks):
    """An invitation and a password reset answer at once: each email is queued for the task
    worker, and the request (its commit included) never talks to a mail server."""
    las = OrganisationFactory(acronym="LAS")
    contact = OwnerContactFactory(user__email="sam@las.example", organisations=[las])
    client.force_login(StaffUserFactory())
    refuse = mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=AssertionError("a request sent an email"),
    )
    with refuse, django_capture_on_commit_callbacks(execute=True):
        invited = client.post(
            "/admin/reporting/ownercontact/add/",
            {"name": "Jo Doe", "email": "jo@las.example", "organisations": [las.pk]},
        )
        client.logout()
        reset = client.post("/owners/password/reset/", {"email": contact.user.email})
    assert invited.status_code == reset.status_code == 302
    assert not mail.outbox
    assert OutgoingEmail.objects.filter(to="jo@las.example").exists()
