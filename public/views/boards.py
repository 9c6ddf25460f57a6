"""The public site's board pages: what is shown of a meeting depends on its minutes' status."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from boards.models import Action, Attendance, Board, Meeting
from recommendations.models import Recommendation

public_actions = (
    Action.objects.on_public_record()
    .select_related("meeting__board", "agenda_item")
    .prefetch_related("owners")
)


class BoardListView(ListView):
    """Every board, with how many recommendations it oversees and how often it has met."""

    template_name = "public/board_list.html"
    context_object_name = "boards"

    def get_queryset(self) -> QuerySet[Board]:
        return Board.objects.annotate(
            recommendation_count=Count("oversees", distinct=True),
            meeting_count=Count("meetings", distinct=True),
        )


class BoardDetailView(DetailView):
    """A board: purpose, remit, members, the recommendations it oversees, meetings, actions."""

    model = Board
    template_name = "public/board_detail.html"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        board = self.object
        return super().get_context_data(
            members=board.members.all(),
            recommendations=board.oversees.order_by("number"),
            meetings=board.meetings.order_by("-date"),
            open_actions=public_actions.open()
            .filter(meeting__board=board)
            .order_by("meeting__date", "reference"),
            **kwargs,
        )


class MeetingDetailView(DetailView):
    """One meeting; attendance, items and actions only once its minutes are published."""

    template_name = "public/meeting_detail.html"
    context_object_name = "meeting"

    def get_object(self, queryset=None) -> Meeting:
        return get_object_or_404(
            Meeting.objects.select_related("board"),
            board__slug=self.kwargs["slug"],
            date=self.kwargs["date"],
        )

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        meeting = self.object
        context: dict[str, Any] = {"next_meeting": meeting.next_meeting()}
        if meeting.is_public_record:
            context.update(
                attendance=Attendance.objects.filter(meeting=meeting).select_related(
                    "organisation"
                ),
                items=meeting.items.prefetch_related(
                    Prefetch("recommendations", queryset=Recommendation.objects.only("number"))
                ),
                actions=public_actions.filter(meeting=meeting)
                .select_related("closed_at")
                .prefetch_related("recommendations"),
            )
        return super().get_context_data(**context, **kwargs)
