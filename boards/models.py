"""The boards that oversee the recommendations, their meetings, minutes and actions.

What is public: a board, its meetings' dates and places, and — once a meeting's minutes are
published — its attendance, agenda items and actions. A confidential agenda item or action
shows its title only; its content never leaves the admin. `Meeting.objects.public()`,
`AgendaItem.is_content_public` and `Action.is_content_public` are the one place that says so.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from recommendations.fields import CleanCharField, CleanTextField
from recommendations.models import Organisation, Recommendation
from recommendations.versioning import VersionedModel


class Board(VersionedModel):
    """A board such as the London CONTEST Board or the London Crime Reduction Board."""

    name = CleanCharField(max_length=200, unique=True)
    short_name = CleanCharField(max_length=30, blank=True, help_text="e.g. LCRB")
    slug = models.SlugField(max_length=80, unique=True)
    purpose = CleanTextField(blank=True, help_text="What the board is for, in plain words.")
    remit = CleanTextField(blank=True, help_text="What it covers, e.g. the four CONTEST strands.")
    background = CleanTextField(blank=True, help_text="How and when the board came about.")
    established_on = models.DateField(
        null=True, blank=True, help_text="No meeting can be dated before this."
    )
    chair = CleanCharField(max_length=200, blank=True, help_text="Who chairs it (a role).")
    members = models.ManyToManyField(
        Organisation, blank=True, related_name="boards", verbose_name="member organisations"
    )
    oversees = models.ManyToManyField(
        Recommendation,
        blank=True,
        related_name="overseeing_boards",
        verbose_name="recommendations overseen",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("boards:detail", kwargs={"slug": self.slug})


class MeetingQuerySet(models.QuerySet):
    def public(self) -> MeetingQuerySet:
        """Meetings whose minutes (attendance, items, actions) may be shown to anyone."""
        return self.filter(minutes_status=Meeting.MinutesStatus.PUBLISHED)

    def held(self, today: datetime.date | None = None) -> MeetingQuerySet:
        """Meetings that have taken place: marked held, or dated before today. Nobody has to
        remember to mark a past meeting held for it to count as held."""
        today = today or timezone.localdate()
        return self.filter(models.Q(status=Meeting.Status.HELD) | models.Q(date__lt=today))

    def awaiting_minutes(self, today: datetime.date | None = None) -> MeetingQuerySet:
        """Meetings held whose minutes are not yet published: the secretariat's to-do list."""
        return self.held(today).exclude(minutes_status=Meeting.MinutesStatus.PUBLISHED)

    def lock(self) -> None:
        """Lock these meetings' rows until the transaction ends, before any of their items
        or actions: the meeting's admin page takes its locks in that order, and every writer
        that does the same cannot deadlock with it. In primary-key order, for the same
        reason."""
        list(self.select_for_update().order_by("pk").values_list("pk", flat=True))


class Meeting(VersionedModel):
    """One meeting of a board, with its attendance, agenda items and actions."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"

    class MinutesStatus(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"

    class EffectiveStatus(models.TextChoices):
        """Where a meeting stands, from its date as well as its status (see `effective_status`)."""

        SCHEDULED = "scheduled", "Scheduled"
        AWAITING_MINUTES = "awaiting-minutes", "Held, minutes not yet published"
        HELD = "held", "Held"

    #: Minutes move one step at a time: draft → approved → published (and back one step).
    MINUTES_ORDER = (MinutesStatus.DRAFT, MinutesStatus.APPROVED, MinutesStatus.PUBLISHED)

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField()
    time = models.TimeField(null=True, blank=True)
    place = CleanCharField(max_length=200, blank=True)
    chair = CleanCharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    minutes_status = models.CharField(
        "minutes", max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    summary = CleanTextField(
        blank=True, help_text="Public summary of the meeting (shown once minutes are published)."
    )
    source = CleanCharField(max_length=200, blank=True, help_text="Where the record comes from.")
    # Who moved the minutes on, and when: set by `record_minutes_step` as the status moves.
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    minutes_approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    minutes_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    minutes_published_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        get_latest_by = "date"
        permissions = [("publish_minutes", "Can publish a meeting's minutes")]
        constraints = [
            # A board meets at most once a day.
            models.UniqueConstraint(
                fields=["board", "date"],
                name="meeting_one_per_board_day",
                violation_error_message="This board already has a meeting on this date: "
                "open that meeting to change it, or correct the date.",
            ),
            # Minutes exist only for a meeting that was held.
            models.CheckConstraint(
                condition=models.Q(status="held") | models.Q(minutes_status="draft"),
                name="meeting_minutes_only_when_held",
                violation_error_message="Only a meeting that has been held can have "
                "approved or published minutes.",
            ),
        ]
        indexes = [models.Index(fields=["board", "date"], name="meeting_board_date_idx")]

    def __str__(self) -> str:
        return f"{self.board.short_name or self.board.name}, {self.date:%d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse(
            "boards:meeting", kwargs={"slug": self.board.slug, "date": self.date.isoformat()}
        )

    def clean(self) -> None:
        super().clean()
        board = self.board if self.board_id else None
        if board and board.established_on and self.date and self.date < board.established_on:
            raise ValidationError(
                {
                    "date": f"{board} was established on {board.established_on:%d %B %Y}; "
                    "a meeting cannot be dated before that."
                }
            )
        self._check_minutes_order()

    def _check_minutes_order(self) -> None:
        """Refuse minutes that skip a step, e.g. published without having been approved.

        Compares with the stored meeting: a new meeting starts from draft. The rule that
        unheld meetings have draft minutes is the check constraint, which says so itself.
        """
        stored = None
        if self.pk:
            stored = (
                Meeting.objects.filter(pk=self.pk).values_list("minutes_status", flat=True).first()
            )
        before = self.MINUTES_ORDER.index(stored or self.MinutesStatus.DRAFT)
        after = self.MINUTES_ORDER.index(self.minutes_status)
        if after - before > 1:
            raise ValidationError(
                {
                    "minutes_status": "Minutes must be approved before they are published "
                    "(draft → approved → published)."
                }
            )
        if before - after > 1:
            raise ValidationError(
                {
                    "minutes_status": "Published minutes go back to approved before draft "
                    "(published → approved → draft)."
                }
            )

    @property
    def is_public_record(self) -> bool:
        return self.minutes_status == self.MinutesStatus.PUBLISHED

    @property
    def is_held(self) -> bool:
        """Marked held, or its date has passed (see `MeetingQuerySet.held`)."""
        return self.status == self.Status.HELD or self.date < timezone.localdate()

    @property
    def effective_status(self) -> Meeting.EffectiveStatus:
        """Scheduled until its date has passed (or it is marked held); then held, awaiting
        minutes until they are published. A meeting of 2017 left "scheduled" reads as held."""
        if not self.is_held:
            return self.EffectiveStatus.SCHEDULED
        if self.is_public_record:
            return self.EffectiveStatus.HELD
        return self.EffectiveStatus.AWAITING_MINUTES

    def record_minutes_step(self, *, previous: str | None, user: AbstractBaseUser | None) -> None:
        """Note who approved or published the minutes, and when, if this save moves them to
        approved or published from `previous` (the stored minutes status). Moving back to
        draft clears the approval, since the minutes will be approved afresh."""
        if self.minutes_status == previous:
            return
        now = timezone.now()
        if self.minutes_status == self.MinutesStatus.PUBLISHED:
            self.minutes_published_by, self.minutes_published_at = user, now
            return
        # Taken back from published: they are no longer published by anyone.
        self.minutes_published_by, self.minutes_published_at = None, None
        if self.minutes_status == self.MinutesStatus.DRAFT:
            self.minutes_approved_by, self.minutes_approved_at = None, None
        elif previous != self.MinutesStatus.PUBLISHED:
            self.minutes_approved_by, self.minutes_approved_at = user, now

    def next_meeting(self) -> Meeting | None:
        """The board's next meeting after this one, if one is recorded."""
        return (
            Meeting.objects.filter(board_id=self.board_id, date__gt=self.date)
            .order_by("date")
            .first()
        )


class Attendance(models.Model):
    """Who was at a meeting (or sent apologies), in what role, for which organisation."""

    class Kind(models.TextChoices):
        MEMBER = "member", "Board member or advisor"
        OFFICER = "officer", "Officer"
        GUEST = "guest", "Guest"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = CleanCharField(max_length=200)
    role = CleanCharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MEMBER)
    present = models.BooleanField(default=True, help_text="Untick for apologies.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name_plural = "attendance"
        constraints = [
            # A person is listed once per meeting.
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return self.person


class MeetingPartModel(VersionedModel):
    """A row edited on its meeting's page as well as on its own: saving or deleting it moves
    the meeting's version on too, so a meeting page opened before the change is refused
    rather than saving back what it showed (a confidential tick cleared, say)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic():
            meetings = {self.meeting_id}
            if not self._state.adding and self.pk is not None:
                # Moved to another meeting: the one it left changed too.
                meetings.add(
                    type(self)
                    ._base_manager.filter(pk=self.pk)
                    .values_list("meeting_id", flat=True)
                    .first()
                )
            meetings = {pk for pk in meetings if pk is not None}
            Meeting.objects.filter(pk__in=meetings).lock()
            super().save(*args, **kwargs)
            self._move_versions_on(meetings)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            Meeting.objects.filter(pk=self.meeting_id).lock()
            result = super().delete(*args, **kwargs)
            self._move_versions_on({self.meeting_id})
        return result

    @staticmethod
    def _move_versions_on(meetings: set[int]) -> None:
        # update(): the meeting's own record did not change, so its history gets no row.
        Meeting.objects.filter(pk__in=meetings).update(version=models.F("version") + 1)


class AgendaItemQuerySet(models.QuerySet):
    def on_public_record(self) -> AgendaItemQuerySet:
        """Items of meetings whose minutes are published (confidential ones included: titles)."""
        return self.filter(meeting__minutes_status=Meeting.MinutesStatus.PUBLISHED)

    def public_on(self, recommendation: Recommendation) -> AgendaItemQuerySet:
        """The items a public page may list as concerning `recommendation`, newest first.

        Which recommendation a confidential item concerns is part of its content: the
        meeting page keeps it back, and so must any page listing a recommendation's items.
        """
        return (
            self.on_public_record()
            .filter(recommendations=recommendation, confidential=False)
            .select_related("meeting__board")
            .order_by("-meeting__date", "number")
        )


class AgendaItem(MeetingPartModel):
    """An item on a meeting's agenda and its minute text."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField()
    title = CleanCharField(max_length=300)
    minutes = CleanTextField(
        blank=True,
        help_text="The minute text. Numbered paragraphs as in the minutes, one per line.",
    )
    confidential = models.BooleanField(
        default=False, help_text="Only the title is ever public; the minutes are not."
    )
    recommendations = models.ManyToManyField(
        Recommendation, blank=True, related_name="agenda_items"
    )

    history = HistoricalRecords(m2m_fields=[recommendations])
    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            # An item number is used once per meeting.
            models.UniqueConstraint(fields=["meeting", "number"], name="agenda_item_number_once"),
        ]

    def __str__(self) -> str:
        return f"Item {self.number}: {self.title}"

    @property
    def is_content_public(self) -> bool:
        return self.meeting.is_public_record and not self.confidential

    @property
    def public_minutes(self) -> str:
        """The minute text where it may be shown to anyone, else nothing: what pages show."""
        return self.minutes if self.is_content_public else ""


class ActionQuerySet(models.QuerySet):
    def open(self) -> ActionQuerySet:
        return self.filter(status=Action.Status.OPEN)

    def overdue(self, today: datetime.date | None = None) -> ActionQuerySet:
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def on_public_record(self) -> ActionQuerySet:
        """Actions of meetings whose minutes are published (confidential ones included)."""
        return self.filter(meeting__minutes_status=Meeting.MinutesStatus.PUBLISHED)

    def public_on(self, recommendation: Recommendation) -> ActionQuerySet:
        """The actions a public page may list as concerning `recommendation`, newest first.

        As with agenda items, a confidential action (or one raised under a confidential
        item) is not linked to its recommendation in public.
        """
        return (
            self.on_public_record()
            .filter(recommendations=recommendation, confidential=False)
            .exclude(agenda_item__confidential=True)
            .select_related("meeting__board", "agenda_item")
            .order_by("-meeting__date", "reference")
        )


class Action(MeetingPartModel):
    """An action a meeting agreed: who does what by when, and which meeting closed it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CARRIED_FORWARD = "carried-forward", "Carried forward"
        DROPPED = "dropped", "Dropped"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="actions", help_text="Where it was raised."
    )
    reference = CleanCharField(max_length=30, help_text='e.g. "Action 1"')
    text = CleanTextField()
    agenda_item = models.ForeignKey(
        AgendaItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
        help_text="The item that raised it.",
    )
    owners = models.ManyToManyField(Organisation, blank=True, related_name="actions")
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    closed_at = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="closed_actions",
        help_text="The meeting that closed it.",
    )
    carried_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
        help_text="The action at an earlier meeting that this one carries forward.",
    )
    confidential = models.BooleanField(default=False)
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="actions")

    history = HistoricalRecords(m2m_fields=[owners, recommendations])
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "reference"]
        constraints = [
            # A reference is used once per meeting.
            models.UniqueConstraint(fields=["meeting", "reference"], name="action_reference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.meeting})"

    def clean(self) -> None:
        super().clean()
        errors = {}
        # The admin records a meeting and its actions in one form: the meeting may not be
        # saved yet, but it is set, dated and attached to its board.
        meeting = self._raising_meeting()
        closed_at = self.closed_at if self.closed_at_id else None
        if meeting and closed_at and meeting.date and closed_at.date < meeting.date:
            errors["closed_at"] = (
                f"The closing meeting ({closed_at}) is before the meeting that raised "
                f"the action ({meeting.date:%d %B %Y})."
            )
        elif meeting and closed_at and closed_at.board_id != meeting.board_id:
            errors["closed_at"] = (
                f"The closing meeting ({closed_at}) is of another board: an action is "
                "closed by a meeting of the board that raised it."
            )
        if (
            meeting
            and self.agenda_item_id
            and (meeting.pk is None or self.agenda_item.meeting_id != meeting.pk)
        ):
            errors["agenda_item"] = "The agenda item belongs to another meeting."
        if errors:
            raise ValidationError(errors)

    def _raising_meeting(self) -> Meeting | None:
        try:
            return self.meeting
        except Meeting.DoesNotExist:
            return None

    @property
    def is_content_public(self) -> bool:
        item_confidential = self.agenda_item.confidential if self.agenda_item_id else False
        return self.meeting.is_public_record and not (self.confidential or item_confidential)

    @property
    def public_text(self) -> str:
        """The action's text where it may be shown to anyone, else nothing: what pages show."""
        return self.text if self.is_content_public else ""


def follow_carry_chains(actions: Iterable[Action], *, public_only: bool) -> None:
    """Say where each of `actions` now stands, following `carried_to` from one meeting to the
    next, in one query however long the chains are.

    Sets on each action `now`, the last link of its chain (the action itself if it was never
    carried forward), and `carried_to_pending`, the next link where it is not shown: with
    `public_only`, a chain is followed only through meetings whose minutes are published, so
    a continuation in unpublished minutes is named (its meeting) but not read.
    """
    actions = list(actions)
    boards = {action.meeting.board_id for action in actions}
    continuations = {
        link.carried_from_id: link
        for link in Action.objects.filter(meeting__board_id__in=boards, carried_from__isnull=False)
        .select_related("meeting__board", "closed_at__board", "agenda_item")
        .order_by()  # read into a dict: the model's order would only add a join to sort by
    }
    for action in actions:
        now, seen = action, {action.pk}
        following = continuations.get(now.pk)
        while following is not None and following.pk not in seen:
            if public_only and not following.meeting.is_public_record:
                break
            now = following
            seen.add(now.pk)
            following = continuations.get(now.pk)
        action.now = now
        action.carried_to_pending = (
            following if following is not None and following.pk not in seen else None
        )
