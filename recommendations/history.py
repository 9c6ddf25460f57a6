"""A recommendation's status transitions, read from the public record.

The history must never contradict the public record, so it is derived from the published
updates with the rule itself (`latest_published_update`): the rule's answer as at each
update's date, oldest first; every time that answer changes is a transition. Updates loaded
from the fixtures have no history rows, and so are covered like the others. The history rows
serve only to say who published an update and when; without one (a loaded update), the
moment it entered the tracker stands for when, and its source for why.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models

from recommendations.models import (
    ProgressUpdate,
    Recommendation,
    Status,
    latest_published_update,
)


@dataclass(frozen=True)
class StatusTransition:
    old_status: Status
    new_status: Status
    changed_at: datetime.datetime
    changed_by: str
    update_id: int
    update_date: datetime.date
    why: str

    @property
    def old_label(self) -> str:
        return Status(self.old_status).label

    @property
    def new_label(self) -> str:
        return Status(self.new_status).label


def _publications(update_ids: list[int]) -> dict[int, object]:
    """The history row on which each update was first published, by update id (one query)."""
    rows = (
        ProgressUpdate.history.filter(id__in=update_ids, published=True)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    # Newest first, so that the earliest row of each update is the one kept.
    return {row.id: row for row in rows}


def _transition(old: Status, update: ProgressUpdate, published) -> StatusTransition:
    if published is None:
        source = f" ({update.source})" if update.source else ""
        changed_at, changed_by, why = update.created_at, "", f"in the published record{source}"
    else:
        user = published.history_user
        changed_at, why = published.history_date, "update published"
        changed_by = (user.get_full_name() or user.get_username()) if user else ""
    return StatusTransition(
        old_status=old,
        new_status=Status(update.status),
        changed_at=changed_at,
        changed_by=changed_by,
        update_id=update.pk,
        update_date=update.date,
        why=why,
    )


def status_transitions(recommendation: Recommendation) -> list[StatusTransition]:
    """Every change of the recommendation's public status, by the date of the update that
    made it, oldest first. The last one's status is the recommendation's status."""
    rule = latest_published_update(
        on=models.OuterRef("date"), recommendation=models.OuterRef("recommendation")
    )
    # Of the updates dated on one day, the rule's answer is the one it picks for that day.
    deciding = list(
        ProgressUpdate.objects.published()
        .filter(recommendation=recommendation)
        .annotate(picked=models.Subquery(rule.values("pk")[:1]))
        .filter(pk=models.F("picked"))
        .order_by("date", "pk")
    )
    publications = _publications([update.pk for update in deciding])
    status, transitions = Status.ONGOING, []
    for update in deciding:
        if update.status != status:
            transitions.append(_transition(status, update, publications.get(update.pk)))
            status = Status(update.status)
    return transitions


def withdrawals(recommendation: Recommendation) -> list[ProgressUpdate]:
    """The updates withdrawn from the public record, latest first: who, when and why.

    A withdrawal leaves the transitions above as the public record now reads, so these are
    listed beside them: no change to what the public saw goes unattributed.
    """
    return list(
        recommendation.updates.withdrawn()
        .select_related("withdrawn_by")
        .order_by("-withdrawn_at", "-pk")
    )
