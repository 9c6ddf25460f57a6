"""Writes that span models. The admin, the importer and the tests all come through here."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from recommendations.models import ProgressUpdate, Recommendation, Status


@transaction.atomic
def record_update(
    *,
    recommendation: Recommendation,
    date: datetime.date,
    text: str,
    status: Status | str,
    source: str = "",
    published: bool = True,
    entered_by: AbstractBaseUser | None = None,
) -> ProgressUpdate:
    """Record a progress update; if it is published and the latest, the status moves with it.

    Raises ValidationError (naming the field) for a bad date, status or empty text, and
    writes nothing then.
    """
    update = ProgressUpdate(
        recommendation=recommendation,
        date=date,
        text=text.strip(),
        status=status,
        source=source,
        published=published,
        entered_by=entered_by,
    )
    update.full_clean()
    update.save()
    return update
