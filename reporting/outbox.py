"""Emails leave through a background task, after the commit of the write that caused them.

`queue_email()` records the message (an `OutgoingEmail` row, in the caller's transaction) and,
once that transaction commits, enqueues `deliver_email`: a refused write sends nothing, and a
slow or refusing mail server never slows or fails the page or command. A failed try is
recorded on the row and tried again after `EMAIL_RETRY_SECONDS`; after the last one the row
is marked failed, and staff can send it again from the admin.

After a failure of the server itself (refused, silent, TLS or sign-in refused), the emails due
in the next `SERVER_DOWN_SECONDS` are not tried but wait their next turn: a round's fifty
emails to a silent server would otherwise hold the worker for fifty `EMAIL_TIMEOUT`s.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import ssl
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_tasks import task

from reporting.models import OutgoingEmail

logger = logging.getLogger(__name__)

#: How much of a failure's message is kept on the row.
ERROR_CHARS = 1000
SERVER_DOWN_SECONDS = 30
SERVER_DOWN_KEY = "outbox:mail-server-failed"
#: Failures of the mail server itself, rather than of one message or recipient.
SERVER_ERRORS = (
    ConnectionError,
    TimeoutError,
    ssl.SSLError,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPNotSupportedError,
    smtplib.SMTPAuthenticationError,
)


class MailServerDown(Exception):
    """The mail server failed moments ago, so this email was not tried."""


def queue_email(*, kind: str, to: str, subject: str, text: str, html: str) -> OutgoingEmail:
    """Record the email now and send it in the background once the transaction commits."""
    email = OutgoingEmail.objects.create(kind=kind, to=to, subject=subject, body=text, html=html)
    transaction.on_commit(partial(deliver_email.enqueue, email.pk))
    return email


def send_again(emails: QuerySet[OutgoingEmail]) -> int:
    """Queue the given failed emails for a fresh round of tries; return how many. (One being
    sent, or still waiting its turn, is left alone: it could otherwise go twice.)"""
    ids = list(emails.filter(state=OutgoingEmail.State.FAILED).values_list("pk", flat=True))
    OutgoingEmail.objects.filter(pk__in=ids).update(
        state=OutgoingEmail.State.QUEUED, attempts=0, next_attempt_at=None
    )
    for pk in ids:
        transaction.on_commit(partial(deliver_email.enqueue, pk))
    return len(ids)


@task()
def deliver_email(email_id: int) -> str:
    """Send one queued email. Returns what happened (kept in the task's result).

    The row is claimed first (queued → sending in one UPDATE), so that two tasks for the
    same email (a retry and a "send again") never send it twice. Any failure to send is
    recorded and retried, never raised: the task itself always succeeds.
    """
    claimed = OutgoingEmail.objects.filter(pk=email_id, state=OutgoingEmail.State.QUEUED).update(
        state=OutgoingEmail.State.SENDING, attempts=F("attempts") + 1, next_attempt_at=None
    )
    if not claimed:
        return f"email {email_id}: not queued (already sent, or being sent)"
    email = OutgoingEmail.objects.get(pk=email_id)
    server_failure = _recent_server_failure()
    if server_failure:
        return _failed(email, MailServerDown(f"not tried, the server failed: {server_failure}"))
    message = EmailMultiAlternatives(subject=email.subject, body=email.body, to=[email.to])
    if email.html:
        message.attach_alternative(email.html, "text/html")
    try:
        message.send()
    except Exception as error:  # whatever the mail backend raises, the email is kept
        if isinstance(error, SERVER_ERRORS):
            _remember_server_failure(error)
        return _failed(email, error)
    # The words go once sent: they may hold a one-time link.
    OutgoingEmail.objects.filter(pk=email.pk).update(
        state=OutgoingEmail.State.SENT, sent_at=timezone.now(), body="", html="", last_error=""
    )
    return f"email {email_id}: sent to {email.to}"


def _recent_server_failure() -> str | None:
    try:
        return cache.get(SERVER_DOWN_KEY)
    except Exception:  # no cache, no pause: every email is tried
        return None


def _remember_server_failure(error: Exception) -> None:
    try:
        cache.set(SERVER_DOWN_KEY, f"{type(error).__name__}: {error}", SERVER_DOWN_SECONDS)
    except Exception:
        logger.warning("Could not note the mail server's failure in the cache", exc_info=True)


def _failed(email: OutgoingEmail, error: Exception) -> str:
    """Record the failed try; queue the next one, or mark the email failed after the last."""
    delays = settings.EMAIL_RETRY_SECONDS
    email.last_error = f"{type(error).__name__}: {error}"[:ERROR_CHARS]
    can_wait = deliver_email.get_backend().supports_defer
    if email.attempts <= len(delays) and can_wait:
        email.state = OutgoingEmail.State.QUEUED
        email.next_attempt_at = timezone.now() + datetime.timedelta(
            seconds=delays[email.attempts - 1]
        )
        email.save(update_fields=["state", "next_attempt_at", "last_error"])
        deliver_email.using(run_after=email.next_attempt_at).enqueue(email.pk)
        logger.warning(
            "Email %s (%s) failed (try %d), next try at %s: %s",
            email.pk,
            email.kind,
            email.attempts,
            email.next_attempt_at.isoformat(),
            email.last_error,
        )
        return f"email {email.pk}: try {email.attempts} failed, retry at {email.next_attempt_at}"
    email.state = OutgoingEmail.State.FAILED
    email.save(update_fields=["state", "last_error"])
    logger.error(
        "Email %s (%s) failed %d times; staff can send it again from the admin: %s",
        email.pk,
        email.kind,
        email.attempts,
        email.last_error,
    )
    return f"email {email.pk}: failed after {email.attempts} tries"
