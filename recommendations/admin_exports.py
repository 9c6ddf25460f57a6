"""Your exports: the workbooks a staff user asked for, listed newest first, each downloaded
by the user who asked (or a superuser) and by nobody else (see exports.py)."""

from __future__ import annotations

from django.contrib import admin
from django.http import FileResponse, Http404, HttpRequest, QueryDict
from django.urls import path, reverse
from django.utils.html import format_html

from recommendations.exports import XLSX_CONTENT_TYPE
from recommendations.models import PreparedExport


@admin.register(PreparedExport)
class PreparedExportAdmin(admin.ModelAdmin):
    """Every staff user sees their own exports here; nothing is added, changed or deleted
    by hand (the oldest go when a new one is made)."""

    list_display = ["name", "filters_asked", "requested_at", "state_and_reason", "download"]
    list_display_links = None
    list_per_page = 20
    actions = None

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).filter(requested_by=request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "title": "Your exports"})

    def get_urls(self):
        # The list and the download only: an export has no page of its own to edit.
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="{}_{}_download".format(*info),
            ),
            path(
                "",
                self.admin_site.admin_view(self.changelist_view),
                name="{}_{}_changelist".format(*info),
            ),
        ]

    @admin.display(description="Filters")
    def filters_asked(self, export: PreparedExport) -> str:
        asked = QueryDict(export.filters)
        return ", ".join(f"{name} = {value}" for name, value in asked.items()) or "—"

    @admin.display(description="State")
    def state_and_reason(self, export: PreparedExport) -> str:
        if export.state == PreparedExport.State.FAILED:
            return f"Failed: {export.failure}"
        return export.get_state_display()

    @admin.display(description="File")
    def download(self, export: PreparedExport) -> str:
        if export.state != PreparedExport.State.READY:
            return "—"
        url = reverse("admin:recommendations_preparedexport_download", args=[export.pk])
        return format_html('<a href="{}">Download {}</a>', url, export.filename)

    def download_view(self, request: HttpRequest, pk: int) -> FileResponse:
        """The file, to the user who asked for it or a superuser; a 404 for anyone else, as
        for an export that does not exist."""
        export = PreparedExport.objects.filter(pk=pk, state=PreparedExport.State.READY).first()
        mine = export is not None and export.requested_by_id == request.user.pk
        if export is None or not (mine or request.user.is_superuser):
            raise Http404("No such export.")
        try:
            file = export.file.open("rb")
        except FileNotFoundError:
            raise Http404("The file of this export is missing from storage.") from None
        return FileResponse(
            file, as_attachment=True, filename=export.filename, content_type=XLSX_CONTENT_TYPE
        )
