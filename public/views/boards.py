"""The public site's board pages: what is shown of a meeting depends on its minutes' status."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from boards.models import Action, Attendance, Board, Meeting, follow_carry_chains
from recommendations.models import Recommendation


def where_actions_stand(actions: Iterable[Action]) -> list[Action]:
    """The actions, each with where it now stands on the public record (`now`, and
    `carried_to_pending`: see follow_carry_chains)."""
    actions = list(actions)
    if actions:  # nothing to follow: no query at all
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
        actions = list(
            Action.objects.on_public_record()
            .filter(
                meeting__board=board,
                status__in=[Action.Status.OPEN, Action.Status.CARRIED_FORWARD],
            )
            .select_related("meeting", "agenda_item", "carried_from__meeting__board")
            .prefetch_related("owners")
            .order_by("meeting__date", "reference")
        )
        for action in actions:
            action.meeting.board = board  # every one is this board's: no join to read it again
        actions = where_actions_stand(actions)
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
                items=meeting.items.order_by("number").prefetch_related(
                    Prefetch("recommendations", queryset=Recommendation.objects.only("number"))
                ),
                actions=where_actions_stand(self.actions(meeting)),
            )
        return super().get_context_data(**context, **kwargs)

    @staticmethod
    def actions(meeting: Meeting) -> QuerySet[Action]:
        """The meeting's actions, through its own manager so that each action's meeting is
        the one already loaded, with its board: fewer joins to build and read. Ordered by
        reference alone, which within one meeting is the model's order, without the join
        that ordering by the meeting needs."""
        return (
            meeting.actions.on_public_record()
            .select_related("agenda_item", "carried_from__meeting__board", "closed_at__board")
            .prefetch_related("owners")
            .order_by("reference")
        )
