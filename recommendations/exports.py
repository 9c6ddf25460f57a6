"""Workbooks built in the background: the staff ask, the task builds, "Your exports" serves.

An XLSX cannot be sent before its last row (see streaming.py), and at the scale of several
reviews the position workbook took 6–9 s inside the request. So the request records what was
asked in a `PreparedExport` (which export, the changelist's filters, the form's choices) and
answers at once; `build_export` makes the file on the task worker, with the same code the
request used to run, for the same rows, and keeps it in storage under `exports/`. The user
downloads it from "Your exports" (admin_exports.py), which checks who asks.

On the worker the export is made again from what was recorded: the admin's own export form
and changelist filters are run for a request of the user who asked, so the rows are those the
user selected, and a user who has lost the permission meanwhile gets no file.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from collections.abc import Callable
from functools import partial
from typing import IO

from django.apps import apps
from django.contrib import admin, messages
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django_tasks import task

from recommendations import chase
from recommendations.models import PreparedExport

logger = logging.getLogger(__name__)

#: Exports kept per user: making an eleventh deletes the oldest file and its row.
KEEP_PER_USER = 10
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SERVER_ERROR = (
    "The file could not be built because of an error on the server. Ask for it again; if it "
    "fails again, tell an administrator (the task worker's log says what went wrong)."
)


class ExportRefused(Exception):
    """The export cannot be made, for a reason the user who asked can read."""


def queue_export(
    *, user, kind: str, name: str, filename: str, filters: str = "", params: dict
) -> PreparedExport:
    """Record an export and queue its build after the commit; drop the user's oldest beyond
    `KEEP_PER_USER`, files and rows."""
    with transaction.atomic():
        export = PreparedExport.objects.create(
            requested_by=user,
            kind=kind,
            name=name[:200],
            filename=filename[:200],
            filters=filters,
            params=params,
        )
        _drop_oldest(user)
        transaction.on_commit(partial(build_export.enqueue, export.pk))
    return export


def _drop_oldest(user) -> None:
    old = list(PreparedExport.objects.filter(requested_by=user)[KEEP_PER_USER:])
    names = [export.file.name for export in old if export.file]
    PreparedExport.objects.filter(pk__in=[export.pk for export in old]).delete()
    if names:
        storage = PreparedExport._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def tell_queued(request: HttpRequest, export: PreparedExport) -> None:
    """The message the request answers with: what will happen, and where to find the file."""
    messages.info(
        request,
        format_html(
            "Your export of “{}” is being prepared. It will be listed under "
            '<a href="{}">Your exports</a>, ready to download, in a moment.',
            export.name,
            reverse("admin:recommendations_preparedexport_changelist"),
        ),
    )


@task()
def build_export(export_id: int) -> str:
    """Build one queued export into storage; record a failure in words the user can read.
    Returns what happened (kept in the task's result)."""
    export = PreparedExport.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None:
        return "gone: a newer export replaced it"
    if export.state != PreparedExport.State.QUEUED:
        return f"already {export.state}"
    with tempfile.TemporaryFile() as out:
        try:
            _refuse_unless_staff(export.requested_by)
            BUILDERS[export.kind](export, out)
        except ExportRefused as refused:
            return _fail(export, str(refused))
        except Exception:
            logger.exception("Export %s (%s) failed", export.pk, export.name)
            return _fail(export, SERVER_ERROR)
        out.seek(0)
        export.file.save(export.filename, File(out), save=False)
    done = PreparedExport.objects.filter(pk=export.pk, state=PreparedExport.State.QUEUED)
    if not done.update(state=PreparedExport.State.READY, file=export.file.name, finished_at=now()):
        export.file.delete(save=False)  # a newer export replaced it while it was built
        return "gone: a newer export replaced it"
    return f"ready: {export.file.name}"


def now() -> datetime.datetime:
    return timezone.now()


def _fail(export: PreparedExport, reason: str) -> str:
    PreparedExport.objects.filter(pk=export.pk).update(
        state=PreparedExport.State.FAILED, failure=reason, finished_at=now()
    )
    return f"failed: {reason}"


def _refuse_unless_staff(user) -> None:
    if not (user.is_active and user.is_staff):
        raise ExportRefused("You may no longer use the staff pages, so nothing was exported.")


def _build_admin_export(export: PreparedExport, out: IO[bytes]) -> None:
    """The admin's export, run for a request of the user who asked: the same changelist
    filters, the same form, the same permission check (see ReadableExportMixin)."""
    model = apps.get_model(export.params["model"])
    model_admin = admin.site.get_model_admin(model)
    request = HttpRequest()
    request.method = "POST"
    request.user = export.requested_by
    request.GET = QueryDict(export.filters)
    request.POST = QueryDict(export.params.get("form", ""))
    model_admin.write_prepared_export(request, out)


def _build_chase_list(export: PreparedExport, out: IO[bytes]) -> None:
    """The chase list as at the day it was asked for (see the Overdue page)."""
    if not export.requested_by.has_perm("recommendations.view_recommendation"):
        raise ExportRefused("You may no longer view recommendations, so nothing was exported.")
    today = datetime.date.fromisoformat(export.params["today"])
    cutoff = datetime.date.fromisoformat(export.params["cutoff"])
    chase.write_xlsx(out, chase.chase_rows(today=today, cutoff=cutoff), today=today)


#: What builds each kind of export into a file.
BUILDERS: dict[str, Callable[[PreparedExport, IO[bytes]], None]] = {
    "admin": _build_admin_export,
    "chase-list": _build_chase_list,
}
