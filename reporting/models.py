"""Owners report their own progress: contacts, update rounds, submissions and their review.

An officer opens an *update round*; it asks each organisation that owns a recommendation for
one update on it (an *update request*). The organisation's *owner contacts* answer with a
*submission*, which nobody but staff and the organisation sees until an officer approves it:
only then does it become a published progress update, through the same service an officer
uses, so that history, status, feeds and caches follow as they always do.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from simple_history.models import HistoricalRecords

from recommendations.models import Organisation, ProgressUpdate, Recommendation, Status
from reporting.evidence import TYPE_NAMES

#: The group every owner contact is in. Not a staff role: contacts report progress through
#: the portal and never reach the admin.
OWNER_CONTACT = "Owner contact"


class OwnerContact(models.Model):
    """A person at one or more owning organisations who reports progress for them.

    A contact is an ordinary user who is never staff: the portal is their only way in.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owner_contact"
    )
    organisations = models.ManyToManyField(Organisation, related_name="contacts")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    invited_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["user__email"]

    def __str__(self) -> str:
        name = self.user.get_full_name() or self.user.get_username()
        return f"{name} <{self.user.email}>" if self.user.email else name


def organisations_for_contact(user) -> models.QuerySet[Organisation]:
    """The organisations `user` reports for (none for anyone who is not an owner contact)."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(contacts__user=user)


def recommendations_for_contact(user) -> models.QuerySet[Recommendation]:
    """The recommendations owned by any of the contact's organisations, in report order."""
    return Recommendation.objects.filter(owners__in=organisations_for_contact(user)).distinct()


class UpdateRoundQuerySet(models.QuerySet):
    def open(self) -> UpdateRoundQuerySet:
        """The rounds still taking submissions."""
        return self.filter(closed_at__isnull=True)


class UpdateRound(models.Model):
    """One call for updates, e.g. "2018 annual report", with the date answers are due."""

    name = models.CharField(max_length=200, unique=True)
    due_date = models.DateField(help_text="The day owners' updates are due.")
    opened_at = models.DateTimeField(default=timezone.now, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = UpdateRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and (today or timezone.localdate()) > self.due_date

    def progress(self, today: datetime.date | None = None) -> list[RoundProgress]:
        """Per organisation asked: how many requests stand where, in organisation order.

        A request counts once, by its newest submission that left the draft: awaiting
        review (submitted), approved or returned. A lead owner's request is overdue when
        none is awaiting review or approved and the due date has passed (the other owners
        may add to the lead's update, but need not).
        """
        overdue = self.is_overdue(today)
        rows: dict[int, RoundProgress] = {}
        requests = self.requests.with_latest_state().select_related("organisation")
        for update_request in requests.order_by("organisation__name"):
            row = rows.setdefault(
                update_request.organisation_id, RoundProgress(update_request.organisation)
            )
            row.asked += 1
            state = update_request.latest_state
            if state == Submission.State.SUBMITTED:
                row.submitted += 1
            elif state == Submission.State.APPROVED:
                row.approved += 1
            elif state == Submission.State.RETURNED:
                row.returned += 1
            answered = state in (Submission.State.SUBMITTED, Submission.State.APPROVED)
            if overdue and update_request.is_lead and not answered:
                row.overdue += 1
        return list(rows.values())


@dataclass
class RoundProgress:
    """Where one organisation's requests of a round stand."""

    organisation: Organisation
    asked: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    overdue: int = 0


class UpdateRequestQuerySet(models.QuerySet):
    def with_latest_state(self) -> UpdateRequestQuerySet:
        """Annotate `latest_state`: the state of the newest submission that left the draft."""
        latest = (
            Submission.objects.filter(request=OuterRef("pk"))
            .exclude(state=Submission.State.DRAFT)
            .order_by("-submitted_at", "-pk")
            .values("state")[:1]
        )
        return self.annotate(latest_state=Subquery(latest))

    def answered(self) -> UpdateRequestQuerySet:
        """Requests with a submission that is awaiting review or approved."""
        done = Submission.objects.filter(
            request=OuterRef("pk"),
            state__in=[Submission.State.SUBMITTED, Submission.State.APPROVED],
        )
        return self.filter(Exists(done))

    def unanswered(self) -> UpdateRequestQuerySet:
        """Requests nobody has yet submitted an answer to (drafts and returns do not count)."""
        done = Submission.objects.filter(
            request=OuterRef("pk"),
            state__in=[Submission.State.SUBMITTED, Submission.State.APPROVED],
        )
        return self.exclude(Exists(done))

    def overdue(self, today: datetime.date | None = None) -> UpdateRequestQuerySet:
        """Unanswered requests of open rounds whose due date has passed."""
        today = today or timezone.localdate()
        return self.unanswered().filter(round__closed_at__isnull=True, round__due_date__lt=today)


class UpdateRequest(models.Model):
    """What a round asks of an organisation: one update on one recommendation it owns."""

    round = models.ForeignKey(UpdateRound, on_delete=models.CASCADE, related_name="requests")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="update_requests"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="update_requests"
    )
    is_lead = models.BooleanField(
        "lead owner", default=False, help_text="The lead owner answers; the others may add."
    )

    objects = UpdateRequestQuerySet.as_manager()

    class Meta:
        ordering = ["round", "recommendation__number", "-is_lead", "organisation__name"]
        constraints = [
            # A round asks an organisation about a recommendation once.
            models.UniqueConstraint(
                fields=["round", "recommendation", "organisation"],
                name="update_request_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.recommendation} from {self.organisation}"

    def current_draft(self) -> Submission | None:
        return self.submissions.filter(state=Submission.State.DRAFT).first()


def requests_for_contact(user, round: UpdateRound | None = None) -> UpdateRequestQuerySet:
    """What open rounds (or the given round) ask of the contact's organisations."""
    requests = UpdateRequest.objects.filter(organisation__in=organisations_for_contact(user))
    if round is None:
        requests = requests.filter(round__closed_at__isnull=True)
    else:
        requests = requests.filter(round=round)
    return requests.select_related("round", "recommendation", "organisation")


class SubmissionQuerySet(models.QuerySet):
    def for_contact(self, user) -> SubmissionQuerySet:
        """The submissions made for any of the contact's organisations (none for others)."""
        return self.filter(request__organisation__in=organisations_for_contact(user))

    def awaiting_review(self) -> SubmissionQuerySet:
        return self.filter(state=Submission.State.SUBMITTED)

    def closure_requests(self) -> SubmissionQuerySet:
        return self.filter(proposed_status__in=Status.resolved_values())


class Submission(models.Model):
    """An owner's answer to an update request: a draft, then submitted, returned or approved.

    `text` is always the owner's own wording; an officer who edits it before approving
    writes `approved_text`, and the published update carries that.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Awaiting review"
        RETURNED = "returned", "Returned"
        APPROVED = "approved", "Approved"

    request = models.ForeignKey(
        UpdateRequest, on_delete=models.CASCADE, related_name="submissions"
    )
    text = models.TextField()
    date = models.DateField(help_text="The date the update describes the position at.")
    proposed_status = models.CharField(max_length=30, choices=Status.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    approved_text = models.TextField(blank=True)
    published_update = models.OneToOneField(
        ProgressUpdate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submission",
    )

    history = HistoricalRecords()
    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-created_at", "-pk"]
        permissions = [("review_submission", "Can approve or return an owner's submission")]
        constraints = [
            # One draft per request at a time: every contact of the organisation edits it.
            models.UniqueConstraint(
                fields=["request"], condition=Q(state="draft"), name="submission_one_draft"
            ),
            # One submission per request awaits review at a time.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(state="submitted"),
                name="submission_one_awaiting_review",
            ),
            # An approved submission is a published update.
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(published_update__isnull=False),
                name="submission_approved_published",
            ),
            # A returned submission says why.
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(review_comment=""),
                name="submission_return_explained",
            ),
        ]

    def __str__(self) -> str:
        request = self.request
        state = self.get_state_display()
        return f"{request.recommendation} from {request.organisation} ({state})"

    @property
    def is_closure_request(self) -> bool:
        """Proposing a resolved status asks an officer to confirm the recommendation is closed."""
        return self.proposed_status in Status.resolved_values()


class EvidenceQuerySet(models.QuerySet):
    def public(self) -> EvidenceQuerySet:
        """The files anyone may see and download: marked public by the officer who approved
        the submission, whose published update has not since been withdrawn."""
        return self.filter(
            public=True,
            submission__state=Submission.State.APPROVED,
            submission__published_update__published=True,
            submission__published_update__withdrawn_at__isnull=True,
        )


class Evidence(models.Model):
    """A file an owner sent with a submission. Staff only, unless an officer makes it public."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    public = models.BooleanField(
        default=False, help_text="Listed on the public page once the submission is approved."
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.original_name

    @property
    def type_name(self) -> str:
        return TYPE_NAMES.get(self.content_type, self.content_type)


class ReminderSent(models.Model):
    """A reminder or digest that was sent, so that it is never sent twice.

    The row is inserted before the email goes; the unique constraint makes a second,
    concurrent run fail to insert and so skip the email.
    """

    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", "Before the due date"
        OVERDUE = "overdue", "Overdue"
        DIGEST = "digest", "Officers' weekly digest"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(
        OwnerContact, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    round = models.ForeignKey(
        UpdateRound, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    #: "round-<id>" for a contact's reminders, the ISO week ("2026-W48") for a digest.
    period = models.CharField(max_length=40)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # Each reminder goes to each person once.
            models.UniqueConstraint(
                fields=["recipient", "kind", "period"], name="reminder_sent_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} ({self.period})"


class OutgoingEmail(models.Model):
    """An email the tracker sends, queued with the write that caused it and sent by a
    background task (`reporting.outbox`), so that a slow or failing mail server never slows or
    fails the action. A failed try is recorded here and retried later.

    The message's words are kept only until it has gone, and the admin never shows them:
    invitations and "forgot password" emails carry one-time set-password links.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (no more tries)"

    #: Which email: the template's name ("invitation", "reminder", "password_reset"…).
    kind = models.CharField(max_length=40)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    html = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    #: When the next try is due, while a retry waits.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        indexes = [models.Index(fields=["state", "queued_at"], name="outgoing_email_state")]

    def __str__(self) -> str:
        return f"{self.subject} (to {self.to})"
