"""The admin's history pages, for reading only.

django-simple-history's page for one past version also saves that version back when it is
posted to (its "revert"), with only view or change permission, and writes every field —
read-only ones and a withdrawn update's publication included — without the services. The
history is an audit trail: it is read, never replayed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class AuditHistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose past versions can be looked at but never saved back."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("The history is for reading: record a new change instead.")
        return super().history_form_view(request, object_id, version_id, extra_context)
