"""Writes to the boards' records that span several rows, used by the admin and the tests."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from boards.models import Action, Meeting


@transaction.atomic
def carry_forward_open_actions(*, meeting: Meeting, user: AbstractBaseUser | None) -> list[Action]:
    """Carry each open action of `meeting` to its board's next meeting; return the new actions.

    Each new action is open, with the original's reference, text, owners, due date and
    recommendations, and `carried_from` pointing at the original, which becomes "carried
    forward". Both changes are recorded in their history as `user`'s. An action raised under
    a confidential agenda item stays confidential, since the new one has no item of its own.

    Raises ValidationError, having changed nothing, when the board has no later meeting or
    that meeting already uses one of the references.
    """
    next_meeting = meeting.next_meeting()
    if next_meeting is None:
        raise ValidationError(
            f"{meeting} has no later meeting to carry its actions to: "
            "record the board's next meeting first."
        )
    # Both meetings before any of their actions, in the order every other writer takes them.
    Meeting.objects.filter(pk__in=[meeting.pk, next_meeting.pk]).lock()
    open_actions = list(
        meeting.actions.open()
        .select_related("agenda_item")
        .prefetch_related("owners", "recommendations")
        .order_by("reference")
    )
    taken = set(
        next_meeting.actions.filter(
            reference__in=[action.reference for action in open_actions]
        ).values_list("reference", flat=True)
    )
    if taken:
        raise ValidationError(
            f"{next_meeting} already has {', '.join(sorted(taken))}: rename that action or "
            "carry the action forward by hand."
        )

    return [_carry(action, to=next_meeting, user=user) for action in open_actions]


def _carry(action: Action, *, to: Meeting, user: AbstractBaseUser | None) -> Action:
    """Copy one open action to the meeting `to`, open, and mark the original carried forward."""
    item_confidential = action.agenda_item.confidential if action.agenda_item else False
    new = Action(
        meeting=to,
        reference=action.reference,
        text=action.text,
        due_date=action.due_date,
        status=Action.Status.OPEN,
        carried_from=action,
        confidential=action.confidential or item_confidential,
    )
    new._history_user = user
    new.save()
    new.owners.set(action.owners.all())
    new.recommendations.set(action.recommendations.all())

    action.status = Action.Status.CARRIED_FORWARD
    action._history_user = user
    action.save(update_fields=["status"])
    return new
