"""Writes of the owners' reporting loop. The admin, the portal, the commands and the tests
all come through here.

Emails are queued at the end of each service, once every write has been made, and leave
through a background task after the commit (`reporting.outbox`): a refused write sends
nothing, and a mail server that is slow or down never slows or fails the write.
"""

from __future__ import annotations

import datetime
import errno
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from recommendations.models import Organisation, Ownership, Recommendation, Status
from recommendations.services import record_update
from reporting import emails
from reporting.evidence import CheckedFile, check_evidence_file
from reporting.models import (
    OWNER_CONTACT,
    Evidence,
    OwnerContact,
    ReminderSent,
    Submission,
    UpdateRequest,
    UpdateRound,
    organisations_for_contact,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def invite_contact(
    *,
    email: str,
    name: str,
    organisations: Iterable[Organisation],
    invited_by: AbstractBaseUser | None,
) -> OwnerContact:
    """Make `email` an owner contact for `organisations` and email them a set-password link.

    An existing non-staff user with that address is linked rather than duplicated (and keeps
    any organisations they already report for). No password is ever sent: the link, made with
    Django's password-reset tokens, lets them choose one. Staff accounts are refused: a
    contact must never reach the admin.
    """
    email = (email or "").strip()
    name = " ".join((name or "").split())
    organisations = list(organisations)
    if not email or "@" not in email:
        raise ValidationError({"email": "Give the contact's email address."})
    if not organisations:
        raise ValidationError({"organisations": "Choose at least one organisation."})

    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        first, _, last = name.partition(" ")
        user = User(username=email.lower(), email=email, first_name=first, last_name=last)
        if User.objects.filter(username__iexact=user.username).exists():
            raise ValidationError({"email": f"A user called {user.username} already exists."})
        user.set_unusable_password()
        user.save()
    elif user.is_staff or user.is_superuser:
        raise ValidationError(
            {"email": f"{email} is a staff account; owner contacts must not be staff."}
        )
    group, _ = Group.objects.get_or_create(name=OWNER_CONTACT)
    user.groups.add(group)

    contact, _ = OwnerContact.objects.get_or_create(user=user, defaults={"invited_by": invited_by})
    contact.invited_by = invited_by
    contact.invited_at = timezone.now()
    contact.save(update_fields=["invited_by", "invited_at"])
    contact.organisations.add(*organisations)
    emails.send_invitation(contact=contact, invited_by=invited_by)
    return contact


@transaction.atomic
def open_round(
    *,
    name: str,
    due_date: datetime.date,
    recommendations: Iterable[Recommendation],
    opened_by: AbstractBaseUser | None,
) -> UpdateRound:
    """Open a round: ask every owning organisation for an update on each recommendation.

    One request per owner per recommendation, the lead owner flagged. Each contact of the
    organisations asked gets one email listing everything asked of them; the round's
    `emails_queued` says how many (they leave after the commit, see `reporting.outbox`).
    """
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the round a name, e.g. 2018 annual report."})
    if UpdateRound.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A round called {name} already exists."})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": "The due date cannot be in the past."})
    recommendation_ids = [r.pk for r in recommendations]
    if not recommendation_ids:
        raise ValidationError({"recommendations": "Choose at least one recommendation."})

    update_round = UpdateRound.objects.create(name=name, due_date=due_date, opened_by=opened_by)
    ownerships = Ownership.objects.filter(recommendation_id__in=recommendation_ids)
    UpdateRequest.objects.bulk_create(
        UpdateRequest(
            round=update_round,
            recommendation_id=o.recommendation_id,
            organisation_id=o.organisation_id,
            is_lead=o.is_lead,
        )
        for o in ownerships
    )
    _queue_round_emails(update_round)
    return update_round


def _queue_round_emails(update_round: UpdateRound) -> None:
    """One email to each active contact of the organisations asked, listing what is asked."""
    update_round.emails_queued = 0
    for contact, theirs in _contacts_asked(update_round.requests.all()):
        emails.send_round_opened(contact=contact, round=update_round, requests=theirs)
        update_round.emails_queued += 1


def _contacts_asked(
    requests: QuerySet[UpdateRequest],
) -> Iterator[tuple[OwnerContact, list[UpdateRequest]]]:
    """Each active contact of the organisations `requests` ask, with what they ask of them."""
    asked = defaultdict(list)
    for update_request in requests.select_related("recommendation", "organisation"):
        asked[update_request.organisation_id].append(update_request)
    contacts = (
        OwnerContact.objects.filter(organisations__in=asked.keys(), user__is_active=True)
        .distinct()
        .select_related("user")
        .prefetch_related("organisations")
    )
    for contact in contacts:
        yield contact, [r for o in contact.organisations.all() for r in asked.get(o.pk, [])]


def _check_date(date: datetime.date | None, recommendation: Recommendation) -> dict:
    if date is None:
        return {"date": "Give the date the update describes."}
    if date > timezone.localdate():
        return {"date": "The update cannot be dated in the future."}
    if date < recommendation.made_on:
        return {"date": f"The update cannot be dated before {recommendation.made_on:%d %B %Y}."}
    return {}


def save_submission(
    *,
    request: UpdateRequest,
    author: AbstractBaseUser,
    text: str,
    date: datetime.date | None,
    proposed_status: Status | str,
    files: Iterable[UploadedFile] = (),
    submit: bool,
) -> Submission:
    """Save the organisation's draft answer to `request`, and submit it for review if `submit`.

    The request's one draft is edited (whichever of the organisation's contacts started it);
    a returned submission is answered by a new one. Raises ValidationError naming the field
    or the file at fault, and then saves nothing, files included: should anything fail once
    files are in storage, the rows roll back and the files are deleted again.
    """
    saved: list[tuple[Storage, str]] = []
    try:
        with transaction.atomic():
            return _save_submission(
                request, author, text, date, proposed_status, list(files), submit, saved
            )
    except BaseException:
        for storage, name in saved:
            try:
                storage.delete(name)
            except Exception:  # the first failure is the one to report
                logger.exception("Could not delete %s after a failed save: delete it", name)
        raise


def _save_submission(
    request: UpdateRequest,
    author: AbstractBaseUser,
    text: str,
    date: datetime.date | None,
    proposed_status: Status | str,
    files: list[UploadedFile],
    submit: bool,
    saved: list[tuple[Storage, str]],
) -> Submission:
    """`save_submission` inside its transaction; each file stored is added to `saved`."""
    if not organisations_for_contact(author).filter(pk=request.organisation_id).exists():
        raise PermissionDenied("Only the organisation's contacts may answer its requests.")
    if not request.round.is_open:
        raise ValidationError(f"The round {request.round} is closed.")
    # One answer at a time per request: a second click, or a colleague saving at the same
    # moment, waits here and then finds the draft (or the submission) the first one made.
    list(UpdateRequest.objects.select_for_update().filter(pk=request.pk).values_list("pk"))
    if request.submissions.awaiting_review().exists():
        raise ValidationError(
            f"An update on {request.recommendation} is already awaiting review: "
            "wait for the officer's answer."
        )

    text = (text or "").strip()
    draft = (
        Submission.objects.select_for_update()
        .filter(request=request, state=Submission.State.DRAFT)
        .first()
    )
    checked = _check_submission(request, text, date, proposed_status, files, draft)
    submission = draft or Submission(request=request)
    submission.author = author
    submission.text = text
    submission.date = date
    submission.proposed_status = proposed_status
    if submit:
        submission.state = Submission.State.SUBMITTED
        submission.submitted_at = timezone.now()
    submission._history_user = author
    submission.save()
    for upload, info in checked:
        _store_evidence(submission, upload, info, saved)
    return submission


def _check_submission(
    request: UpdateRequest,
    text: str,
    date: datetime.date | None,
    proposed_status: str,
    files: list[UploadedFile],
    draft: Submission | None,
) -> list[tuple[UploadedFile, CheckedFile]]:
    """The files checked; a ValidationError naming every field that is wrong."""
    errors = _check_date(date, request.recommendation)
    if not text:
        errors["text"] = "Write the update."
    if proposed_status not in Status.values:
        errors["proposed_status"] = "Choose the status you propose."
    checked = _check_files(files, draft, errors)
    if errors:
        raise ValidationError(errors)
    return checked


def _check_files(
    files: list[UploadedFile], draft: Submission | None, errors: dict
) -> list[tuple[UploadedFile, CheckedFile]]:
    """Each file checked by its content, and all of them, with those the draft already holds,
    within EVIDENCE_MAX_TOTAL_BYTES; what is wrong is added to `errors["files"]`."""
    checked = []
    for upload in files:
        try:
            checked.append((upload, check_evidence_file(upload)))
        except ValidationError as error:
            errors.setdefault("files", []).extend(error.messages)
    adding = sum(upload.size for upload in files)
    attached = (draft.evidence.aggregate(total=Sum("size"))["total"] or 0) if draft else 0
    limit = settings.EVIDENCE_MAX_TOTAL_BYTES
    if adding and attached + adding > limit:
        errors.setdefault("files", []).append(_over_the_total(adding, attached, limit))
    return checked


def _over_the_total(adding: int, attached: int, limit: int) -> str:
    """The message for files beyond the total: the limit, and how much room is left."""
    size = filesizeformat
    what = (
        f"These files ({size(adding)}) and the {size(attached)} already attached come to "
        f"{size(adding + attached)}"
        if attached
        else f"These files come to {size(adding)}"
    )
    left = limit - attached
    room = f"{size(left)} is left" if left > 0 else "no room is left"
    return (
        f"{what}: an update may hold at most {size(limit)} of evidence in all, and "
        f"{room}. Send fewer or smaller files (a PDF of the key pages, for example)."
    )


def _store_evidence(
    submission: Submission,
    upload: UploadedFile,
    info: CheckedFile,
    saved: list[tuple[Storage, str]],
) -> None:
    """Store one file under a new name of its own, listed in `saved` before a byte is written:
    a write that fails half way (a full disk) leaves a part that save_submission deletes.
    A disk that refuses the file is the contact's to hear about, as a plain message."""
    evidence = Evidence(
        submission=submission,
        original_name=info.name,
        content_type=info.content_type,
        size=info.size,
    )
    field = evidence.file
    # A name nobody else's file has, so that deleting it after a failure deletes only ours.
    name = field.field.generate_filename(evidence, f"{uuid.uuid4().hex}{info.extension}")
    saved.append((field.storage, name))
    upload.seek(0)
    try:
        field.name = field.storage.save(name, upload, max_length=field.field.max_length)
    except OSError as error:
        logger.exception("Could not store the evidence file %s", name)
        raise ValidationError({"files": _not_stored(info.name, error)}) from error
    saved[-1] = (field.storage, field.name)
    evidence.save()


def _not_stored(name: str, error: OSError) -> str:
    full = error.errno in (errno.ENOSPC, errno.EDQUOT)
    why = "has no room for files" if full else "cannot store files"
    return (
        f"{name} could not be saved: our server {why} just now, and nothing of your update "
        "was saved. Your text is still below; please try again later, or save your update "
        "without the files and add them when it works again. If it keeps happening, tell "
        "your MOPAC contact."
    )


def _check_reviewer(officer: AbstractBaseUser) -> None:
    if not officer.has_perm("reporting.review_submission"):
        raise PermissionDenied("Only a MOPAC officer may review submissions.")


def _locked_for_review(submission: Submission) -> Submission:
    submission = (
        Submission.objects.select_for_update()
        .select_related("request__recommendation", "request__organisation", "request__round")
        .get(pk=submission.pk)
    )
    if submission.state != Submission.State.SUBMITTED:
        raise ValidationError(
            f"{submission} is {submission.get_state_display().lower()}, not awaiting review."
        )
    return submission


@transaction.atomic
def approve_submission(
    *,
    submission: Submission,
    officer: AbstractBaseUser,
    text: str | None = None,
    status: Status | str | None = None,
    public_evidence: Iterable[Evidence] = (),
) -> Submission:
    """Publish the submission as the recommendation's progress update, as an officer would.

    `text` is the officer's edited wording (the owner's own stays in `text`); `status`
    overrides the proposed one, e.g. to decline a closure. The evidence given in
    `public_evidence` is listed on the public page.
    """
    _check_reviewer(officer)
    submission = _locked_for_review(submission)
    edited = (text or "").strip()
    update_request = submission.request
    update = record_update(
        recommendation=update_request.recommendation,
        date=submission.date,
        text=edited or submission.text,
        status=status or submission.proposed_status,
        source=f"{update_request.organisation}, {update_request.round}",
        published=True,
        entered_by=officer,
    )
    submission.state = Submission.State.APPROVED
    submission.approved_text = edited if edited != submission.text else ""
    submission.reviewed_by = officer
    submission.reviewed_at = timezone.now()
    submission.published_update = update
    submission._history_user = officer
    submission.save()
    public_ids = [e.pk for e in public_evidence]
    submission.evidence.filter(pk__in=public_ids).update(public=True)
    submission.evidence.exclude(pk__in=public_ids).update(public=False)
    return submission


@transaction.atomic
def return_submission(*, submission: Submission, officer: AbstractBaseUser, comment: str):
    """Send the submission back with a comment; its contacts see it and may resubmit."""
    _check_reviewer(officer)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"review_comment": "Say why the update is returned."})
    submission = _locked_for_review(submission)
    submission.state = Submission.State.RETURNED
    submission.review_comment = comment
    submission.reviewed_by = officer
    submission.reviewed_at = timezone.now()
    submission._history_user = officer
    submission.save()
    emails.send_returned(submission=submission)
    return submission


def _send_once(*, recipient, kind: str, period: str, send, contact=None, round=None) -> bool:
    """Record the reminder and queue its email in one transaction: False if it was already
    sent.

    A second run (even a concurrent one) fails to insert the same row and queues nothing; an
    email that fails to go is retried by the outbox (`reporting.outbox`), not by the next run.
    """
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                recipient=recipient, contact=contact, round=round, kind=kind, period=period
            )
            send()
    except IntegrityError:
        return False
    return True


def send_reminders(*, today: datetime.date | None = None) -> int:
    """Send the reminders and digests due `today` that were not sent yet; return how many.

    Contacts of organisations with unanswered requests are reminded
    `REMINDER_DAYS_BEFORE_DUE` days before a round's due date (unless the round opened within
    that window: its opening email is reminder enough) and once the due date has passed.
    Officers get one digest a week when there is something to review or chase. Safe to run
    every hour: each reminder is sent once.
    """
    today = today or timezone.localdate()
    sent = 0
    for update_round in UpdateRound.objects.open():
        kind = _reminder_due(update_round, today)
        if kind is not None:
            sent += _remind_round(update_round, kind)
    return sent + _send_digests(today=today)


def _reminder_due(update_round: UpdateRound, today: datetime.date) -> str | None:
    """The kind of reminder `update_round` is due `today`, if any."""
    remind_from = update_round.due_date - datetime.timedelta(
        days=settings.REMINDER_DAYS_BEFORE_DUE
    )
    if today > update_round.due_date:
        return ReminderSent.Kind.OVERDUE
    if today >= remind_from and timezone.localdate(update_round.opened_at) < remind_from:
        return ReminderSent.Kind.BEFORE_DUE
    return None


def _remind_round(update_round: UpdateRound, kind: str) -> int:
    """Remind each contact of the organisations yet to answer; return how many were sent."""
    # Only the lead owner is expected to answer; the others may add to it.
    unanswered = update_round.requests.filter(is_lead=True).unanswered()
    sent = 0
    for contact, theirs in _contacts_asked(unanswered):
        sent += _send_once(
            recipient=contact.user,
            contact=contact,
            round=update_round,
            kind=kind,
            period=f"round-{update_round.pk}",
            send=partial(
                emails.send_reminder,
                contact=contact,
                round=update_round,
                requests=theirs,
                kind=kind,
            ),
        )
    return sent


def _send_digests(*, today: datetime.date) -> int:
    year, week, _ = today.isocalendar()
    period = f"{year}-W{week:02d}"
    awaiting = list(
        Submission.objects.awaiting_review()
        .select_related("request__recommendation", "request__organisation")
        .order_by("submitted_at")
    )
    closures = [s for s in awaiting if s.is_closure_request]
    overdue = list(
        UpdateRequest.objects.overdue(today)
        .filter(is_lead=True)
        .select_related("round", "recommendation", "organisation")
    )
    if not (awaiting or overdue):
        return 0
    # Those who may approve or return submissions: the officers (and report authors).
    officers = get_user_model().objects.filter(
        groups__permissions__codename="review_submission",
        groups__permissions__content_type__app_label="reporting",
        is_active=True,
        email__gt="",
    )
    sent = 0
    for officer in officers.distinct():
        sent += _send_once(
            recipient=officer,
            kind=ReminderSent.Kind.DIGEST,
            period=period,
            send=partial(
                emails.send_digest,
                officer=officer,
                week=period,
                awaiting=awaiting,
                overdue=overdue,
                closures=closures,
            ),
        )
    return sent
