"""Spreadsheet imports and exports (django-import-export resources).

- `ProgressUpdateResource`: the batch of updates gathered from agencies. Every row is checked
  in Python first; then, if all are right, they are written at once through
  `services.bulk_record_updates`. Columns `recommendation`, `date`, `status`, `update`.
- `RecommendationResource`, `OrganisationResource`: a round trip — what they export they
  import back.
- `PositionResource`: export only, the year's position as at a date for the annual report.

Lookups are made once per file (recommendations by number, organisations by slug), never
once per row. Every import runs in one transaction and is rolled back if any row is wrong
(see `imports.import_updates`).
"""

from __future__ import annotations

import contextlib
import datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from import_export import fields, resources

from recommendations.models import (
    Organisation,
    Ownership,
    ProgressUpdate,
    Recommendation,
    Review,
    Section,
    Status,
    TargetDateChange,
)
from recommendations.opendata import spreadsheet_safe
from recommendations.services import bulk_record_updates
from recommendations.spreadsheets import is_blank, parse_date, parse_whole_number, unguard

UPDATE_COLUMNS = ("recommendation", "date", "status", "update")


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def normalise_headers(dataset) -> None:
    dataset.headers = [_text(h).casefold() for h in dataset.headers or []]


def check_columns(dataset, expected: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
    """Refuse a file whose header row does not name exactly the expected columns."""
    headers = [h for h in dataset.headers if h]
    problems = []
    missing = [c for c in expected if c not in headers]
    if missing:
        problems.append("it has no " + ", ".join(f"“{c}”" for c in missing) + " column")
    unknown = [h for h in headers if h not in expected and h not in optional]
    if unknown:
        problems.append(
            "it has columns this import does not know: " + ", ".join(f"“{h}”" for h in unknown)
        )
    repeated = sorted({h for h in headers if headers.count(h) > 1})
    if repeated:
        problems.append("it repeats " + ", ".join(f"“{h}”" for h in repeated))
    if problems:
        # Rows read under the wrong headings would only add noise to the report.
        del dataset[:]
        wanted = ", ".join(expected)
        raise ValidationError(
            f"The file's columns are wrong: {'; '.join(problems)}. "
            f"The first line must name the columns {wanted}."
        )


def unguard_row(row) -> None:
    """Take off every cell the `'` an export put before a formula-like value (round trips)."""
    row.update({column: unguard(value) for column, value in row.items()})


def _ownerships_prefetch() -> Prefetch:
    return Prefetch("ownerships", queryset=Ownership.objects.select_related("organisation"))


class ProgressUpdateResource(resources.ModelResource):
    """One progress update per row: every row checked, then all written at once (or none).

    Rows are checked one by one with lookups made once per file; nothing is written while
    checking. At the end of a real (not dry) run with no problem, the checked updates go to
    `services.bulk_record_updates`, which locks their recommendations only to refresh their
    positions, after the inserts.
    """

    recommendation = fields.Field(attribute="recommendation__number", column_name="recommendation")
    date = fields.Field(attribute="date", column_name="date")
    status = fields.Field(attribute="status", column_name="status")
    update = fields.Field(attribute="text", column_name="update")

    class Meta:
        model = ProgressUpdate
        fields = UPDATE_COLUMNS
        import_order = UPDATE_COLUMNS
        skip_diff = True
        store_row_values = True
        use_transactions = True
        # Bulk mode: no savepoint per row, and the checked rows are handed to bulk_create()
        # below once, at the end (no batch size), so that nothing is written before every
        # row has been checked.
        use_bulk = True
        batch_size = None

    def __init__(self, *, publish: bool = False, user=None, source: str = "", **kwargs):
        super().__init__()
        self.publish = publish
        self.user = user
        self.source = source or "Spreadsheet import"
        self.blank_rows = 0

    @classmethod
    def get_display_name(cls) -> str:
        return "Progress updates"

    def before_import(self, dataset, **kwargs):
        normalise_headers(dataset)
        check_columns(dataset, UPDATE_COLUMNS)
        numbers = set()
        for value in dataset["recommendation"]:
            with contextlib.suppress(TypeError, ValueError):
                number = parse_whole_number(value)
                if _is_possible_number(number):
                    numbers.add(number)
        # The update import's numbers are the default review's (a column naming the review
        # comes with the per-review pages).
        default_review = Recommendation.objects.of_default_review()
        self.recommendations = {r.number: r for r in default_review.filter(number__in=numbers)}
        # A row that repeats a published update or a draft is already there; one that
        # repeats a withdrawn update is new (the withdrawn one no longer counts).
        self.existing = set(
            ProgressUpdate.objects.filter(
                recommendation__in=list(self.recommendations.values()), withdrawn_at__isnull=True
            ).values_list("recommendation_id", "date", "status", "text")
        )
        self.existing = {(r, d, s, t.strip()) for r, d, s, t in self.existing}
        self.seen: dict[tuple, int] = {}
        self.user = kwargs.get("user") or self.user

    def before_import_row(self, row, **kwargs):
        unguard_row(row)

    def get_or_init_instance(self, instance_loader, row):
        # Every row is a new update; "the same update again" is found by skip_row.
        return ProgressUpdate(), True

    def import_instance(self, instance, row, **kwargs):
        values = {column: row.get(column) for column in UPDATE_COLUMNS}
        if all(is_blank(v) for v in values.values()):
            instance._blank = True
            return
        errors: dict[str, str] = {}
        self._read_recommendation(instance, values["recommendation"], errors)
        self._read_date(instance, values["date"], errors)
        self._read_status(instance, values["status"], errors)
        instance.text = _text(values["update"])
        if not instance.text:
            errors["update"] = "the update text is empty"
        if not errors:
            self._check(instance, errors)
        if not errors:
            self._check_not_repeated(instance, kwargs.get("row_number", 0) + 1, errors)
        if errors:
            raise ValidationError(errors)
        instance.source = self.source
        instance.published = self.publish

    def _read_recommendation(self, instance, raw, errors: dict[str, str]) -> None:
        if is_blank(raw):
            errors["recommendation"] = "no recommendation number"
            return
        try:
            number = parse_whole_number(raw)
        except (TypeError, ValueError):
            errors["recommendation"] = f"“{_text(raw)}” is not a recommendation number"
            return
        recommendation = self.recommendations.get(number)
        if recommendation is None:
            errors["recommendation"] = f"there is no recommendation {number}"
        else:
            instance.recommendation = recommendation

    @staticmethod
    def _read_date(instance, raw, errors: dict[str, str]) -> None:
        if is_blank(raw):
            errors["date"] = "no date"
            return
        try:
            instance.date = parse_date(raw)
        except ValueError as error:
            errors["date"] = str(error)

    @staticmethod
    def _read_status(instance, raw, errors: dict[str, str]) -> None:
        if is_blank(raw):
            errors["status"] = "no status"
            return
        try:
            instance.status = Status.from_label(_text(raw))
        except ValueError as error:
            errors["status"] = str(error)

    @staticmethod
    def _check(instance, errors: dict[str, str]) -> None:
        """The model's own checks (dates), named by the file's columns."""
        try:
            instance.clean()
        except ValidationError as error:
            column = {"text": "update"}
            for field, messages in error.message_dict.items():
                errors[column.get(field, field)] = " ".join(messages)

    def _check_not_repeated(self, instance, line: int, errors: dict[str, str]) -> None:
        key = self._key(instance)
        if key in self.seen:
            errors["row"] = f"it repeats line {self.seen[key]} of the file"
        else:
            self.seen[key] = line

    @staticmethod
    def _key(instance: ProgressUpdate) -> tuple:
        return (instance.recommendation.pk, instance.date, instance.status, instance.text)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        if getattr(instance, "_blank", False):
            self.blank_rows += 1
            return True
        # Already recorded (e.g. the same file imported twice): unchanged, not duplicated.
        return self._key(instance) in self.existing

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        checked, self.create_instances = self.create_instances, []
        if dry_run or not checked:
            return
        if result is not None and (result.has_errors() or result.has_validation_errors()):
            # All or nothing: one bad row and none is written.
            return
        try:
            bulk_record_updates(updates=checked, entered_by=self.user)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)

    def after_import(self, dataset, result, **kwargs):
        result.blank_rows = self.blank_rows

    # Export: the same four columns, so that an exported file imports back as "unchanged".
    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("recommendation").order_by("recommendation__number", "date")

    def dehydrate_recommendation(self, update):
        return update.recommendation.number

    def dehydrate_date(self, update):
        return update.date.isoformat()

    def dehydrate_status(self, update):
        return update.get_status_display()

    def dehydrate_update(self, update):
        return spreadsheet_safe(update.text)


#: The largest number a recommendation's column can hold. A number beyond it cannot be a
#: recommendation's, and asking the database about it fails differently on each database.
_LARGEST_NUMBER = 2**31 - 1


def _is_possible_number(number: int) -> bool:
    return 1 <= number <= _LARGEST_NUMBER


class RecommendationResource(resources.ModelResource):
    """The recommendations as they are: imported back, it changes text, section and owners.

    The status, its date and the expected completion date are exported for reading only:
    they change through updates and through the admin (with a reason), never by import.
    """

    number = fields.Field(attribute="number", column_name="number")
    section = fields.Field(attribute="section", column_name="section")
    text = fields.Field(attribute="text", column_name="text")
    made_on = fields.Field(attribute="made_on", column_name="made_on")
    owners = fields.Field(column_name="owners", readonly=False)
    lead_owner = fields.Field(column_name="lead_owner", readonly=False)
    status = fields.Field(column_name="status", readonly=True)
    last_updated = fields.Field(column_name="last_updated", readonly=True)
    target_date = fields.Field(column_name="target_date", readonly=True)

    COLUMNS = ("number", "section", "text", "made_on", "owners", "lead_owner")
    READ_ONLY = ("status", "last_updated", "target_date")

    class Meta:
        model = Recommendation
        fields = (
            "number",
            "section",
            "text",
            "made_on",
            "owners",
            "lead_owner",
            "status",
            "last_updated",
            "target_date",
        )
        import_id_fields = ["number"]
        use_transactions = True

    def __init__(self, *, user=None, **kwargs):
        super().__init__()
        self.user = user

    @classmethod
    def get_display_name(cls) -> str:
        return "Recommendations (round trip)"

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related(None).prefetch_related(_ownerships_prefetch())

    def dehydrate_section(self, recommendation):
        return recommendation.section

    def dehydrate_owners(self, recommendation):
        return "; ".join(o.organisation.slug for o in recommendation.ownerships.all())

    def dehydrate_lead_owner(self, recommendation):
        lead = next((o for o in recommendation.ownerships.all() if o.is_lead), None)
        return lead.organisation.slug if lead else ""

    def dehydrate_status(self, recommendation):
        return recommendation.get_status_display()

    def dehydrate_last_updated(self, recommendation):
        return recommendation.last_updated.isoformat() if recommendation.last_updated else ""

    def dehydrate_target_date(self, recommendation):
        return recommendation.target_date.isoformat() if recommendation.target_date else ""

    def dehydrate_text(self, recommendation):
        return spreadsheet_safe(recommendation.text)

    def dehydrate_made_on(self, recommendation):
        return recommendation.made_on.isoformat()

    def before_import(self, dataset, **kwargs):
        normalise_headers(dataset)
        check_columns(dataset, self.COLUMNS, optional=self.READ_ONLY)
        self.organisations = {o.slug: o for o in Organisation.objects.all()}
        # The default review's recommendations: the round trip's file names no review.
        self.review = Review.objects.default()
        self.by_number = {r.number: r for r in self.review.recommendations.all()}
        self.user = kwargs.get("user") or self.user

    def before_import_row(self, row, **kwargs):
        unguard_row(row)

    def get_or_init_instance(self, instance_loader, row):
        try:
            existing = self.by_number.get(parse_whole_number(row.get("number")))
        except (TypeError, ValueError):
            existing = None
        return (existing, False) if existing else (Recommendation(review=self.review), True)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        words = {f: getattr(instance, f) for f in Recommendation.REVIEW_WORDS}
        original = words if instance.pk else None
        try:
            instance.number = parse_whole_number(row["number"])
        except (TypeError, ValueError):
            errors["number"] = f"“{_text(row['number'])}” is not a recommendation number"
        section = _text(row["section"]).casefold()
        matches = [s for s in Section if section in (s.value, s.label.casefold())]
        if matches:
            instance.section = matches[0]
        else:
            errors["section"] = f"unknown section “{row['section']}”: use mayor or other"
        instance.text = _text(row["text"])
        try:
            instance.made_on = parse_date(row["made_on"])
        except ValueError as error:
            errors["made_on"] = str(error)
        slugs = [s.strip() for s in _text(row["owners"]).replace(",", ";").split(";")]
        slugs = [s for s in slugs if s]
        unknown = [s for s in slugs if s not in self.organisations]
        if unknown:
            errors["owners"] = "unknown organisation " + ", ".join(f"“{s}”" for s in unknown)
        lead = _text(row["lead_owner"])
        if lead and lead not in slugs:
            errors["lead_owner"] = f"the lead owner “{lead}” is not among the owners"
        self._check_review_words(instance, original, errors)
        if errors:
            raise ValidationError(errors)
        instance._owners = [self.organisations[s] for s in slugs]
        instance._lead = self.organisations.get(lead)

    #: The Review's words a row may carry, as the errors name them.
    WORDS_NAMED = {"section": "section", "text": "text", "made_on": "date made"}

    def _check_review_words(self, instance, original: dict | None, errors: dict) -> None:
        """The change form's rule, here where rows are checked: only a superuser may add a
        recommendation or change its Review words (Recommendation.REVIEW_WORDS). A row that
        repeats them as they are (an export imported back) still changes its owners."""
        if Recommendation.may_correct_review_words(self.user):
            return
        if original is None:
            if "number" not in errors:
                errors["number"] = (
                    f"there is no recommendation {instance.number}, and only a superuser "
                    "may add one"
                )
            return
        for field, name in self.WORDS_NAMED.items():
            new, old = getattr(instance, field), original[field]
            if field == "text" and new == old.strip():
                instance.text = old  # only the spaces around it differ: unchanged
            elif field not in errors and new != old:
                errors[field] = (
                    f"it would change the {name} of recommendation {original['number']}, "
                    "which are the Review's own words: only a superuser may correct them"
                )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not errors:
            try:
                instance.full_clean(exclude=["latest_update", "version"])
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if self.user is not None:
            instance._history_user = self.user
        super().save_instance(instance, is_create, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        owners = getattr(instance, "_owners", None)
        if owners is None:
            return
        wanted = {o.pk for o in owners}
        lead_id = instance._lead.pk if instance._lead else None
        instance.ownerships.exclude(organisation_id__in=wanted).delete()
        existing = {o.organisation_id: o for o in instance.ownerships.all()}
        # The lead moves in two steps: at most one lead at any moment. Saved one by one, not
        # with update(), so that the public pages hear of it (see public/freshness.py).
        for former in instance.ownerships.exclude(organisation_id=lead_id).filter(is_lead=True):
            former.is_lead = False
            former.save(update_fields=["is_lead"])
            existing[former.organisation_id] = former
        for organisation in owners:
            is_lead = organisation.pk == lead_id
            ownership = existing.get(organisation.pk)
            if ownership is None:
                Ownership.objects.create(
                    recommendation=instance, organisation=organisation, is_lead=is_lead
                )
            elif ownership.is_lead != is_lead:
                ownership.is_lead = is_lead
                ownership.save(update_fields=["is_lead"])


class OrganisationResource(resources.ModelResource):
    class Meta:
        model = Organisation
        fields = ("slug", "name", "acronym")
        import_id_fields = ["slug"]
        clean_model_instances = True
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__()

    @classmethod
    def get_display_name(cls) -> str:
        return "Organisations (round trip)"

    def before_import(self, dataset, **kwargs):
        normalise_headers(dataset)
        check_columns(dataset, ("slug", "name"), optional=("acronym",))
        self.by_slug = {o.slug: o for o in Organisation.objects.all()}

    def before_import_row(self, row, **kwargs):
        unguard_row(row)

    def get_or_init_instance(self, instance_loader, row):
        existing = self.by_slug.get(_text(row.get("slug")))
        return (existing, False) if existing else (Organisation(), True)

    def dehydrate_name(self, organisation):
        return spreadsheet_safe(organisation.name)

    def dehydrate_acronym(self, organisation):
        return spreadsheet_safe(organisation.acronym)


class PositionResource(resources.ModelResource):
    """The year's position for the annual report: every recommendation as at a date.

    Export only, and every value is the one on `as_at`, not today's: the status and latest
    update are the rule's answer on that date (the latest published update dated on or before
    it), the expected completion date the one set then (from its recorded changes). The
    headers are for the report's readers, not the database's.
    """

    number = fields.Field(column_name="Number")
    text = fields.Field(column_name="Recommendation")
    section = fields.Field(column_name="Section")
    status = fields.Field(column_name="Status")
    owners = fields.Field(column_name="Owners")
    lead_owner = fields.Field(column_name="Lead owner")
    target_date = fields.Field(column_name="Expected completion")
    latest_update_date = fields.Field(column_name="Latest update dated")
    latest_update = fields.Field(column_name="Latest update")
    as_at = fields.Field(column_name="Position as at")

    class Meta:
        model = Recommendation
        fields = (
            "number",
            "text",
            "section",
            "status",
            "owners",
            "lead_owner",
            "target_date",
            "latest_update_date",
            "latest_update",
            "as_at",
        )
        chunk_size = 2000

    def __init__(self, *, as_at: datetime.date | None = None, **kwargs):
        super().__init__()
        self.as_at = as_at or timezone.localdate()

    @classmethod
    def get_display_name(cls) -> str:
        return "The year's position (annual report)"

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        dataset.title = self.sheet_title()
        return dataset

    def sheet_title(self) -> str:
        """The sheet's name in a workbook (see admin.ReadableExportMixin)."""
        return f"Position at {self.as_at.isoformat()}"

    def filter_export(self, queryset, **kwargs):
        changes = TargetDateChange.objects.order_by("changed_at", "pk")
        return (
            queryset.with_position_as_at(self.as_at)
            .prefetch_related(None)
            .prefetch_related(
                _ownerships_prefetch(), Prefetch("target_date_changes", queryset=changes)
            )
            .order_by("number")
        )

    def dehydrate_number(self, recommendation):
        return recommendation.number

    def dehydrate_text(self, recommendation):
        return spreadsheet_safe(recommendation.text)

    def dehydrate_section(self, recommendation):
        return recommendation.get_section_display()

    def dehydrate_status(self, recommendation):
        return Status(recommendation.as_at_status).label

    def dehydrate_owners(self, recommendation):
        return spreadsheet_safe(
            "; ".join(o.organisation.name for o in recommendation.ownerships.all())
        )

    def dehydrate_lead_owner(self, recommendation):
        lead = next((o for o in recommendation.ownerships.all() if o.is_lead), None)
        return spreadsheet_safe(lead.organisation.name if lead else "")

    def dehydrate_target_date(self, recommendation):
        date = target_date_as_at(recommendation, self.as_at)
        return date.isoformat() if date else ""

    def dehydrate_latest_update_date(self, recommendation):
        date = recommendation.as_at_date
        return date.isoformat() if date else ""

    def dehydrate_latest_update(self, recommendation):
        return spreadsheet_safe(recommendation.as_at_text or "")

    def dehydrate_as_at(self, recommendation):
        return self.as_at.isoformat()


def target_date_as_at(
    recommendation: Recommendation, as_at: datetime.date
) -> datetime.date | None:
    """The expected completion date as it stood at the end of `as_at`: the last change made
    by then; before any change, the date the first later change replaced; with no change
    at all, the date it has. Reads `target_date_changes` oldest first (as prefetched)."""
    changes = list(recommendation.target_date_changes.all())
    made_by_then = [c for c in changes if timezone.localdate(c.changed_at) <= as_at]
    if made_by_then:
        return made_by_then[-1].new_date
    if changes:
        return changes[0].old_date
    return recommendation.target_date
