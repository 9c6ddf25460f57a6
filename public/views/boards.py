"""The public site's board pages: what is shown of a meeting depends on its minutes' status."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from boards.models import Action, Attendance, Board, Meeting, follow_carry_chains
from recommendations.models import Recommendation

public_actions = (
    Action.objects.on_public_record()
    .select_related("meeting__board", "agenda_item", "carried_from__meeting__board")
    .prefetch_related("owners")
)


def where_actions_stand(actions: QuerySet[Action]) -> list[Action]:
    """The actions, each with where it now stands on the public record (`now`, and
    `carried_to_pending`: see follow_carry_chains)."""
    actions = list(actions)
    follow_carry_chains(actions, public_only=True)
    return actions


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
            open_actions=self.open_actions(board),
            **kwargs,
        )

    @staticmethod
    def open_actions(board: Board) -> list[Action]:
        """The board's actions still open, across its meetings: the latest published link of
        each carry-forward chain, which is open or carried to minutes not yet published."""
        actions = where_actions_stand(
            public_actions.filter(
                meeting__board=board,
                status__in=[Action.Status.OPEN, Action.Status.CARRIED_FORWARD],
            ).order_by("meeting__date", "reference")
        )
        return [
            action
            for action in actions
            if action.status == Action.Status.OPEN or action.carried_to_pending
        ]


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
                actions=where_actions_stand(
                    public_actions.filter(meeting=meeting)
                    .select_related("closed_at")
                    .prefetch_related("recommendations")
                ),
            )
        return super().get_context_data(**context, **kwargs)
