"""A recommendation's status transitions, read back from its updates' recorded history.

The status is not written by hand (see models.py): it moves when an update is published,
changed, withdrawn or deleted. So the history of the status is rebuilt by replaying the
history rows of the recommendation's progress updates in order and applying the one rule
after each: every time its answer changes, that is a transition — from what, to what, when
and by whom (the user recorded on the history row).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from recommendations.models import ProgressUpdate, Recommendation, Status


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


def _why(row, previous) -> str:
    if row.history_type == "-":
        return "update deleted"
    if row.withdrawn_at and not (previous and previous.withdrawn_at):
        return f"update withdrawn: {row.withdrawal_reason}"
    if row.published and not (previous and previous.published):
        return "update published"
    return "update changed"


def status_transitions(recommendation: Recommendation) -> list[StatusTransition]:
    """Every change of the recommendation's status, oldest first."""
    rows = (
        ProgressUpdate.history.filter(recommendation_id=recommendation.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    current: dict[int, object] = {}  # update id → its latest history row
    status = Status.ONGOING
    transitions = []
    for row in rows:
        previous = current.get(row.id)
        if row.history_type == "-":
            current.pop(row.id, None)
        else:
            current[row.id] = row
        counting = [
            r
            for r in current.values()
            if r.published and not r.withdrawn_at and r.recommendation_id == recommendation.pk
        ]
        latest = max(counting, key=lambda r: (r.date, r.id), default=None)
        new_status = Status(latest.status) if latest else Status.ONGOING
        if new_status != status:
            user = row.history_user
            transitions.append(
                StatusTransition(
                    old_status=status,
                    new_status=new_status,
                    changed_at=row.history_date,
                    changed_by=(user.get_full_name() or user.get_username()) if user else "",
                    update_id=row.id,
                    update_date=row.date,
                    why=_why(row, previous),
                )
            )
            status = new_status
    return transitions
