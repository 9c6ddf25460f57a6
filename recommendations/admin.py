"""The staff side: recommendations, their owners and updates, imports and exports.

How a status changes here: never by editing it. An officer adds a progress update (on the
recommendation's page, or for several at once with the "Record a status update" action);
once published, the one rule in models.py moves the status. Updates are never deleted:
they are withdrawn, with a reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db import IntegrityError, models, transaction
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import BINARY_FORMATS, CSV
from import_export.signals import post_export

from recommendations import (
    admin_exports,  # noqa: F401  (registers Your exports)
    chase,
    exports,
    imports,
    services,
    streaming,
)
from recommendations.admin_history import AuditHistoryAdmin
from recommendations.admin_locking import OptimisticLockingMixin
from recommendations.forms import (
    PositionExportForm,
    ProgressUpdateAdminForm,
    RecommendationAdminForm,
    SpreadsheetImportForm,
    StatusUpdateForm,
    UpdateConfirmImportForm,
    UpdateImportForm,
    WithdrawForm,
)
from recommendations.history import status_transitions, withdrawals
from recommendations.import_preview import accepted_rows, status_changes
from recommendations.labels import label
from recommendations.models import (
    ImportRecord,
    Organisation,
    Ownership,
    ProgressUpdate,
    Recommendation,
    RecommendationLink,
    Review,
    ReviewSection,
    Status,
    TargetDateChange,
)
from recommendations.paging import paginate
from recommendations.resources import (
    OrganisationResource,
    PositionResource,
    ProgressUpdateResource,
    RecommendationResource,
)
from recommendations.spreadsheets import IMPORT_FORMATS
from recommendations.workbooks import ReadableXLSX, write_readable_workbook


def _can(request: HttpRequest, codename: str) -> bool:
    return request.user.has_perm(f"recommendations.{codename}")


def who_may_publish() -> str:
    """The roles whose members may publish an update, for those who may not: "MOPAC officer
    or Report author"."""
    roles = list(
        Group.objects.filter(
            permissions__codename="publish_update",
            permissions__content_type__app_label="recommendations",
        )
        .order_by("name")
        .values_list("name", flat=True)
    )
    if not roles:
        return "an administrator"
    return "someone in the role " + " or ".join(f"“{role}”" for role in roles)


def draft_message(request: HttpRequest, recommendations: list[Recommendation]) -> str:
    """What to say when updates were saved as drafts: nothing public changed."""
    if len(recommendations) == 1:
        recommendation = recommendations[0]
        message = (
            f"Saved as a draft: the public status of {recommendation} is still "
            f"{recommendation.get_status_display()}."
        )
    else:
        message = (
            f"Saved {len(recommendations)} drafts: no public status has changed and none of "
            "them is public yet."
        )
    if _can(request, "publish_update"):
        return message + " Publish it under “Drafts awaiting publication” on its page."
    return message + f" You may not publish; {who_may_publish()} may."


class RecommendationLabelsMixin:
    """Pickers of recommendations name each by number and words, as the autocomplete does."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if getattr(db_field, "related_model", None) is Recommendation and formfield is not None:
            formfield.label_from_instance = label
        return formfield


@admin.display(description="Recommendation", ordering="recommendation__number")
def recommendation_label(obj) -> str:
    return label(obj.recommendation)


class ReadableExportMixin:
    """Exports as CSV or as a workbook a reader can use as it opens (see workbooks.py), its
    sheet named after what it lists."""

    export_formats = [CSV, ReadableXLSX]

    def get_data_for_export(self, request, queryset, **kwargs):
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        if not dataset.title:
            dataset.title = str(self.opts.verbose_name_plural).capitalize()
        return dataset

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        """A CSV is sent as its rows come (see streaming.py), not once it is whole in memory;
        a workbook is built by a background task (see exports.py), never in the request.

        Overrides django-import-export's method of the same name, which builds the whole
        file before answering: 2.2 s before the first byte of the position at 80 times the
        real data, 6–9 s for its workbook. The rows and the CSV bytes are those its
        `get_export_data` makes.
        """
        if not self.has_export_permission(request):
            raise PermissionDenied
        if file_format.is_binary():
            return self._queue_workbook(file_format, request, queryset, export_form)
        _resource, headers, rows = self._export_rows(file_format, request, queryset, export_form)
        filename = self.get_export_filename(request, queryset, file_format)
        post_export.send(sender=None, model=self.model)
        body = streaming.tablib_csv_chunks(file_format, headers, rows, self.to_encoding or "utf-8")
        return streaming.csv_response(
            body, filename=filename, content_type=file_format.get_content_type()
        )

    def _export_rows(self, file_format, request, queryset, export_form):
        """The resource, the header line and the rows (lazily) of the export asked for."""
        kwargs = {
            "force_native_type": type(file_format) in BINARY_FORMATS,
            "encoding": self.to_encoding,
            "export_form": export_form,
        }
        resource_class = self.choose_export_resource_class(export_form, request)
        resource = resource_class(**self.get_export_resource_kwargs(request, **kwargs))
        selected = self.get_export_resource_fields_from_form(export_form)
        headers = resource.get_export_headers(selected_fields=selected)
        return resource, headers, streaming.resource_rows(resource, queryset, selected, **kwargs)

    def _sheet_title(self, resource) -> str:
        return (
            getattr(resource, "sheet_title", lambda: "")()
            or str(self.opts.verbose_name_plural).capitalize()
        )

    def _queue_workbook(self, file_format, request, queryset, export_form) -> HttpResponse:
        """Record the export (the changelist's filters, the form's choices) for the task that
        builds it, and send the user back to the list with word of where it will be."""
        resource, _headers, _rows = self._export_rows(file_format, request, queryset, export_form)
        form = request.POST.copy()
        form.pop("csrfmiddlewaretoken", None)
        export = exports.queue_export(
            user=request.user,
            kind="admin",
            name=self._sheet_title(resource),
            filename=self.get_export_filename(request, queryset, file_format),
            filters=request.GET.urlencode(),
            params={"model": self.opts.label, "form": form.urlencode()},
        )
        exports.tell_queued(request, export)
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return HttpResponseRedirect(f"{url}?{export.filters}" if export.filters else url)

    def write_prepared_export(self, request: HttpRequest, out: IO[bytes]) -> None:
        """On the task worker: the workbook `_queue_workbook` recorded, written to `out`.

        `request` is the user's, with the changelist's filters (GET) and the export form
        (POST) as asked: the form, the filters and the permission are checked again, as
        django-import-export's `export_action` checks them.
        """
        if not self.has_export_permission(request):
            raise exports.ExportRefused(
                f"You may no longer export {self.opts.verbose_name_plural}, so nothing was "
                "exported."
            )
        formats = self.get_export_formats()
        resources = self.get_export_resource_classes(request)
        form = self.get_export_form_class()(formats, resources, data=request.POST)
        if not form.is_valid():
            problems = [str(error) for errors in form.errors.values() for error in errors]
            raise exports.ExportRefused("The export could not be made: " + " ".join(problems))
        queryset = self.get_export_queryset(request)
        if "export_items" in request.POST:
            queryset = queryset.filter(pk__in=request.POST.getlist("export_items"))
        file_format = formats[int(form.cleaned_data["format"])]()
        resource, headers, rows = self._export_rows(file_format, request, queryset, form)
        write_readable_workbook(out, headers=headers, rows=rows, title=self._sheet_title(resource))
        post_export.send(sender=None, model=self.model)


class SpreadsheetImportMixin(ReadableExportMixin):
    """What every spreadsheet import of ours shares: CSV/XLSX read as Excel writes them,
    a size limit, all or nothing, and the report of problems by line."""

    import_formats = IMPORT_FORMATS
    import_form_class = SpreadsheetImportForm
    import_template_name = "admin/recommendations/import.html"
    # Spreadsheets open a CSV as UTF-8 only when it starts with a byte-order mark.
    to_encoding = "utf-8-sig"
    skip_admin_log = True

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        return {**kwargs, "use_transactions": True, "rollback_on_validation_errors": True}

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context and context.get("result") is not None:
            context["import_report"] = imports.ImportReport.from_result(context["result"])
        if context is not None:
            context["max_upload_mb"] = settings.IMPORT_MAX_UPLOAD_BYTES / 1_048_576
        return response

    def process_dataset(self, dataset, form, request, **kwargs):
        kwargs.pop("file_name", None)
        resource = self.choose_import_resource_class(form, request)(
            **self.get_import_resource_kwargs(request, form=form)
        )
        return resource.import_data(
            dataset,
            dry_run=False,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=request.user,
        )

    def process_import(self, request, **kwargs):
        """The confirmation writes the rows once, whatever the timing: a record keyed by the
        preview's file is written in the same transaction as the rows (see ImportRecord)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            return super().process_import(request, **kwargs)
        cleaned = confirm_form.cleaned_data
        key = f"{self.opts.label_lower}:{cleaned['import_file_name']}"[:255]
        with transaction.atomic():
            try:
                # A second confirmation waits here, at the unique key, for the first to end.
                with transaction.atomic():
                    ImportRecord.objects.create(
                        key=key,
                        file_name=(cleaned.get("original_file_name") or "")[:255],
                        imported_by=request.user,
                    )
            except IntegrityError:
                return self._already_imported(request, key)
            try:
                return super().process_import(request, **kwargs)
            except FileNotFoundError:
                # The preview's copy is gone (a confirmation that failed took it, or it
                # expired): nothing to import, and no record that anything was.
                transaction.set_rollback(True)
                messages.error(
                    request,
                    "This import is no longer waiting for confirmation, and nothing was "
                    "imported: upload the file again.",
                )
                return HttpResponseRedirect(self._changelist_url())

    def _already_imported(self, request: HttpRequest, key: str) -> HttpResponse:
        record = ImportRecord.objects.select_related("imported_by").filter(key=key).first()
        who = f" by {record.imported_by}" if record and record.imported_by else ""
        when = f" at {timezone.localtime(record.imported_at):%H:%M on %d %B %Y}" if record else ""
        messages.warning(
            request,
            f"This file was already imported{who}{when}: nothing was imported again.",
        )
        return HttpResponseRedirect(self._changelist_url())

    def _changelist_url(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def process_result(self, result, request):
        report = imports.ImportReport.from_result(result)
        url = self._changelist_url()
        if not report.ok:
            if transaction.get_connection().in_atomic_block:
                # Nothing was written: neither is the record that it was (process_import).
                transaction.set_rollback(True)
            # The data changed between the preview and the confirmation: nothing written.
            messages.error(request, report.summary())
            for problem in report.problems[:20]:
                messages.error(request, str(problem))
            return HttpResponseRedirect(url)
        messages.success(request, "Import finished: " + report.summary())
        return HttpResponseRedirect(url)


class OwnershipInline(admin.TabularInline):
    model = Ownership
    extra = 0
    autocomplete_fields = ["organisation"]


class LinkFromInline(RecommendationLabelsMixin, admin.TabularInline):
    """This recommendation's links to others: related, takes up, supersedes."""

    model = RecommendationLink
    fk_name = "from_recommendation"
    fields = ["kind", "to_recommendation"]
    autocomplete_fields = ["to_recommendation"]
    extra = 0
    verbose_name = "link to another recommendation"
    verbose_name_plural = "Links to other recommendations"


class LinkToInline(LinkFromInline):
    """Others' links to this one, read from this end ("taken up by", "superseded by"): a
    related link is one row, which either end may show."""

    fk_name = "to_recommendation"
    fields = ["from_recommendation", "kind"]
    autocomplete_fields = ["from_recommendation"]
    verbose_name = "link from another recommendation"
    verbose_name_plural = "Links from other recommendations"


class PublishedByDefaultForm(forms.ModelForm):
    """A new update is published unless its author unticks it (for those who may publish):
    a forgotten tick must not leave the public status quietly unchanged."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        given = kwargs.get("initial") or {}
        if self.instance.pk is None and "published" in self.fields and "published" not in given:
            self.initial["published"] = True


class ProgressUpdateInline(admin.StackedInline):
    """Existing updates are shown as they are; new ones can be added, never deleted here."""

    model = ProgressUpdate
    form = PublishedByDefaultForm
    extra = 1
    can_delete = False
    readonly_fields = ["state", "entered_by"]
    ordering = ["-date", "-pk"]
    show_change_link = True

    def get_fields(self, request, obj=None):
        fields = ["date", "status", "text", "source"]
        if _can(request, "publish_update"):
            fields.append("published")
        return [*fields, "state", "entered_by"]

    def has_change_permission(self, request, obj=None):
        # Existing updates are read-only here: correct one by withdrawing it.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OverdueFilter(admin.SimpleListFilter):
    title = "expected completion"
    parameter_name = "target"

    def lookups(self, request, model_admin):
        return [("overdue", "Past its expected date"), ("set", "Has a date"), ("none", "No date")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.past_target_date()
        if self.value() == "set":
            return queryset.filter(target_date__isnull=False)
        if self.value() == "none":
            return queryset.filter(target_date__isnull=True)
        return queryset


# Other apps add their part of the recommendation's admin pages here, from their own admin
# modules (boards/admin.py does), so that this app never imports them.


@dataclass(frozen=True)
class ChangePagePanel:
    """A fieldset on the recommendation's change page, above its history. `field` draws it: a
    function of the recommendation, with @admin.display(description=…) for its label."""

    title: str
    field: Callable[[Recommendation], str]


@dataclass(frozen=True)
class OverdueSection:
    """A table on the Overdue page, for users with `permission`: `template_name` is included
    with `rows`, what `rows(today)` returns."""

    permission: str
    template_name: str
    rows: Callable[[datetime.date], Iterable[Any]]


CHANGE_PAGE_PANELS: list[ChangePagePanel] = []
OVERDUE_SECTIONS: list[OverdueSection] = []
#: Rows of each table on the Overdue page at once; owners (with their recommendations) per
#: page, and how many of each owner's recommendations are named (the chase list has all).
OVERDUE_PER_PAGE = 25
OWNERS_PER_PAGE = 20
OWNED_SHOWN = 10


def register_change_page_panel(panel: ChangePagePanel) -> None:
    if panel not in CHANGE_PAGE_PANELS:
        CHANGE_PAGE_PANELS.append(panel)


def register_overdue_section(section: OverdueSection) -> None:
    if section not in OVERDUE_SECTIONS:
        OVERDUE_SECTIONS.append(section)


def _withdrawals_table(updates: list[ProgressUpdate]) -> str:
    """Withdrawn updates beside the status history: who took each off the record, and why."""
    if not updates:
        return ""
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{} (update of {})</td><td>{}</td><td>{}</td></tr>",
        (
            (
                timezone.localtime(u.withdrawn_at).strftime("%d %b %Y %H:%M"),
                u.get_status_display(),
                u.date.strftime("%d %b %Y"),
                u.withdrawn_by or "unknown",
                u.withdrawal_reason,
            )
            for u in updates
        ),
    )
    return format_html(
        "<table><caption>Withdrawn updates</caption><thead><tr><th>When</th><th>Update</th>"
        "<th>By</th><th>Why</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


@admin.register(Recommendation)
class RecommendationAdmin(
    RecommendationLabelsMixin,
    OptimisticLockingMixin,
    SpreadsheetImportMixin,
    ImportExportMixin,
    AuditHistoryAdmin,
):
    form = RecommendationAdminForm
    list_display = [
        "number",
        "short_text",
        "section",
        "status",
        "last_updated",
        "target_date",
        "lead",
        "on_site",
    ]
    list_display_links = ["number", "short_text"]
    list_filter = ["review", "status", "section", OverdueFilter, "owners", "overseeing_boards"]
    search_fields = ["=number", "text", "updates__text", "owners__name", "owners__acronym"]
    readonly_fields = [
        "status",
        "last_updated",
        "status_history",
        "target_date_history",
    ]
    fieldsets = [
        (None, {"fields": ["review", "number", "section", "text", "made_on"]}),
        (
            "Response",
            {
                "fields": ["response", "response_date", "response_text"],
                "description": "How the recommendation was answered, where a response is "
                "recorded: separate from its status. Leave it empty when the sources give "
                "none: the public page then says “not recorded”.",
            },
        ),
        (
            "Current position",
            {
                "fields": ["status", "last_updated"],
                "description": "The status follows the latest published progress update: "
                "to change it, add an update below (or use the “Record a status update” "
                "action on the list).",
            },
        ),
        ("Expected completion", {"fields": ["target_date", "target_date_reason"]}),
        ("History", {"fields": ["status_history", "target_date_history"]}),
    ]
    inlines = [OwnershipInline, LinkFromInline, LinkToInline, ProgressUpdateInline]
    list_per_page = 50
    show_full_result_count = False
    actions = ["record_status_update"]
    object_history_template = "admin/recommendations/recommendation/object_history.html"
    export_form_class = PositionExportForm

    # Imports and exports: the round trip imports; the export offers the year's position too.
    def get_import_resource_classes(self, request):
        return [RecommendationResource]

    def get_export_resource_classes(self, request):
        return [PositionResource, RecommendationResource]

    def get_export_resource_kwargs(self, request, **kwargs):
        cleaned = getattr(kwargs.get("export_form"), "cleaned_data", {})
        as_at = cleaned.get("position_as_at")
        if as_at:
            # The file's name says which date the position is at (see get_export_filename).
            request.position_as_at = as_at
        return {"as_at": as_at} if as_at else {}

    def get_export_filename(self, request, queryset, file_format):
        as_at = getattr(request, "position_as_at", None) or timezone.localdate()
        return f"harris-review-position-{as_at.isoformat()}.{file_format.get_extension()}"

    def has_import_permission(self, request):
        return _can(request, "import_recommendations") and _can(request, "change_recommendation")

    def has_export_permission(self, request):
        return _can(request, "export_position")

    def get_queryset(self, request):
        return super().get_queryset(request).with_owners()

    # The Review's own words (see Recommendation.REVIEW_WORDS): the import keeps the same
    # rule in RecommendationResource. Nobody else may add or take one away either.
    def has_add_permission(self, request):
        return Recommendation.may_correct_review_words(request.user)

    def has_delete_permission(self, request, obj=None):
        return Recommendation.may_correct_review_words(request.user)

    def get_changeform_initial_data(self, request):
        # A new recommendation is the default review's unless the superuser picks another.
        initial = super().get_changeform_initial_data(request)
        return {"review": Review.objects.default().pk, **initial}

    # The panels other apps registered (see ChangePagePanel).
    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        history = next(i for i, (title, _) in enumerate(fieldsets) if title == "History")
        fieldsets[history:history] = [
            (panel.title, {"fields": [panel.field]}) for panel in CHANGE_PAGE_PANELS
        ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        panels = [panel.field for panel in CHANGE_PAGE_PANELS]
        may_correct = Recommendation.may_correct_review_words(request.user)
        words = [] if may_correct else ["review", *Recommendation.REVIEW_WORDS]
        # A recommendation stays in the review it was made in: its number is that review's.
        if obj is not None and "review" not in words:
            words.append("review")
        return [*super().get_readonly_fields(request, obj), *words, *panels]

    def autocomplete_label(self, obj: Recommendation) -> str:
        return label(obj)

    @admin.display(description="Recommendation")
    def short_text(self, obj: Recommendation) -> str:
        return obj.text if len(obj.text) <= 90 else obj.text[:87].rstrip() + "…"

    @admin.display(description="Lead owner")
    def lead(self, obj: Recommendation) -> str:
        return str(obj.lead_owner or "")

    @admin.display(description="Public page")
    def on_site(self, obj: Recommendation) -> str:
        # The public page exists once the site defines get_absolute_url.
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
        return format_html('<a href="{}">View on site</a>', url) if url else ""

    @admin.display(description="Status history")
    def status_history(self, obj: Recommendation) -> str:
        transitions = status_transitions(obj) if obj.pk else []
        withdrawn = withdrawals(obj) if obj.pk else []
        if not transitions:
            return format_html(
                "{}{}",
                "Ongoing since it was made; no published update has changed it.",
                _withdrawals_table(withdrawn),
            )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{} → {}</td><td>{}</td><td>{} (update of {})</td></tr>",
            (
                (
                    timezone.localtime(t.changed_at).strftime("%d %b %Y %H:%M"),
                    t.old_label,
                    t.new_label,
                    t.changed_by or "unknown",
                    t.why,
                    t.update_date.strftime("%d %b %Y"),
                )
                for t in reversed(transitions)
            ),
        )
        return format_html(
            "<table><thead><tr><th>When</th><th>Status</th><th>By</th><th>Why</th></tr>"
            "</thead><tbody>{}</tbody></table>{}",
            rows,
            _withdrawals_table(withdrawn),
        )

    @admin.display(description="Expected date changes")
    def target_date_history(self, obj: Recommendation) -> str:
        changes = list(obj.target_date_changes.select_related("changed_by")) if obj.pk else []
        if not changes:
            return "No expected completion date has been set."

        def day(date: datetime.date | None) -> str:
            return date.strftime("%d %b %Y") if date else "none"

        return format_html(
            "<table><thead><tr><th>When</th><th>Date</th><th>By</th><th>Reason</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        timezone.localtime(c.changed_at).strftime("%d %b %Y %H:%M"),
                        day(c.old_date),
                        day(c.new_date),
                        c.changed_by or "unknown",
                        c.reason,
                    )
                    for c in changes
                ),
            ),
        )

    def history_view(self, request, object_id, extra_context=None):
        recommendation = self.get_object(request, object_id)
        extra = (
            {"status_transitions": status_transitions(recommendation)} if recommendation else {}
        )
        return super().history_view(request, object_id, {**(extra_context or {}), **extra})

    def save_model(self, request, obj, form, change):
        if change and "target_date" in form.changed_data:
            new_date = obj.target_date
            # The form has checked the reason and the date; the service keeps the change.
            services.set_target_date(
                recommendation=obj,
                target_date=new_date,
                reason=form.cleaned_data.get("target_date_reason", ""),
                user=request.user,
            )
            return
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProgressUpdate:
            return super().save_formset(request, form, formset, change)
        can_publish = _can(request, "publish_update")
        drafts = 0
        for update in formset.save(commit=False):
            recorded = services.record_update(
                recommendation=form.instance,
                date=update.date,
                text=update.text,
                status=update.status,
                source=update.source,
                published=update.published and can_publish,
                entered_by=request.user,
            )
            drafts += not recorded.published
        if drafts:
            form.instance.refresh_from_db(fields=["status"])
            self.message_user(
                request, draft_message(request, [form.instance] * drafts), messages.WARNING
            )

    # The bulk action: one update per selected recommendation, all or nothing.
    @admin.action(description="Record a status update", permissions=["record_update"])
    def record_status_update(self, request, queryset):
        can_publish = _can(request, "publish_update")
        form = StatusUpdateForm(
            request.POST if "apply" in request.POST else None,
            can_publish=can_publish,
            who_may_publish="" if can_publish else who_may_publish(),
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                updates = services.record_status_updates(
                    recommendations=queryset.order_by("number"),
                    date=data["date"],
                    text=data["text"],
                    status=data["status"],
                    source=data["source"],
                    published=data["publication"] == "publish" and can_publish,
                    entered_by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, " ".join(error.messages) + " Nothing was recorded.")
            else:
                self._report_status_updates(request, updates, data)
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Record a status update",
            "opts": self.opts,
            "form": form,
            "queryset": queryset.order_by("number"),
            "action": "record_status_update",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/recommendations/recommendation/record_status_update.html", context
        )

    def _report_status_updates(self, request, updates: list[ProgressUpdate], data) -> None:
        if updates and not updates[0].published:
            recommendations = [update.recommendation for update in updates]
            self.message_user(request, draft_message(request, recommendations), messages.WARNING)
            return
        count = len(updates)
        self.message_user(
            request,
            ngettext(
                "Published %(count)d update: %(status)s on %(date)s.",
                "Published %(count)d updates: %(status)s on %(date)s.",
                count,
            )
            % {
                "count": count,
                "status": Status(data["status"]).label,
                "date": f"{data['date']:%d %B %Y}",
            },
            messages.SUCCESS,
        )

    def has_record_update_permission(self, request):
        return _can(request, "add_progressupdate")

    # The drafts on the change page, each published with one click.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        drafts = (
            ProgressUpdate.objects.drafts()
            .filter(recommendation_id=object_id)
            .select_related("entered_by")
            .order_by("-date", "-pk")
            if object_id.isdigit()
            else []
        )
        extra = {
            "drafts": drafts,
            "can_publish": _can(request, "publish_update"),
            "who_may_publish": "" if _can(request, "publish_update") else who_may_publish(),
        }
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), **extra}
        )

    def publish_draft_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not _can(request, "publish_update"):
            raise PermissionDenied
        update_id = request.POST.get("update", "")
        if not update_id.isdigit():
            raise Http404("No such draft.")
        update = get_object_or_404(
            ProgressUpdate.objects.drafts().select_related("recommendation"),
            pk=update_id,
            recommendation_id=object_id,
        )
        try:
            services.publish_update(update=update, user=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            recommendation = update.recommendation
            recommendation.refresh_from_db(fields=["status"])
            self.message_user(
                request,
                f"Published the update of {update.date:%d %B %Y}: {recommendation} is now "
                f"{recommendation.get_status_display()} in public.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse("admin:recommendations_recommendation_change", args=[object_id])
        )

    # The Overdue page.
    def get_urls(self):
        return [
            path(
                "overdue/",
                self.admin_site.admin_view(self.overdue_view),
                name="recommendations_overdue",
            ),
            path(
                "<path:object_id>/publish-draft/",
                self.admin_site.admin_view(self.publish_draft_view),
                name="recommendations_recommendation_publish_draft",
            ),
            *super().get_urls(),
        ]

    def overdue_view(self, request: HttpRequest) -> HttpResponseBase:
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        interval = settings.REPORTING_INTERVAL_DAYS
        cutoff = today - datetime.timedelta(days=interval)
        if request.GET.get("download") == "csv":
            return self._chase_list_csv(today=today, cutoff=cutoff)
        if request.method == "POST" and request.POST.get("download") == "xlsx":
            return self._queue_chase_list(request, today=today, cutoff=cutoff)
        past_target = (
            Recommendation.objects.past_target_date(today)
            .with_owners()
            .order_by("target_date", "number")
        )
        # Each owner names its first few recommendations by number (at scale an owner has
        # hundreds): only those are read, and not their texts.
        stale = Recommendation.objects.without_update_since(cutoff).only("pk", "number")
        owners = stale.by_owner(first=OWNED_SHOWN)
        sections = [
            {
                "template_name": section.template_name,
                "rows": paginate(
                    request, section.rows(today), param=f"{key}-page", per_page=OVERDUE_PER_PAGE
                ),
            }
            for key, section in enumerate(OVERDUE_SECTIONS)
            if request.user.has_perm(section.permission)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Overdue",
            "opts": self.opts,
            "today": today,
            "interval": interval,
            "cutoff": cutoff,
            "past_target": paginate(
                request, past_target, param="late-page", per_page=OVERDUE_PER_PAGE
            ),
            "owners": _owners_to_chase(request, owners),
            "sections": sections,
        }
        return TemplateResponse(request, "admin/recommendations/overdue.html", context)

    @staticmethod
    def _chase_list_csv(*, today: datetime.date, cutoff: datetime.date) -> HttpResponseBase:
        """The chase list as CSV, streamed as its rows come."""
        rows = chase.chase_rows(today=today, cutoff=cutoff)
        return streaming.csv_response(
            chase.csv_chunks(rows),
            filename=f"harris-review-chase-list-{today.isoformat()}.csv",
            content_type="text/csv; charset=utf-8",
        )

    @staticmethod
    def _queue_chase_list(
        request: HttpRequest, *, today: datetime.date, cutoff: datetime.date
    ) -> HttpResponse:
        """The chase list as a workbook: built by a background task (see exports.py)."""
        export = exports.queue_export(
            user=request.user,
            kind="chase-list",
            name=f"Chase list {today:%d %b %Y}",
            filename=f"harris-review-chase-list-{today.isoformat()}.xlsx",
            params={"today": today.isoformat(), "cutoff": cutoff.isoformat()},
        )
        exports.tell_queued(request, export)
        return HttpResponseRedirect(reverse("admin:recommendations_overdue"))


def _owners_to_chase(request: HttpRequest, owners) -> Page:
    """A page of the owners to chase (`by_owner(first=OWNED_SHOWN)`), each with how many
    more recommendations it owns than it names (`owned_more`): hundreds at scale."""
    page = paginate(request, owners, param="owners-page", per_page=OWNERS_PER_PAGE)
    for owner in page:
        owner.owned_more = owner.owned_count - len(owner.owned)
    return page


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("published", "Published"), ("draft", "Draft"), ("withdrawn", "Withdrawn")]

    def queryset(self, request, queryset):
        return {
            "published": queryset.published,
            "draft": queryset.drafts,
            "withdrawn": queryset.withdrawn,
        }.get(self.value(), queryset.all)()


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(
    RecommendationLabelsMixin,
    OptimisticLockingMixin,
    SpreadsheetImportMixin,
    ImportExportMixin,
    AuditHistoryAdmin,
):
    form = ProgressUpdateAdminForm
    list_display = [recommendation_label, "date", "status", "state", "source", "entered_by"]
    list_filter = [StateFilter, "status", "date", "recommendation__section"]
    search_fields = ["=recommendation__number", "text", "source"]
    date_hierarchy = "date"
    autocomplete_fields = ["recommendation"]
    list_select_related = ["recommendation", "entered_by"]
    # A filtered list counts its matches only, not all 100,000 updates again (at 80x).
    show_full_result_count = False
    actions = ["publish_selected", "withdraw_selected"]
    resource_classes = [ProgressUpdateResource]
    import_form_class = UpdateImportForm
    confirm_form_class = UpdateConfirmImportForm

    def get_fields(self, request, obj=None):
        fields = ["recommendation", "date", "status", "text", "source"]
        if obj is None and _can(request, "publish_update"):
            fields.append("published")
        if obj is not None:
            fields += ["state", "entered_by", "created_at", "modified_at"]
            if obj.is_withdrawn:
                fields += ["withdrawn_at", "withdrawn_by", "withdrawal_reason"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.published or obj.is_withdrawn:
            # What the public has seen is not edited: it is withdrawn and replaced.
            return self.get_fields(request, obj)
        return ["state", "entered_by", "created_at", "modified_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if _can(request, "publish_update"):
            initial.setdefault("published", True)
        return initial

    def add_view(self, request, form_url="", extra_context=None):
        if not _can(request, "publish_update"):
            note = f"This update will be a draft: you may not publish; {who_may_publish()} may."
            extra_context = {**(extra_context or {}), "subtitle": note}
        return super().add_view(request, form_url, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        if not obj.published:
            obj.recommendation.refresh_from_db(fields=["status"])
            self.message_user(
                request, draft_message(request, [obj.recommendation]), messages.WARNING
            )
        return super().response_add(request, obj, post_url_continue)

    def has_publish_permission(self, request):
        return _can(request, "publish_update")

    def has_withdraw_permission(self, request):
        return _can(request, "withdraw_update")

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.record_update(
                recommendation=obj.recommendation,
                date=obj.date,
                text=obj.text,
                status=obj.status,
                source=obj.source,
                published=obj.published and _can(request, "publish_update"),
                entered_by=request.user,
            )
            obj.pk, obj.published = created.pk, created.published
            return
        # Only what the officer changed is written: a publication or withdrawal that another
        # officer made meanwhile is never written back over (the form refuses a non-draft).
        editable = {"recommendation", "date", "status", "text", "source"}
        obj.save(
            update_fields=[*editable.intersection(form.changed_data), "version", "modified_at"]
        )

    @admin.action(description="Publish selected updates", permissions=["publish"])
    def publish_selected(self, request, queryset):
        published = skipped = 0
        for update in queryset.select_related("recommendation"):
            if update.is_withdrawn:
                skipped += 1
            elif services.publish_update(update=update, user=request.user):
                published += 1
        self.message_user(
            request,
            ngettext("Published %d update.", "Published %d updates.", published) % published,
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d withdrawn update was left as it is: record a new update instead.",
                    "%d withdrawn updates were left as they are: record new updates instead.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    @admin.action(description="Withdraw selected updates", permissions=["withdraw"])
    def withdraw_selected(self, request, queryset):
        queryset = queryset.filter(withdrawn_at__isnull=True).select_related("recommendation")
        form = WithdrawForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            with transaction.atomic():
                # Every recommendation concerned, in the one order all writers lock them in.
                Recommendation.objects.filter(pk__in=queryset.values("recommendation_id")).lock()
                for update in queryset:
                    services.withdraw_update(
                        update=update, reason=form.cleaned_data["reason"], user=request.user
                    )
            count = len(queryset)
            self.message_user(
                request,
                ngettext("Withdrew %d update.", "Withdrew %d updates.", count) % count,
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Withdraw progress updates",
            "opts": self.opts,
            "form": form,
            "queryset": queryset,
            "action": "withdraw_selected",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/recommendations/progressupdate/withdraw.html", context
        )

    # The import: whether the batch is published is chosen on the form.
    def has_import_permission(self, request):
        return _can(request, "import_updates") and _can(request, "add_progressupdate")

    def has_export_permission(self, request):
        return _can(request, "export_position")

    def get_export_resource_kwargs(self, request, **kwargs):
        return {}

    def get_export_filename(self, request, queryset, file_format):
        stamp = timezone.localdate().isoformat()
        return f"harris-review-progress-updates-{stamp}.{file_format.get_extension()}"

    def get_import_form_kwargs(self, request):
        return {
            **super().get_import_form_kwargs(request),
            "can_publish": self._can_publish(request),
            "who_may_publish": "" if self._can_publish(request) else who_may_publish(),
        }

    def get_confirm_form_kwargs(self, request, import_form=None):
        kwargs = super().get_confirm_form_kwargs(request, import_form)
        return {**kwargs, "can_publish": self._can_publish(request)}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["publication"] = import_form.cleaned_data["publication"]
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        cleaned = getattr(form, "cleaned_data", {})
        choice = cleaned.get("publication")
        publish = choice == "publish" and self._can_publish(request)
        # The preview checks every row without writing; the confirmation writes them all.
        return {"user": request.user, "publish": publish, "check_only": True}

    def process_dataset(self, dataset, form, request, **kwargs):
        publish = self.get_import_resource_kwargs(request, form=form)["publish"]
        request.import_publishes = publish
        report = imports.import_updates(
            dataset_or_file=dataset, user=request.user, publish=publish
        )
        return report.result

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        report, confirm = context.get("import_report"), context.get("confirm_form")
        if report is not None and report.ok and confirm is not None:
            publishes = confirm.initial.get("publication") == "publish"
            context["import_publishes"] = publishes
            if publishes:
                context["status_changes"] = status_changes(accepted_rows(context["result"]))
        return response

    def process_result(self, result, request):
        response = super().process_result(result, request)
        imported = result.totals.get("new", 0)
        if imported and not getattr(request, "import_publishes", True):
            self.message_user(
                request,
                ngettext(
                    "Saved %(count)d draft: no public status has changed.",
                    "Saved %(count)d drafts: no public status has changed.",
                    imported,
                )
                % {"count": imported},
                messages.WARNING,
            )
        return response

    @staticmethod
    def _can_publish(request) -> bool:
        return _can(request, "publish_update")


class ChaseFilter(admin.SimpleListFilter):
    """The owners the staff home counts as "to chase"."""

    title = "reporting"
    parameter_name = "chase"

    def lookups(self, request, model_admin):
        days = settings.REPORTING_INTERVAL_DAYS
        return [("stale", f"No published update for {days} days on an unresolved recommendation")]

    def queryset(self, request, queryset):
        if self.value() != "stale":
            return queryset
        cutoff = timezone.localdate() - datetime.timedelta(days=settings.REPORTING_INTERVAL_DAYS)
        return queryset.without_update_since(cutoff)


@admin.register(Organisation)
class OrganisationAdmin(
    OptimisticLockingMixin, SpreadsheetImportMixin, ImportExportMixin, admin.ModelAdmin
):
    list_display = ["name", "acronym", "contact_name", "contact_email", "recommendation_count"]
    list_filter = [ChaseFilter]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug"]}),
        (
            "Contact for updates",
            {
                "fields": ["contact_name", "contact_email", "contact_phone"],
                "description": "Whom the tracker chases for progress updates. Staff only: "
                "never shown on the public site or in its downloads.",
            },
        ),
    ]
    search_fields = ["name", "acronym", "slug"]
    # Meta.ordering does not survive the count's GROUP BY; the autocomplete pages need one.
    ordering = ["name"]
    prepopulated_fields = {"slug": ["acronym"]}
    resource_classes = [OrganisationResource]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(recommendation_count=Count("ownerships", distinct=True))
        )

    @admin.display(description="Recommendations owned", ordering="recommendation_count")
    def recommendation_count(self, obj: Organisation) -> int:
        return obj.recommendation_count

    def has_import_permission(self, request):
        return _can(request, "import_recommendations") and _can(request, "change_organisation")

    def has_export_permission(self, request):
        return _can(request, "export_position")

    def get_export_resource_kwargs(self, request, **kwargs):
        return {}


class ReadOnlyAdminMixin:
    """A record kept for reading: written by the services, never added, edited or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TargetDateChange)
class TargetDateChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read only: changes are made on the recommendation, with a reason."""

    list_display = [recommendation_label, "old_date", "new_date", "changed_by", "changed_at"]
    list_select_related = ["recommendation", "changed_by"]
    search_fields = ["=recommendation__number", "reason"]
    date_hierarchy = "changed_at"


class ReviewSectionInline(admin.TabularInline):
    model = ReviewSection
    fields = ["order", "slug", "title"]
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """The reviews whose recommendations are tracked. A review's facts are the sources': only
    a superuser records or corrects them; every officer may read them."""

    list_display = ["short_title", "slug", "made_by", "published_on", "list_order"]
    search_fields = ["title", "short_title", "slug"]
    inlines = [ReviewSectionInline]
    # A link typed without its scheme is read as https, as Django 6 will.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
