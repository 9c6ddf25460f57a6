"""Spreadsheet import and export of board actions, and exports of boards and meetings
(django-import-export).

Columns: `board` (the board's slug), `meeting_date` (YYYY-MM-DD or DD/MM/YYYY: the meeting
that raised the action), `reference` (e.g. "Action 1"), `text`, `owners` (organisation
slugs separated by `;`), `due_date` (may be empty), `status` (Open, Done, Carried forward,
Dropped). A row whose meeting and reference match an existing action updates it.

Meetings, actions and organisations are looked up once per file, not once per row. Run it
with `use_transactions=True, rollback_on_validation_errors=True` (the admin's import mixin
in recommendations/admin.py does) so that one bad row means nothing is written.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.text import capfirst
from import_export import fields, resources

from boards.models import Action, Board, Meeting
from recommendations.models import Organisation, Recommendation
from recommendations.opendata import spreadsheet_safe
from recommendations.resources import check_columns, normalise_headers, unguard_row
from recommendations.spreadsheets import is_blank, parse_date

COLUMNS = ("board", "meeting_date", "reference", "text", "owners", "due_date", "status")


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _exported(value):
    # An empty cell is "", not None: the formula escaping that runs on export writes None as
    # the word "None" into an XLSX.
    return "" if value is None else spreadsheet_safe(value)


class ActionResource(resources.ModelResource):
    board = fields.Field(column_name="board")
    meeting_date = fields.Field(column_name="meeting_date")
    reference = fields.Field(attribute="reference", column_name="reference")
    text = fields.Field(attribute="text", column_name="text")
    owners = fields.Field(column_name="owners")
    due_date = fields.Field(column_name="due_date")
    status = fields.Field(column_name="status")

    class Meta:
        model = Action
        fields = COLUMNS
        import_id_fields = ["reference"]
        use_transactions = True

    def __init__(self, *, user=None, **kwargs):
        super().__init__()
        self.user = user

    @classmethod
    def get_display_name(cls) -> str:
        return "Board actions"

    # Export: the same columns, read back by the import.
    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("meeting__board").prefetch_related(
            Prefetch("owners", queryset=Organisation.objects.order_by("slug"))
        )

    def dehydrate_board(self, action):
        return action.meeting.board.slug

    def dehydrate_meeting_date(self, action):
        return action.meeting.date.isoformat()

    def dehydrate_reference(self, action):
        return spreadsheet_safe(action.reference)

    def dehydrate_text(self, action):
        return spreadsheet_safe(action.text)

    def dehydrate_owners(self, action):
        return "; ".join(o.slug for o in action.owners.all())

    def dehydrate_due_date(self, action):
        return action.due_date.isoformat() if action.due_date else ""

    def dehydrate_status(self, action):
        return action.get_status_display()

    # Import.
    def before_import(self, dataset, **kwargs):
        normalise_headers(dataset)
        check_columns(dataset, COLUMNS)
        self.meetings = {
            (m.board.slug, m.date): m for m in Meeting.objects.select_related("board")
        }
        self.actions = {(a.meeting_id, a.reference): a for a in Action.objects.all()}
        self.organisations = {o.slug: o for o in Organisation.objects.all()}
        self.user = kwargs.get("user") or self.user

    def _meeting(self, row) -> Meeting | None:
        try:
            date = parse_date(row.get("meeting_date"))
        except (TypeError, ValueError):
            return None
        return self.meetings.get((_text(row.get("board")), date))

    def before_import_row(self, row, **kwargs):
        unguard_row(row)

    def get_or_init_instance(self, instance_loader, row):
        meeting = self._meeting(row)
        existing = self.actions.get((meeting.pk, _text(row.get("reference")))) if meeting else None
        return (existing, False) if existing else (Action(), True)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        meeting = self._meeting(row)
        if meeting is None:
            try:
                date = parse_date(row.get("meeting_date"))
            except (TypeError, ValueError) as error:
                errors["meeting_date"] = str(error) or "no meeting date"
            else:
                errors["meeting_date"] = (
                    f"there is no meeting of board “{_text(row.get('board'))}” on {date:%d/%m/%Y}"
                )
        else:
            instance.meeting = meeting
        instance.reference = _text(row.get("reference"))
        instance.text = _text(row.get("text"))
        if not instance.reference:
            errors["reference"] = "no reference (e.g. Action 1)"
        if not instance.text:
            errors["text"] = "the action's text is empty"
        if is_blank(row.get("due_date")):
            instance.due_date = None
        else:
            try:
                instance.due_date = parse_date(row.get("due_date"))
            except ValueError as error:
                errors["due_date"] = str(error)
        status = _text(row.get("status")).casefold() or Action.Status.OPEN.value
        matches = [s for s in Action.Status if status in (s.value, s.label.casefold())]
        if matches:
            instance.status = matches[0]
        else:
            labels = ", ".join(s.label for s in Action.Status)
            errors["status"] = f"unknown status “{row.get('status')}”: use one of {labels}"
        slugs = [s.strip() for s in _text(row.get("owners")).replace(",", ";").split(";")]
        slugs = [s for s in slugs if s]
        unknown = [s for s in slugs if s not in self.organisations]
        if unknown:
            errors["owners"] = "unknown organisation " + ", ".join(f"“{s}”" for s in unknown)
        if errors:
            raise ValidationError(errors)
        instance._owners = [self.organisations[s] for s in slugs]

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not errors:
            try:
                instance.clean()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if self.user is not None:
            instance._history_user = self.user
        super().save_instance(instance, is_create, row, **kwargs)
        self.actions[(instance.meeting_id, instance.reference)] = instance

    def after_save_instance(self, instance, row, **kwargs):
        owners = getattr(instance, "_owners", None)
        if owners is not None:
            instance.owners.set(owners)


class LabelledColumns:
    """An export-only resource's columns are headed by the fields' labels ("Short name"), as
    the admin shows them; the import formats keep their machine-readable column names."""

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        field.column_name = capfirst(django_field.verbose_name)
        return field


class BoardResource(LabelledColumns, resources.ModelResource):
    """Export only: each board, its member organisations (slugs) and the recommendations it
    oversees (numbers)."""

    members = fields.Field(column_name="Members")
    oversees = fields.Field(column_name="Oversees")

    class Meta:
        model = Board
        fields = (
            "slug",
            "name",
            "short_name",
            "chair",
            "established_on",
            "purpose",
            "remit",
            "background",
            "members",
            "oversees",
        )
        export_order = fields

    def __init__(self, **kwargs):
        super().__init__()

    @classmethod
    def get_display_name(cls) -> str:
        return "Boards"

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related(None).prefetch_related(
            Prefetch("members", queryset=Organisation.objects.order_by("slug")),
            Prefetch("oversees", queryset=Recommendation.objects.order_by("number")),
        )

    def export_field(self, field, instance, **kwargs):
        return _exported(super().export_field(field, instance, **kwargs))

    def dehydrate_members(self, board):
        return "; ".join(o.slug for o in board.members.all())

    def dehydrate_oversees(self, board):
        return "; ".join(str(r.number) for r in board.oversees.all())


class MeetingResource(LabelledColumns, resources.ModelResource):
    """Export only: each meeting with its board's slug (staff only: summaries of meetings
    whose minutes are not yet published are in it)."""

    board = fields.Field(column_name="Board")

    class Meta:
        model = Meeting
        fields = (
            "board",
            "date",
            "time",
            "place",
            "chair",
            "status",
            "minutes_status",
            "summary",
            "source",
        )
        export_order = fields

    def __init__(self, **kwargs):
        super().__init__()

    @classmethod
    def get_display_name(cls) -> str:
        return "Meetings"

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("board")

    def export_field(self, field, instance, **kwargs):
        return _exported(super().export_field(field, instance, **kwargs))

    def dehydrate_board(self, meeting):
        return meeting.board.slug

    def dehydrate_status(self, meeting):
        return meeting.get_status_display()

    def dehydrate_minutes_status(self, meeting):
        return meeting.get_minutes_status_display()
