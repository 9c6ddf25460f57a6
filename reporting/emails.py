"""The emails of the reporting loop: each is plain text plus HTML, says why it was sent and
links to exactly the page that needs action. Each is rendered here, inside the write that
causes it, and sent by a background task after the commit (see `reporting.outbox`).

Links are absolute, made from the `SITE_URL` setting (an email has no request to take the
host from). The portal's pages are named in the `owners` namespace of the public site.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from reporting.outbox import queue_email


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    context = {**context, "site_url": settings.SITE_URL, "contact_email": settings.CONTACT_EMAIL}
    queue_email(
        kind=template,
        to=to,
        subject=subject,
        text=render_to_string(f"reporting/email/{template}.txt", context),
        html=render_to_string(f"reporting/email/{template}.html", context),
    )


def _names(organisations) -> str:
    """ "LAS, LFB": the template filter `join` cannot join model instances in plain text."""
    return ", ".join(str(o) for o in organisations)


def set_password_url(user) -> str:
    """The portal's one-time link for `user` to choose a password."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute(reverse("owners:password-set", kwargs={"uidb64": uidb64, "token": token}))


def portal_url() -> str:
    return absolute(reverse("owners:home"))


def recommendation_url(recommendation) -> str:
    return absolute(reverse("owners:recommendation", kwargs={"number": recommendation.number}))


def send_invitation(*, contact, invited_by) -> None:
    user = contact.user
    _send(
        to=user.email,
        subject="You are invited to report progress on the Harris Review",
        template="invitation",
        context={
            "contact": contact,
            "invited_by": invited_by,
            "organisations": _names(contact.organisations.all()),
            "set_password_url": set_password_url(user),
            "portal_url": portal_url(),
        },
    )


def send_round_opened(*, contact, round, requests: Iterable) -> None:
    requests = sorted(requests, key=lambda r: (r.recommendation.number, r.organisation.name))
    _send(
        to=contact.user.email,
        subject=f"Progress updates wanted by {round.due_date:%-d %B %Y}: {round.name}",
        template="round_opened",
        context={
            "contact": contact,
            "organisations": _names(contact.organisations.all()),
            "round": round,
            "requests": requests,
            "portal_url": portal_url(),
        },
    )


def send_reminder(*, contact, round, requests: Iterable, kind: str) -> None:
    requests = sorted(requests, key=lambda r: (r.recommendation.number, r.organisation.name))
    overdue = kind == "overdue"
    subject = (
        f"Overdue: progress updates for {round.name} were due on {round.due_date:%-d %B %Y}"
        if overdue
        else f"Reminder: progress updates for {round.name} are due on {round.due_date:%-d %B %Y}"
    )
    _send(
        to=contact.user.email,
        subject=subject,
        template="reminder",
        context={
            "contact": contact,
            "organisations": _names(contact.organisations.all()),
            "round": round,
            "overdue": overdue,
            "requests": [(r, recommendation_url(r.recommendation)) for r in requests],
            "portal_url": portal_url(),
        },
    )


def send_returned(*, submission) -> None:
    if not (submission.author and submission.author.email):
        return
    recommendation = submission.request.recommendation
    _send(
        to=submission.author.email,
        subject=f"Your update on recommendation {recommendation.number} was returned",
        template="returned",
        context={
            "submission": submission,
            "recommendation": recommendation,
            "action_url": recommendation_url(recommendation),
        },
    )


def send_digest(*, officer, week: str, awaiting: list, overdue: list, closures: list) -> None:
    _send(
        to=officer.email,
        subject=f"Harris Review tracker: {len(awaiting)} update(s) awaiting review ({week})",
        template="digest",
        context={
            "officer": officer,
            "week": week,
            "awaiting": awaiting,
            "overdue": overdue,
            "closures": closures,
            "queue_url": absolute(reverse("admin:reporting_submission_changelist")),
            "progress_url": absolute(reverse("admin:reporting_updateround_changelist")),
        },
    )
