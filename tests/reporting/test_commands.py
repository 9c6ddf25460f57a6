"""The commands: open a round, send reminders (once only), create an owner contact."""

import datetime
import email
import io
import threading
from email import policy

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

from recommendations.models import Status
from reporting.models import OutgoingEmail, OwnerContact, ReminderSent, UpdateRound
from reporting.services import save_submission, send_reminders
from tests.factories import (
    OrganisationFactory,
    OwnerContactFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
    UpdateRequestFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def round_due_soon(settings):
    """A round opened a month ago and due within the reminder window; LAS has not answered."""
    settings.REMINDER_DAYS_BEFORE_DUE = 7
    las = OrganisationFactory(acronym="LAS")
    update_request = UpdateRequestFactory(
        organisation=las, recommendation=RecommendationFactory(number=47), round__due_date=days(5)
    )
    UpdateRound.objects.filter(pk=update_request.round_id).update(
        opened_at=timezone.now() - datetime.timedelta(days=30)
    )
    contact = OwnerContactFactory(organisations=[las], user__email="jo@las.example")
    return update_request, contact


def test_send_reminders_twice_sends_nothing_the_second_time(round_due_soon, run_tasks):
    with run_tasks():
        call_command("send_reminders", stdout=io.StringIO())
    first = len(mail.outbox)
    with run_tasks():
        call_command("send_reminders", stdout=io.StringIO())

    assert first == 1
    assert len(mail.outbox) == 1
    [message] = mail.outbox
    assert message.to == ["jo@las.example"]
    assert "due on" in message.subject
    assert "/owners/recommendations/47/" in message.body
    assert ReminderSent.objects.count() == 1


def test_the_overdue_reminder_goes_once_the_due_date_has_passed(round_due_soon, run_tasks):
    with run_tasks():
        send_reminders(today=days(1))
    mail.outbox.clear()

    with run_tasks():
        assert send_reminders(today=days(6)) == 1
        assert send_reminders(today=days(7)) == 0
    [message] = mail.outbox
    assert message.subject.startswith("Overdue")


def test_no_reminder_once_the_update_is_submitted(round_due_soon):
    update_request, contact = round_due_soon
    save_submission(
        request=update_request,
        author=contact.user,
        text="Done.",
        date=datetime.date(2018, 1, 1),
        proposed_status=Status.ONGOING,
        submit=True,
    )

    send_reminders()

    assert not [m for m in mail.outbox if "jo@las.example" in m.to]


def test_owners_who_do_not_lead_are_not_chased(round_due_soon, run_tasks):
    update_request, _ = round_due_soon
    lfb = OrganisationFactory(acronym="LFB")
    UpdateRequestFactory(
        round=update_request.round,
        recommendation=update_request.recommendation,
        organisation=lfb,
        is_lead=False,
    )
    OwnerContactFactory(organisations=[lfb], user__email="sam@lfb.example")

    with run_tasks():
        send_reminders(today=days(1))

    assert [m.to for m in mail.outbox] == [["jo@las.example"]]


def test_no_reminder_too_early(round_due_soon):
    assert send_reminders(today=days(-3)) == 0


def test_officers_get_one_digest_a_week(round_due_soon, run_tasks):
    update_request, contact = round_due_soon
    save_submission(
        request=update_request,
        author=contact.user,
        text="Closed.",
        date=datetime.date(2018, 1, 1),
        proposed_status=Status.RESOLVED,
        submit=True,
    )
    officer = StaffUserFactory(email="officer@mopac.example")
    StaffUserFactory(role="Auditor")

    with run_tasks():
        send_reminders()
        send_reminders()

    [digest] = [m for m in mail.outbox if m.to == [officer.email]]
    assert "1 update(s) awaiting review" in digest.subject
    assert "Recommendation 47 from LAS" in digest.body
    assert "Closures requested: 1" in digest.body
    assert "/admin/reporting/submission/" in digest.body
    assert len(mail.outbox) == 1  # the auditor gets none; the contact has answered


def test_open_update_round_asks_about_ongoing_recommendations_by_default():
    ongoing, resolved = RecommendationFactory(number=1), RecommendationFactory(number=2)
    ProgressUpdateFactory(recommendation=resolved, status=Status.RESOLVED)
    for recommendation in (ongoing, resolved):
        OwnershipFactory(recommendation=recommendation)

    call_command(
        "open_update_round",
        "--name",
        "2018 annual report",
        "--due",
        str(days(30)),
        stdout=io.StringIO(),
    )

    update_round = UpdateRound.objects.get()
    assert list(update_round.requests.values_list("recommendation__number", flat=True)) == [1]


def test_open_update_round_refuses_a_bad_date():
    with pytest.raises(CommandError, match="not a date"):
        call_command("open_update_round", "--name", "X", "--due", "28/09/2018")


def test_create_staff_user_makes_an_owner_contact_who_is_not_staff(monkeypatch):
    las = OrganisationFactory(slug="las")
    tfl = OrganisationFactory(slug="tfl")
    monkeypatch.setenv("NEW_PASSWORD", "a long and unusual passphrase 93")

    call_command(
        "create_staff_user",
        "--username",
        "jdoe",
        "--email",
        "j@las.example",
        "--role",
        "Owner contact",
        "--organisation",
        "las",
        "--organisation",
        "tfl",
        "--password-from-env",
        "NEW_PASSWORD",
        stdout=io.StringIO(),
    )

    user = get_user_model().objects.get(username="jdoe")
    assert not user.is_staff
    assert set(OwnerContact.objects.get(user=user).organisations.all()) == {las, tfl}


def test_an_owner_contact_needs_a_known_organisation(monkeypatch):
    monkeypatch.setenv("NEW_PASSWORD", "a long and unusual passphrase 93")
    args = ["--username", "jdoe", "--email", "j@x.example", "--role", "Owner contact"]

    with pytest.raises(CommandError, match="at least one --organisation"):
        call_command("create_staff_user", *args, "--password-from-env", "NEW_PASSWORD")
    with pytest.raises(CommandError, match="nowhere"):
        call_command(
            "create_staff_user",
            *args,
            "--organisation",
            "nowhere",
            "--password-from-env",
            "NEW_PASSWORD",
        )
    assert not get_user_model().objects.filter(username="jdoe").exists()


def test_reminders_arrive_through_a_real_smtp_server(
    round_due_soon, smtp_server, settings, run_tasks
):
    settings.SITE_URL = "https://tracker.example"

    with run_tasks():
        call_command("send_reminders", stdout=io.StringIO())

    [raw] = [bytes(m) for m in smtp_server]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["X-RcptTo"] == "jo@las.example"
    assert message["To"] == "jo@las.example"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "https://tracker.example/owners/recommendations/47/" in text
    assert 'href="https://tracker.example/owners/recommendations/47/"' in html


@pytest.mark.skipif(
    "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="concurrent writers need PostgreSQL (DATABASE_URL=postgres://…)",
)
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(round_due_soon):
    barrier = threading.Barrier(2)
    sent = []

    def run():
        try:
            barrier.wait()
            sent.append(send_reminders())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(sent) == [0, 1]
    assert OutgoingEmail.objects.filter(kind="reminder").count() == 1
