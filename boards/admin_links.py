"""What the boards add to the recommendations' admin: on a recommendation's page, who oversees
it and what refers to it; on the Overdue page, the board actions past their due date.

boards/admin.py registers these with recommendations/admin.py, which does not import boards.
"""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.db.models import Model
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from boards.models import Action, ActionQuerySet, AgendaItem, Board, Meeting
from recommendations.models import Recommendation


def _admin_url(obj: Model) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _linked_list(label: str, rows: list[tuple[str, str]]) -> SafeString:
    if not rows:
        return format_html("<p><strong>{}:</strong> none</p>", label)
    return format_html(
        "<p><strong>{}:</strong></p><ul>{}</ul>",
        label,
        format_html_join("", '<li><a href="{}">{}</a></li>', rows),
    )


@admin.display(description="Oversight")
def boards_and_meetings(recommendation: Recommendation) -> SafeString:
    """Links to the boards overseeing `recommendation` and the meetings, agenda items and
    actions that refer to it, for its admin page (staff only: confidential titles included)."""
    if recommendation.pk is None:
        return format_html("<p>{}</p>", "Shown once the recommendation is saved.")
    boards = Board.objects.filter(oversees=recommendation)
    items = AgendaItem.objects.filter(recommendations=recommendation).select_related(
        "meeting__board"
    )
    actions = Action.objects.filter(recommendations=recommendation).select_related(
        "meeting__board"
    )
    meetings = (
        Meeting.objects.filter(
            pk__in=[
                *(item.meeting_id for item in items),
                *(action.meeting_id for action in actions),
            ]
        )
        .select_related("board")
        .order_by("date")
    )
    return format_html(
        "{}{}{}{}",
        _linked_list("Overseen by", [(_admin_url(b), str(b)) for b in boards]),
        _linked_list("Meetings", [(_admin_url(m), str(m)) for m in meetings]),
        _linked_list("Agenda items", [(_admin_url(i), f"{i.meeting} — {i}") for i in items]),
        _linked_list(
            "Actions",
            [(_admin_url(a), f"{a} — {a.get_status_display()}") for a in actions],
        ),
    )


def overdue_actions(today: datetime.date) -> ActionQuerySet:
    """Open actions past their due date, soonest due first, with their boards and owners."""
    return (
        Action.objects.overdue(today)
        .select_related("meeting__board")
        .prefetch_related("owners")
        .order_by("due_date")
    )
