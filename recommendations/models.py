"""The reviews, their recommendations, the organisations that own them and their updates.

The one rule the whole tracker stands on: a recommendation's current status is the status of
its latest published progress update (Ongoing while it has none). The rule is asked in one
place, `latest_published_update()`. `Recommendation.status`, `last_updated` and
`latest_update` are a stored copy of its answer, kept because the list, filter and tally
queries read it ten to fifty times faster than they compute it (README, "How the data
works"). Only `services.refresh_positions()` writes them, and every service that records,
publishes, withdraws or imports updates calls it under the recommendations' row locks; a
save of a recommendation leaves them as they are stored (see `StoredPosition`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Least
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from recommendations.fields import CleanCharField, CleanTextField
from recommendations.versioning import VersionedModel


class Status(models.TextChoices):
    """The report's three statuses. Values are the URL slugs; labels are what downloads say."""

    RESOLVED = "resolved", "Resolved"
    RESOLVED_BY_OTHER_MEANS = "resolved-by-other-means", "Resolved by other means"
    ONGOING = "ongoing", "Ongoing"

    @classmethod
    def resolved_values(cls) -> tuple[str, str]:
        """Both resolved statuses: the report's "over two thirds resolved" counts them together."""
        return (cls.RESOLVED, cls.RESOLVED_BY_OTHER_MEANS)

    @classmethod
    def from_label(cls, text: str) -> Status:
        """The status whose label (case-insensitive) or slug is `text`; ValueError otherwise."""
        wanted = " ".join(str(text).split()).casefold()
        for status in cls:
            if wanted in (status.label.casefold(), status.value):
                return status
        labels = ", ".join(f"'{s.label}'" for s in cls)
        raise ValueError(f"unknown status '{text}': use one of {labels}")


#: Each status's (value, label), in order, and the resolved ones' values, as plain strings:
#: read for every tally, where going through the enum each time cost more than the counting.
STATUS_CHOICES: tuple[tuple[str, str], ...] = tuple((s.value, str(s.label)) for s in Status)
STATUS_VALUES: tuple[str, ...] = tuple(value for value, _ in STATUS_CHOICES)
STATUS_LABELS: dict[str, str] = dict(STATUS_CHOICES)
RESOLVED_VALUES: tuple[str, ...] = tuple(s.value for s in Status.resolved_values())


class Section(models.TextChoices):
    """The 2016 Review's two sections, in the report's order: the values a recommendation's
    `section` takes until the public pages read each review's own (`ReviewSection`)."""

    MAYOR = "mayor", "Mayor's Office, MOPAC and LFEPA"
    OTHER = "other", "Other recommendations"


class ReviewQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> Review:
        return self.get(slug=slug)

    def default(self) -> Review:
        """The review the contract's URLs answer for (settings.DEFAULT_REVIEW, `harris-2016`).

        Raises Review.DoesNotExist naming the setting when no review has that slug."""
        slug = settings.DEFAULT_REVIEW
        try:
            return self.get(slug=slug)
        except Review.DoesNotExist:
            raise Review.DoesNotExist(
                f"No review has the slug '{slug}' that settings.DEFAULT_REVIEW names: "
                "run migrations or load_initial_data, or set DEFAULT_REVIEW."
            ) from None

    def in_list_order(self) -> ReviewQuerySet:
        """The order the reviews are listed in: `list_order`, then the oldest first."""
        return self.order_by("list_order", "published_on", "pk")


class Review(models.Model):
    """A review or inquiry whose recommendations the tracker follows (the Harris Review of
    2016 first). What a constant once said of the one review, each review now says of itself:
    when it was published (its recommendations' default `made_on`, the earliest "as at"
    date) and how many recommendations it made (the numbers forms and imports accept)."""

    slug = models.SlugField(max_length=60, unique=True, help_text="e.g. harris-2016")
    title = CleanCharField(max_length=300)
    short_title = CleanCharField(max_length=80, help_text="e.g. Harris Review 2016")
    made_by = CleanCharField("made by", max_length=200)
    commissioned_by = CleanCharField("commissioned by", max_length=200, blank=True)
    published_on = models.DateField("published on")
    url = models.URLField("link", blank=True, help_text="Where the review can be read.")
    description = CleanTextField("short description", blank=True)
    recommendation_count = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="How many recommendations it made: forms and imports refuse numbers beyond "
        "it. Empty while not known.",
    )
    list_order = models.PositiveIntegerField(
        "listed in order", default=0, help_text="Lower first, where reviews are listed."
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["list_order", "published_on", "pk"]
        constraints = [
            # Every review has a short title: each link into it is labelled with it.
            models.CheckConstraint(
                condition=~models.Q(short_title=""), name="review_short_title_given"
            ),
        ]

    def __str__(self) -> str:
        return self.short_title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class ReviewSectionQuerySet(models.QuerySet):
    def get_by_natural_key(self, review_slug: str, slug: str) -> ReviewSection:
        return self.get(review__slug=review_slug, slug=slug)


class ReviewSection(models.Model):
    """A section of a review, in the review's order (2016's `mayor` and `other`): the
    `section` a recommendation of that review names is one of these slugs."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="sections")
    slug = models.SlugField(max_length=10)
    title = CleanCharField(max_length=200)
    order = models.PositiveIntegerField(default=0)

    objects = ReviewSectionQuerySet.as_manager()

    class Meta:
        ordering = ["review", "order", "pk"]
        constraints = [
            # A section's slug names it within its review (the list's ?section= filter).
            models.UniqueConstraint(fields=["review", "slug"], name="review_section_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str, str]:
        return (*self.review.natural_key(), self.slug)

    natural_key.dependencies = ["recommendations.review"]


class OrganisationQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> Organisation:
        return self.get(slug=slug)

    def without_update_since(self, cutoff: datetime.date) -> OrganisationQuerySet:
        """The owners of a recommendation that is not resolved and has had no published update
        dated on or after `cutoff`: those to chase for an update."""
        stale = Recommendation.objects.without_update_since(cutoff)
        owning = Ownership.objects.filter(recommendation__in=stale.values("pk"))
        return self.filter(pk__in=owning.values("organisation_id"))


OrganisationManager = models.Manager.from_queryset(OrganisationQuerySet)


class Organisation(VersionedModel):
    """An organisation that owns recommendations or sits on boards (MPS, MOPAC, Home Office…).

    Fixtures name organisations by slug (their natural key), so that the recommendations'
    and the boards' fixtures share one list without agreeing on primary keys.
    """

    name = CleanCharField(max_length=200, unique=True)
    acronym = CleanCharField(
        max_length=30, blank=True, help_text="The short form the documents use, e.g. MPS."
    )
    slug = models.SlugField(max_length=80, unique=True)
    # Whom the tracker chases for updates. For staff only: no public page or download
    # shows them (tests/site/test_confidentiality.py crawls for them).
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)

    objects = OrganisationManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.acronym or self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.acronym or self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("recommendations:organisation", kwargs={"slug": self.slug})

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def display_name(self) -> str:
        """ "Metropolitan Police Service (MPS)", or just the name where there is no acronym."""
        if self.acronym and self.acronym != self.name:
            return f"{self.name} ({self.acronym})"
        return self.name


def share(part: int, whole: int) -> int:
    """`part` as a whole percentage of `whole`, rounded half up as a reader would (0 of 0 is 0)."""
    return (part * 200 + whole) // (whole * 2) if whole else 0


class StatusCount(NamedTuple):
    """How many recommendations have one status (or both resolved ones), out of a total."""

    label: str
    slug: str
    count: int
    total: int

    @property
    def percent(self) -> int:
        return share(self.count, self.total)


@dataclass(frozen=True)
class StatusTally:
    """The progress report's figures for a set of recommendations: each status out of the total."""

    counts: dict[str, int]

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, int]]) -> StatusTally:
        counts = dict.fromkeys(STATUS_VALUES, 0)
        for status, count in rows:
            counts[status] += count
        return cls(counts)

    @classmethod
    def grouped(cls, rows: Iterable[tuple]) -> dict[tuple, StatusTally]:
        """A tally per group from rows of (*group, status, count); a group whose first value
        is None (a recommendation without an owner) is left out."""
        grouped: dict[tuple, list[tuple[str, int]]] = {}
        for *key, status, count in rows:
            if key[0] is not None:
                grouped.setdefault(tuple(key), []).append((status, count))
        return {key: cls.from_rows(counts) for key, counts in grouped.items()}

    @classmethod
    def combined(cls, tallies: Iterable[StatusTally]) -> StatusTally:
        """One tally of several disjoint sets' tallies (the whole from its parts)."""
        return cls.from_rows(row for tally in tallies for row in tally.counts.items())

    @cached_property
    def total(self) -> int:
        return sum(self.counts.values())

    @cached_property
    def resolved(self) -> StatusCount:
        """Both resolved statuses together: the report's "over two thirds resolved"."""
        count = sum(self.counts[value] for value in RESOLVED_VALUES)
        return StatusCount("Resolved (either way)", "resolved-either-way", count, self.total)

    @cached_property
    def by_status(self) -> list[StatusCount]:
        total, counts = self.total, self.counts
        return [StatusCount(label, value, counts[value], total) for value, label in STATUS_CHOICES]


class RecommendationQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """As Django's, each first given its default review and date (see Recommendation):
        bulk writes skip save() and its signals."""
        objs = list(objs)
        if any(recommendation.review_id is None for recommendation in objs):
            default = Review.objects.default()
            for recommendation in objs:
                if recommendation.review_id is None:
                    recommendation.review = default
        for recommendation in objs:
            recommendation.fill_defaults()
        return super().bulk_create(objs, *args, **kwargs)

    def of_review(self, review: Review | str) -> RecommendationQuerySet:
        """The recommendations of one review (a Review or its slug)."""
        if isinstance(review, Review):
            return self.filter(review=review)
        return self.filter(review__slug=review)

    def of_default_review(self) -> RecommendationQuerySet:
        """The default review's: what the contract's URLs (/recommendations/…) answer for."""
        return self.filter(review__slug=settings.DEFAULT_REVIEW)

    def resolved(self) -> RecommendationQuerySet:
        return self.filter(status__in=Status.resolved_values())

    def as_at(self, date: datetime.date) -> RecommendationQuerySet:
        """The recommendations made by `date`, each annotated with `status_as_at`: the rule's
        answer that day (see `latest_published_update`)."""
        return self.filter(made_on__lte=date).annotate(status_as_at=rule_status(on=date))

    def current(self) -> RecommendationQuerySet:
        """Every recommendation, `status_as_at` set to its current (stored) status."""
        return self.annotate(status_as_at=models.F("status"))

    def tally(self) -> StatusTally:
        """The count of each `status_as_at` (see as_at() and current()), in one query."""
        rows = self.order_by().values("status_as_at").annotate(n=models.Count("pk"))
        return StatusTally.from_rows((row["status_as_at"], row["n"]) for row in rows)

    def tally_by(self, *fields: str) -> dict[tuple, StatusTally]:
        """A tally per distinct value of `fields` (e.g. the owners' slug and name), one query.

        Rows whose first field is empty (a recommendation without an owner) are left out.
        """
        return StatusTally.grouped(self.tally_by_rows(*fields))

    def tally_by_rows(self, *fields: str) -> models.QuerySet:
        """The query of `tally_by()`: rows of `fields`, a status and its count, by `fields`."""
        return (
            self.order_by()
            .values_list(*fields, "status_as_at")
            .annotate(n=models.Count("pk"))
            .order_by(*fields)
        )

    def in_report_order(self) -> RecommendationQuerySet:
        """The progress report's order: the Mayor's section first, then by number."""
        section_first = models.Case(
            models.When(section=Section.MAYOR, then=0),
            default=1,
            output_field=models.IntegerField(),
        )
        return self.order_by(section_first, "number")

    def past_target_date(self, today: datetime.date | None = None) -> RecommendationQuerySet:
        """Not resolved, and the expected completion date has gone by."""
        today = today or timezone.localdate()
        return self.exclude(status__in=Status.resolved_values()).filter(target_date__lt=today)

    def without_update_since(self, cutoff: datetime.date) -> RecommendationQuerySet:
        """Not resolved, and no published update dated on or after `cutoff` (or none at all)."""
        return self.exclude(status__in=Status.resolved_values()).filter(
            models.Q(last_updated__lt=cutoff) | models.Q(last_updated__isnull=True)
        )

    def with_owners(self) -> RecommendationQuerySet:
        """Each with its ownerships and their organisations (lead first), in one more query:
        what `lead_owner` and every list of owners read."""
        owners = Ownership.objects.select_related("organisation")
        return self.prefetch_related(models.Prefetch("ownerships", queryset=owners))

    def by_owner(self, *, first: int | None = None) -> models.QuerySet[Organisation]:
        """The owners of these recommendations, those owning most of them first, then by name.

        Each organisation carries `owned` (its recommendations among these, in this queryset's
        order; only the `first` of them if given), `owned_count` and `owned_last_updated`
        (the latest `last_updated` among them, None if none has a published update). Two
        queries, however many owners.
        """
        owned = self if first is None else self[:first]
        return (
            Organisation.objects.filter(ownerships__recommendation__in=self.values("pk"))
            .annotate(
                owned_count=models.Count("ownerships"),
                owned_last_updated=models.Max("ownerships__recommendation__last_updated"),
            )
            .order_by("-owned_count", "name")
            .prefetch_related(models.Prefetch("recommendations", queryset=owned, to_attr="owned"))
        )

    def with_position_as_at(self, date: datetime.date) -> RecommendationQuerySet:
        """Annotate each with the rule's answer on `date`: the latest published update dated
        on or before it (`as_at_update_id`, `as_at_status`, `as_at_date`, `as_at_text`).

        One query, whatever the number of recommendations: the annual report's position
        is asked of every recommendation at once.
        """
        latest = latest_published_update(on=date)
        return self.annotate(
            as_at_update_id=models.Subquery(latest.values("pk")[:1]),
            as_at_status=rule_status(on=date),
            as_at_date=models.Subquery(latest.values("date")[:1]),
            as_at_text=models.Subquery(latest.values("text")[:1]),
        )

    def lock(self) -> list[int]:
        """Lock these recommendations' rows until the transaction ends; return their pks.

        Every write to a recommendation's updates holds this lock when it refreshes the
        position: under READ COMMITTED, refresh_positions() cannot see another writer's
        uncommitted update, so the stored position is only right if that writer has committed
        first. Rows are locked in pk order, so that two writers that lock several cannot
        deadlock. (SQLite has no row locks and needs none: it lets one writer at a time.)
        """
        return list(self.select_for_update().order_by("pk").values_list("pk", flat=True))


def latest_published_update(
    on: datetime.date | models.Expression | None = None,
    recommendation: models.Expression | None = None,
) -> models.QuerySet:
    """THE rule's question, for use in a subquery: the latest published update of the outer
    recommendation (or of `recommendation`, an outer reference), dated on or before `on` if
    given (a date, or an outer reference such as an update's date), first.

    The stored position (`services.refresh_positions`), the position on a date (`as_at`),
    the annual report (`with_position_as_at`) and the status history all ask it here, so
    they cannot disagree.
    """
    of = models.OuterRef("pk") if recommendation is None else recommendation
    updates = ProgressUpdate.objects.published().filter(recommendation=of)
    if on is not None:
        updates = updates.filter(date__lte=on)
    return updates.order_by("-date", "-pk")


def rule_status(on: datetime.date | None = None) -> Coalesce:
    """The rule's status for the outer recommendation (on `on`, if given): its latest
    published update's, Ongoing if it has none."""
    return Coalesce(
        models.Subquery(latest_published_update(on=on).values("status")[:1]),
        models.Value(Status.ONGOING),
        output_field=models.CharField(),
    )


class StoredPosition:
    """A field holding part of the rule's stored answer, written only by
    `services.refresh_positions()`. A new row starts with the answer for no updates (the
    default); a save of an existing row leaves the stored value as it is (`SET status =
    status`), whatever the copy in memory says: a recommendation loaded before an update was
    recorded cannot put its old status back, and a status set by hand is never stored."""

    def pre_save(self, model_instance, add):
        if add:
            setattr(model_instance, self.attname, self.get_default())
            return super().pre_save(model_instance, add)
        return models.F(self.attname)


class StoredStatusField(StoredPosition, models.CharField):
    pass


class StoredDateField(StoredPosition, models.DateField):
    pass


class StoredUpdateField(StoredPosition, models.ForeignKey):
    pass


class Response(models.TextChoices):
    """The response to a recommendation (by whom it was addressed to). Separate from the
    status, which follows the progress updates; empty while not recorded."""

    ACCEPTED = "accepted", "Accepted"
    ACCEPTED_IN_PRINCIPLE = "accepted-in-principle", "Accepted in principle"
    NOT_ACCEPTED = "not-accepted", "Not accepted"
    AWAITING = "awaiting", "Awaiting response"


class Recommendation(VersionedModel):
    """One of a review's recommendations: its text, owners, links and current position.

    A recommendation made without naming its review (a fixture row, bulk test or benchmark
    data) belongs to the default review, and one made without a date was made when its
    review was published: `fill_defaults()`, run before every save, bulk ones included.
    """

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="recommendations")
    number = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="The number the review gave it; unique within the review.",
    )
    text = CleanTextField(help_text="The recommendation as the Review worded it.")
    # A slug of one of the review's sections (ReviewSection), checked by clean(). A plain
    # field, not a key, so that the filters, tallies and downloads that read it stay as they are.
    section = models.CharField(max_length=10, choices=Section.choices, default=Section.OTHER)
    made_on = models.DateField(
        blank=True,
        help_text="When the review made it. Empty: the review's publication date.",
    )
    owners = models.ManyToManyField(
        Organisation, through="Ownership", related_name="recommendations"
    )
    response = models.CharField(
        max_length=30,
        choices=Response.choices,
        blank=True,
        help_text="The response to it, if one is recorded. Separate from the status.",
    )
    response_date = models.DateField("response date", null=True, blank=True)
    response_text = CleanTextField("response in brief", blank=True)

    # The stored answer of the one rule (see the module docstring): never edited directly.
    status = StoredStatusField(
        max_length=30, choices=Status.choices, default=Status.ONGOING, editable=False
    )
    last_updated = StoredDateField(null=True, blank=True, editable=False)
    latest_update = StoredUpdateField(
        "ProgressUpdate",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    target_date = models.DateField(
        "expected completion",
        null=True,
        blank=True,
        help_text="When the owners expect to complete the work. Changing it needs a reason, "
        "and every change is kept (see target_date_changes).",
    )
    # The stored position is left out: the status history is read from the published
    # updates (history.py), which no save of a recommendation can contradict.
    history = HistoricalRecords(
        excluded_fields=["status", "last_updated", "latest_update", "version"]
    )
    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        permissions = [
            ("export_position", "Can export the year's position for the annual report"),
            ("import_recommendations", "Can import recommendations and organisations"),
        ]
        constraints = [
            # Numbers start at 1; the upper bound (the review's count) is checked by clean(),
            # so that benchmark data sets may go beyond it.
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="recommendation_number_positive"
            ),
            # A number names one recommendation of its review; other reviews reuse it.
            models.UniqueConstraint(
                fields=["review", "number"], name="recommendation_number_per_review"
            ),
            # A response's date goes with a recorded response.
            models.CheckConstraint(
                condition=~models.Q(response="") | models.Q(response_date__isnull=True),
                name="recommendation_response_dated_only_if_recorded",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "number"], name="recommendation_status_idx"),
            models.Index(fields=["section", "number"], name="recommendation_section_idx"),
            models.Index(fields=["last_updated"], name="recommendation_updated_idx"),
        ]

    #: The Review made its recommendations in its own words: only a superuser may correct
    #: them (a transcription error), never add one; by any path, form or import alike.
    REVIEW_WORDS = ("number", "text", "section", "made_on")

    @staticmethod
    def may_correct_review_words(user) -> bool:
        """Whether `user` may change the Review's words or add a recommendation."""
        return bool(user is not None and user.is_active and user.is_superuser)

    def __str__(self) -> str:
        return f"Recommendation {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("recommendations:detail", kwargs={"number": self.number})

    def fill_defaults(self) -> None:
        """The default review if none is named; the review's publication date if no date."""
        if self.review_id is None:
            self.review = Review.objects.default()
        if self.made_on is None:
            self.made_on = self.review.published_on

    def clean_fields(self, exclude=None) -> None:
        self.fill_defaults()
        super().clean_fields(exclude)

    def clean(self) -> None:
        """The number and section are the review's: within its count, not taken, one of its
        sections. The messages name the review, which a form's errors may not show."""
        super().clean()
        if self.review_id is None or self.number is None:
            return
        review, errors = self.review, {}
        if review.recommendation_count and self.number > review.recommendation_count:
            errors["number"] = (
                f"{review.short_title} made {review.recommendation_count} recommendations: "
                f"there is no number {self.number}."
            )
        taken = Recommendation.objects.filter(review=review, number=self.number)
        if "number" not in errors and taken.exclude(pk=self.pk).exists():
            errors["number"] = f"{review.short_title} already has a recommendation {self.number}."
        sections = [s.slug for s in review.sections.all()]
        if sections and self.section not in sections:
            errors["section"] = (
                f"“{self.section}” is not a section of {review.short_title}: use "
                + " or ".join(sections)
            )
        if errors:
            raise ValidationError(errors)

    @property
    def response_label(self) -> str:
        """The response's label, or "not recorded": never a guess."""
        return self.get_response_display() if self.response else "not recorded"

    @property
    def lead_owner(self) -> Organisation | None:
        for ownership in self.ownerships.all():
            if ownership.is_lead:
                return ownership.organisation
        return None

    @property
    def status_as_at_label(self) -> str:
        """The label of `status_as_at`, on a recommendation from as_at() or current()."""
        return Status(self.status_as_at).label


@receiver(pre_save, sender=Recommendation)
def fill_recommendation_defaults(sender, instance: Recommendation, **kwargs) -> None:
    """Every save, loaddata's raw ones included (they skip Model.save()): the fixture of 2016
    names neither review nor, in older copies, a date."""
    instance.fill_defaults()


class LinkKind(models.TextChoices):
    """How one recommendation bears on another. Values are stored; labels read from the
    `from` end ("Recommendation 12 takes up…"), `inverse` from the `to` end."""

    RELATED = "related", "Related to"
    TAKES_UP = "takes-up", "Takes up"
    SUPERSEDES = "supersedes", "Supersedes"

    @property
    def inverse(self) -> str:
        """The label seen from the other end: related both ways; "taken up by", "superseded by"."""
        return {"related": "Related to", "takes-up": "Taken up by", "supersedes": "Superseded by"}[
            self.value
        ]


class RecommendationLinkQuerySet(models.QuerySet):
    def touching(self, recommendation: Recommendation) -> RecommendationLinkQuerySet:
        """The links from or to `recommendation`, each with both ends' review: one query."""
        return self.filter(
            models.Q(from_recommendation=recommendation)
            | models.Q(to_recommendation=recommendation)
        ).select_related("from_recommendation__review", "to_recommendation__review")

    def seen_from(self, recommendation: Recommendation) -> list[LinkSeen]:
        """The links that touch `recommendation`, as its page reads them: each with the other
        recommendation and the label from this end, grouped by label (superseded by first,
        related last), then by review and number."""
        seen = [LinkSeen.of(link, recommendation) for link in self.touching(recommendation)]
        return sorted(seen, key=LinkSeen.sort_key)


class RecommendationLink(models.Model):
    """A typed link between two recommendations, of any reviews.

    One row per link: `related` is read both ways from the same row; "A takes up B" (a later
    review revisits B) reads "taken up by A" from B, and likewise for `supersedes`.
    """

    from_recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="links_from"
    )
    to_recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="links_to"
    )
    kind = models.CharField(max_length=20, choices=LinkKind.choices, default=LinkKind.RELATED)

    objects = RecommendationLinkQuerySet.as_manager()

    class Meta:
        ordering = ["from_recommendation", "to_recommendation", "kind"]
        constraints = [
            # A link is made once.
            models.UniqueConstraint(
                fields=["from_recommendation", "to_recommendation", "kind"],
                name="recommendation_link_unique",
            ),
            # "Related" has no direction: A–B and B–A are the same link, stored once.
            models.UniqueConstraint(
                Least("from_recommendation", "to_recommendation"),
                Greatest("from_recommendation", "to_recommendation"),
                condition=models.Q(kind="related"),
                name="recommendation_link_related_once",
                violation_error_message="These recommendations are already related.",
            ),
            # A recommendation does not link to itself.
            models.CheckConstraint(
                condition=~models.Q(from_recommendation=models.F("to_recommendation")),
                name="recommendation_link_not_to_itself",
            ),
        ]

    def __str__(self) -> str:
        kind = LinkKind(self.kind).label.lower()
        return f"{self.from_recommendation} {kind} {self.to_recommendation}"


#: The order a page lists links in, by their label from its end.
LINK_LABEL_ORDER = ("Superseded by", "Supersedes", "Taken up by", "Takes up", "Related to")


@dataclass(frozen=True)
class LinkSeen:
    """A link as one end's page shows it: the label from that end and the other end."""

    label: str
    kind: str
    other: Recommendation

    @classmethod
    def of(cls, link: RecommendationLink, end: Recommendation) -> LinkSeen:
        kind = LinkKind(link.kind)
        if link.from_recommendation_id == end.pk:
            return cls(kind.label, kind.value, link.to_recommendation)
        return cls(kind.inverse, kind.value, link.from_recommendation)

    @property
    def supersedes_this(self) -> bool:
        """The other recommendation replaced this one."""
        return self.label == "Superseded by"

    @property
    def url(self) -> str:
        """The other recommendation's public page. Empty for a review other than the default
        until the per-review pages exist: its number alone would open the default review's."""
        if self.other.review.slug != settings.DEFAULT_REVIEW:
            return ""
        return self.other.get_absolute_url()

    def sort_key(self) -> tuple:
        review = self.other.review
        order = LINK_LABEL_ORDER.index(self.label)
        return (order, review.list_order, review.published_on, review.pk, self.other.number)


class Ownership(models.Model):
    """An organisation a recommendation is addressed to; exactly one owner leads."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="ownerships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="ownerships"
    )
    is_lead = models.BooleanField("lead owner", default=False)

    class Meta:
        ordering = ["-is_lead", "organisation__name"]
        constraints = [
            # An organisation owns a recommendation once.
            models.UniqueConstraint(
                fields=["recommendation", "organisation"], name="ownership_unique"
            ),
            # At most one lead owner per recommendation.
            models.UniqueConstraint(
                fields=["recommendation"],
                condition=models.Q(is_lead=True),
                name="ownership_one_lead",
            ),
        ]

    def __str__(self) -> str:
        role = "lead owner" if self.is_lead else "owner"
        return f"{self.organisation} ({role} of {self.recommendation})"


class Year(ExtractYear):
    """A date's year. On SQLite by its own `strftime()` rather than Django's function, which
    SQLite calls back into Python for on every row (half a millisecond for the published
    updates' years, on every page that lists the reports)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(STRFTIME('%%Y', {sql}) AS INTEGER)", params


class ProgressUpdateQuerySet(models.QuerySet):
    def published(self) -> ProgressUpdateQuerySet:
        """The updates that are public and count for the status: published, not withdrawn."""
        return self.filter(published=True, withdrawn_at__isnull=True)

    def drafts(self) -> ProgressUpdateQuerySet:
        return self.filter(published=False, withdrawn_at__isnull=True)

    def withdrawn(self) -> ProgressUpdateQuerySet:
        return self.filter(withdrawn_at__isnull=False)

    def as_at(self, date: datetime.date) -> ProgressUpdateQuerySet:
        """The published updates that describe the position on or before `date`."""
        return self.published().filter(date__lte=date)

    def newest_first(self) -> ProgressUpdateQuerySet:
        return self.order_by("-date", "-pk")

    def years(self) -> models.QuerySet:
        """The distinct years the updates are dated in, in no order (rows of one year)."""
        return self.order_by().values_list(Year("date")).distinct()

    def published_years(self) -> list[int]:
        """The years in which at least one published update is dated, oldest first."""
        return sorted(year for (year,) in self.published().years())


class ProgressUpdate(VersionedModel):
    """A dated statement of progress on a recommendation, carrying the status at that date."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="updates"
    )
    date = models.DateField(help_text="The date the update describes the position at.")
    text = CleanTextField()
    status = models.CharField(max_length=30, choices=Status.choices)
    source = CleanCharField(
        max_length=200,
        blank=True,
        help_text="Where the update comes from, e.g. a progress report or an agency's return.",
    )
    published = models.BooleanField(
        default=False, help_text="Only published updates are public and set the status."
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    # An update is never deleted: it is withdrawn, which is recorded and explained.
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    withdrawal_reason = CleanTextField(blank=True, editable=False)

    history = HistoricalRecords()
    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        get_latest_by = ["date", "pk"]
        permissions = [
            ("publish_update", "Can publish a progress update"),
            ("withdraw_update", "Can withdraw a progress update"),
            ("import_updates", "Can import a spreadsheet of progress updates"),
        ]
        constraints = [
            # A withdrawn update is no longer published.
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | models.Q(published=False),
                name="update_withdrawn_not_published",
            ),
            # A withdrawal is always explained.
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | ~models.Q(withdrawal_reason=""),
                name="update_withdrawal_explained",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recommendation", "published", "date"], name="update_position_idx"
            ),
            models.Index(fields=["published", "date"], name="update_published_date_idx"),
            # The public site's "newest published updates" (the progress report, the feeds):
            # read in order from the index, not sorted from the whole table. The query's
            # condition must imply the index's for a database to use it: published() gives it.
            models.Index(
                fields=["-date", "-id"],
                condition=models.Q(published=True, withdrawn_at__isnull=True),
                name="update_public_newest_idx",
            ),
            # The staff list of every update, drafts and withdrawn too, newest first: at
            # 100,000 updates a page of it was a sort of the whole table (300 ms).
            models.Index(fields=["-date", "-id"], name="update_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation}: {self.get_status_display()} on {self.date:%d %B %Y}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def state(self) -> str:
        """ "Published", "Draft" or "Withdrawn", for lists and the history."""
        if self.is_withdrawn:
            return "Withdrawn"
        return "Published" if self.published else "Draft"

    def clean(self) -> None:
        super().clean()
        if self.published and self.is_withdrawn:
            raise ValidationError({"published": "A withdrawn update cannot be published."})
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "An update cannot be dated in the future."})
        made_on = self.recommendation.made_on if self.recommendation_id else None
        if self.date and made_on and self.date < made_on:
            made = f"{made_on:%d %B %Y}"
            raise ValidationError({"date": f"An update cannot be dated before {made}."})
        if not (self.text or "").strip():
            raise ValidationError({"text": "An update needs some text."})


class TargetDateChange(models.Model):
    """One change of a recommendation's expected completion date, with who and why.

    Written only by `services.set_target_date`; public (the recommendation's page lists them
    through `recommendation.target_date_changes.all()`).
    """

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="target_date_changes"
    )
    old_date = models.DateField(null=True, blank=True)
    new_date = models.DateField(null=True, blank=True)
    reason = CleanTextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        get_latest_by = ["changed_at", "pk"]
        constraints = [
            # A change is always explained.
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="target_date_change_explained"
            ),
        ]

    def __str__(self) -> str:
        old = f"{self.old_date:%d %B %Y}" if self.old_date else "none"
        new = f"{self.new_date:%d %B %Y}" if self.new_date else "none"
        return f"{self.recommendation}: expected completion {old} → {new}"


class ImportRecord(models.Model):
    """One confirmed admin import, written in the same transaction as its rows.

    Its key (the admin's model and the name of the file the preview kept) is unique, so a
    confirmation sent twice — a double click, two people confirming the same preview, on
    any worker or instance — writes the rows once: the second waits for the first's
    transaction at the unique index, then finds the record and writes nothing.
    """

    key = models.CharField(max_length=255, unique=True)
    file_name = models.CharField(max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name or self.key} imported {self.imported_at:%d %b %Y %H:%M}"


def _export_path(export: PreparedExport, filename: str) -> str:
    return f"exports/{export.requested_by_id}/{filename}"


class PreparedExport(models.Model):
    """A workbook a staff user asked for, built by a background task (recommendations.exports).

    A workbook cannot be sent before its last row, and at the scale of several reviews it
    takes seconds to build: the request records what was asked (`params`: which export, the
    changelist's filters, the export form's choices) and answers at once; the task builds
    the file into storage under `exports/`, never served by a public URL, and the user
    downloads it from "Your exports", which checks who asks. The last few of each user's
    exports are kept (`exports.KEEP_PER_USER`).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prepared_exports"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    #: What the export holds, in words ("Position at 2017-10-31", "Board actions").
    name = models.CharField(max_length=200)
    #: Which builder makes it ("admin" or "chase-list") and what it needs to make it again.
    kind = models.CharField(max_length=20)
    params = models.JSONField(default=dict)
    #: The changelist filters it was asked with, as the address had them ("" for none).
    filters = models.TextField(blank=True)
    filename = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    #: Why it failed, in words for the user who asked (never a traceback).
    failure = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=_export_path, max_length=300, blank=True)

    class Meta:
        verbose_name = "export"
        verbose_name_plural = "exports"
        # Every staff user sees their own exports; the export's own permission decides
        # whether it is made (see admin_exports.py): no role grants anything here.
        default_permissions = ()
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "-requested_at"], name="export_user_newest_idx")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_state_display().lower()})"
