"""The secretariat's admin: a meeting is recorded on one page, with its attendance, agenda
items and actions inline; open actions are carried to the board's next meeting from the
meetings list."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext
from import_export.admin import ExportMixin, ImportExportMixin

from boards.admin_links import boards_and_meetings, overdue_actions
from boards.models import Action, AgendaItem, Attendance, Board, Meeting
from boards.resources import ActionResource, BoardResource, MeetingResource
from boards.services import carry_forward_open_actions
from recommendations.admin import (
    ChangePagePanel,
    OverdueSection,
    ReadableExportMixin,
    RecommendationLabelsMixin,
    SpreadsheetImportMixin,
    register_change_page_panel,
    register_overdue_section,
)
from recommendations.admin_history import AuditHistoryAdmin
from recommendations.admin_locking import OptimisticLockingInlineMixin, OptimisticLockingMixin


@admin.register(Board)
class BoardAdmin(
    RecommendationLabelsMixin,
    OptimisticLockingMixin,
    ReadableExportMixin,
    ExportMixin,
    AuditHistoryAdmin,
):
    resource_classes = [BoardResource]
    list_display = ["name", "short_name", "chair", "established_on", "meeting_count"]
    search_fields = ["name", "short_name", "slug"]
    # Meta.ordering does not survive the count's GROUP BY; the autocomplete pages need one.
    ordering = ["name"]
    prepopulated_fields = {"slug": ["short_name"]}
    autocomplete_fields = ["members", "oversees"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "chair", "established_on"]}),
        ("What it is for", {"fields": ["purpose", "remit", "background"]}),
        ("Members and oversight", {"fields": ["members", "oversees"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(meeting_count=Count("meetings"))

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("boards.view_board")

    @admin.display(description="Meetings", ordering="meeting_count")
    def meeting_count(self, obj: Board) -> int:
        return obj.meeting_count


def _carried_to(action: Action) -> Action | None:
    try:
        return action.carried_to if action.pk else None
    except Action.DoesNotExist:
        return None


def _action_link(action: Action | None) -> str:
    if action is None:
        return "—"
    url = reverse("admin:boards_action_change", args=[action.pk])
    return format_html(
        '<a href="{}">{}</a> ({})', url, action, action.get_status_display().lower()
    )


class CarryLinksMixin:
    """Links from an action to the one it continues and the one that continues it."""

    @admin.display(description="Carried forward from")
    def carried_from_link(self, obj: Action) -> str:
        return _action_link(obj.carried_from if obj.carried_from_id else None)

    @admin.display(description="Carried forward to")
    def carried_to_link(self, obj: Action) -> str:
        return _action_link(_carried_to(obj))


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 1
    fields = ["order", "person", "role", "organisation", "kind", "present"]
    autocomplete_fields = ["organisation"]


class AgendaItemFormSet(forms.BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        if "number" in unique_check:
            return (
                "Each agenda item needs its own number: two items on this page have the same "
                "number."
            )
        return super().get_unique_error_message(unique_check)


class AgendaItemInline(
    RecommendationLabelsMixin, OptimisticLockingInlineMixin, admin.StackedInline
):
    model = AgendaItem
    formset = AgendaItemFormSet
    extra = 1
    fields = ["number", "title", "confidential", "minutes", "recommendations"]
    autocomplete_fields = ["recommendations"]


#: The prefix Django gives the agenda items' inline on the meeting page.
ITEMS_PREFIX = "items"


class ActionInlineForm(forms.ModelForm):
    """An action names the agenda item that raised it by number, so that a new meeting, its
    items and their actions can be recorded in one go, before the items have been saved."""

    item_number = forms.IntegerField(
        label="Raised under item",
        required=False,
        min_value=1,
        help_text="The number of the agenda item on this page that raised it.",
    )

    class Meta:
        model = Action
        fields = [
            "reference",
            "text",
            "owners",
            "due_date",
            "status",
            "closed_at",
            "confidential",
            "recommendations",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.agenda_item_id:
            self.initial["item_number"] = self.instance.agenda_item.number

    def save(self, commit=True):
        # The meeting's items are saved before its actions (the inlines' order).
        number = self.cleaned_data.get("item_number")
        self.instance.agenda_item = (
            AgendaItem.objects.filter(meeting=self.instance.meeting, number=number).first()
            if number
            else None
        )
        return super().save(commit)


class ActionInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        numbers = self._item_numbers_on_page()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            number = form.cleaned_data.get("item_number")
            if number and number not in numbers:
                form.add_error(
                    "item_number", f"This meeting has no agenda item {number} on this page."
                )

    def _item_numbers_on_page(self) -> set[int]:
        """The item numbers submitted with this page (as edited, not as stored)."""
        try:
            total = int(self.data[f"{ITEMS_PREFIX}-TOTAL_FORMS"])
        except (KeyError, ValueError):
            if self.instance.pk is None:
                return set()
            return set(self.instance.items.values_list("number", flat=True))
        numbers = set()
        for index in range(total):
            if self.data.get(f"{ITEMS_PREFIX}-{index}-DELETE"):
                continue
            value = (self.data.get(f"{ITEMS_PREFIX}-{index}-number") or "").strip()
            if value.isdigit():
                numbers.add(int(value))
        return numbers


class ActionInline(
    RecommendationLabelsMixin, CarryLinksMixin, OptimisticLockingInlineMixin, admin.StackedInline
):
    model = Action
    fk_name = "meeting"
    form = ActionInlineForm
    formset = ActionInlineFormSet
    extra = 1
    fields = [
        ("reference", "item_number"),
        "text",
        ("owners", "due_date"),
        ("status", "closed_at"),
        "confidential",
        "recommendations",
        ("carried_from_link", "carried_to_link"),
    ]
    readonly_fields = ["carried_from_link", "carried_to_link"]
    autocomplete_fields = ["owners", "closed_at", "recommendations"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "agenda_item", "carried_from__meeting__board", "carried_to__meeting__board"
            )
        )


class MeetingAdminForm(forms.ModelForm):
    """Publishing minutes is a permission of its own (the secretariat's, not an officer's)."""

    user = None  # set by MeetingAdmin.get_form

    def clean_minutes_status(self):
        value = self.cleaned_data["minutes_status"]
        publishing = value == Meeting.MinutesStatus.PUBLISHED and (
            self.instance.pk is None
            or Meeting.objects.filter(pk=self.instance.pk)
            .exclude(minutes_status=Meeting.MinutesStatus.PUBLISHED)
            .exists()
        )
        if publishing and not self.user.has_perm("boards.publish_minutes"):
            raise ValidationError("You do not have permission to publish minutes.")
        return value


class StageFilter(admin.SimpleListFilter):
    """Where meetings stand by their date as well as their status; "awaiting minutes" is what
    the staff home counts."""

    title = "stage"
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return [
            ("awaiting-minutes", "Held, minutes not yet published"),
            ("scheduled", "Still to come"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "awaiting-minutes":
            return queryset.awaiting_minutes()
        if self.value() == "scheduled":
            return queryset.exclude(pk__in=queryset.held().values("pk"))
        return queryset


@admin.register(Meeting)
class MeetingAdmin(OptimisticLockingMixin, ReadableExportMixin, ExportMixin, AuditHistoryAdmin):
    form = MeetingAdminForm
    resource_classes = [MeetingResource]
    list_display = [
        "date",
        "board",
        "stage",
        "minutes_status",
        "item_count",
        "open_action_count",
    ]
    list_display_links = ["date", "board"]
    list_filter = ["board", StageFilter, "date", "status", "minutes_status"]
    date_hierarchy = "date"
    search_fields = ["board__name", "board__short_name", "place", "items__title"]
    list_select_related = ["board"]
    show_full_result_count = False  # a filtered list counts its matches only
    ordering = ["-date"]  # as for boards: the counts' GROUP BY drops Meta.ordering
    readonly_fields = ["minutes_record"]
    autocomplete_fields = ["board"]
    fieldsets = [
        (None, {"fields": ["board", ("date", "time"), "place", "chair", "status"]}),
        (
            "Minutes",
            {
                "fields": ["minutes_status", "minutes_record", "summary", "source"],
                "description": "Minutes go from draft to approved to published, one step at "
                "a time. Only published minutes are public; a confidential item or action "
                "shows its title only, never its text.",
            },
        ),
    ]
    inlines = [AttendanceInline, AgendaItemInline, ActionInline]
    actions = ["carry_forward"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                item_count=Count("items", distinct=True),
                open_action_count=Count(
                    "actions", filter=Q(actions__status=Action.Status.OPEN), distinct=True
                ),
            )
        )

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("boards.view_meeting")

    @admin.display(description="Items", ordering="item_count")
    def item_count(self, obj: Meeting) -> int:
        return obj.item_count

    @admin.display(description="Stage", ordering="date")
    def stage(self, obj: Meeting) -> str:
        return obj.effective_status.label

    @admin.display(description="Approval")
    def minutes_record(self, obj: Meeting) -> str:
        def step(label: str, user, when) -> str:
            if when is None:
                return f"Not {label}."
            moment = timezone.localtime(when).strftime("%d %B %Y at %H:%M")
            return f"{label.capitalize()} by {user or 'a user since deleted'} on {moment}."

        return " ".join(
            [
                step("approved", obj.minutes_approved_by, obj.minutes_approved_at),
                step("published", obj.minutes_published_by, obj.minutes_published_at),
            ]
        )

    @admin.display(description="Open actions", ordering="open_action_count")
    def open_action_count(self, obj: Meeting) -> int:
        return obj.open_action_count

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        stored = Meeting.objects.filter(pk=obj.pk).values_list("minutes_status", flat=True)
        obj.record_minutes_step(previous=stored.first() if change else None, user=request.user)
        super().save_model(request, obj, form, change)
        if change and obj.is_public_record:
            self.message_user(
                request,
                f"The minutes of {obj} are published: this change is public and is kept in "
                "the meeting's history.",
                messages.WARNING,
            )

    @admin.action(
        description="Carry forward open actions to the board's next meeting",
        permissions=["change"],
    )
    def carry_forward(self, request, queryset):
        # Latest first: each selected meeting's own open actions move exactly one meeting on,
        # even when a meeting and the one after it are both selected.
        for meeting in queryset.select_related("board").order_by("-date"):
            try:
                carried = carry_forward_open_actions(meeting=meeting, user=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                continue
            if not carried:
                self.message_user(
                    request, f"{meeting} has no open actions to carry forward.", messages.WARNING
                )
                continue
            count = len(carried)
            self.message_user(
                request,
                ngettext(
                    "Carried %(count)d open action from %(meeting)s to %(next)s.",
                    "Carried %(count)d open actions from %(meeting)s to %(next)s.",
                    count,
                )
                % {"count": count, "meeting": meeting, "next": carried[0].meeting},
                messages.SUCCESS,
            )


class MeetingPartLockingMixin(OptimisticLockingMixin):
    def lock_first(self, form) -> None:
        # The meeting page locks its meeting before its items and actions; so does this one.
        moved_to = form.cleaned_data.get("meeting")
        meetings = {form.instance.meeting_id, moved_to.pk if moved_to else None} - {None}
        Meeting.objects.filter(pk__in=meetings).lock()


@admin.register(AgendaItem)
class AgendaItemAdmin(RecommendationLabelsMixin, MeetingPartLockingMixin, AuditHistoryAdmin):
    list_display = ["__str__", "meeting", "confidential"]
    list_filter = ["meeting__board", "confidential"]
    search_fields = ["title", "meeting__board__name", "meeting__board__short_name"]
    list_select_related = ["meeting__board"]
    autocomplete_fields = ["meeting", "recommendations"]


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Open and past its due date")]

    def queryset(self, request, queryset):
        return queryset.overdue() if self.value() == "overdue" else queryset


@admin.register(Action)
class ActionAdmin(
    RecommendationLabelsMixin,
    CarryLinksMixin,
    MeetingPartLockingMixin,
    SpreadsheetImportMixin,
    ImportExportMixin,
    AuditHistoryAdmin,
):
    resource_classes = [ActionResource]
    list_display = ["reference", "meeting", "status", "due_date", "owner_list", "confidential"]
    list_filter = ["status", DueFilter, "meeting__board", "confidential", "due_date"]
    search_fields = ["reference", "text", "meeting__board__name", "meeting__board__short_name"]
    list_select_related = ["meeting__board"]
    show_full_result_count = False  # a filtered list counts its matches only
    autocomplete_fields = ["meeting", "agenda_item", "owners", "closed_at", "recommendations"]
    readonly_fields = ["carried_from_link", "carried_to_link"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("owners")

    def get_export_queryset(self, request):
        # The export prefetches the owners in its own order (ActionResource.filter_export);
        # Django refuses the same lookup prefetched twice with different querysets.
        return super().get_export_queryset(request).prefetch_related(None)

    def has_import_permission(self, request) -> bool:
        return request.user.has_perms(["boards.add_action", "boards.change_action"])

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("boards.view_action")

    @admin.display(description="Owners")
    def owner_list(self, obj: Action) -> str:
        return ", ".join(str(owner) for owner in obj.owners.all())


# The boards' part of the recommendations' admin, which cannot import boards (see admin_links).
register_change_page_panel(ChangePagePanel(title="Boards and meetings", field=boards_and_meetings))
register_overdue_section(
    OverdueSection(
        permission="boards.view_action",
        template_name="admin/boards/overdue_actions.html",
        rows=overdue_actions,
    )
)
