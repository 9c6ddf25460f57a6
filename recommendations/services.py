"""Writes that span models. The admin, the importer and the tests all come through here.

Every write says who made it: the user is stored on the record (`entered_by`,
`withdrawn_by`, `changed_by`) and handed to django-simple-history (`_history_user`), so the
history is attributed even outside a web request (imports, commands, tests).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from recommendations.models import ProgressUpdate, Recommendation, Status, TargetDateChange

# Instances given to the services are trusted to exist: checking them again would cost a
# query per update, which a 10,000-row import cannot afford.
_GIVEN_RELATIONS = ["recommendation", "entered_by", "withdrawn_by"]


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
        text=(text or "").strip(),
        status=status,
        source=source,
        published=published,
        entered_by=entered_by,
    )
    update.full_clean(exclude=_GIVEN_RELATIONS)
    if entered_by is not None:
        update._history_user = entered_by
    update.save()
    return update


@transaction.atomic
def record_status_updates(
    *,
    recommendations: Iterable[Recommendation],
    date: datetime.date,
    text: str,
    status: Status | str,
    published: bool,
    entered_by: AbstractBaseUser | None = None,
    source: str = "",
) -> list[ProgressUpdate]:
    """The same update for several recommendations, all or nothing.

    Raises ValidationError naming the recommendation that refused it; nothing is written then.
    """
    updates = []
    for recommendation in recommendations:
        try:
            updates.append(
                record_update(
                    recommendation=recommendation,
                    date=date,
                    text=text,
                    status=status,
                    source=source,
                    published=published,
                    entered_by=entered_by,
                )
            )
        except ValidationError as error:
            reasons = "; ".join(error.messages)
            raise ValidationError(f"{recommendation}: {reasons}") from error
    return updates


@transaction.atomic
def publish_update(*, update: ProgressUpdate, user: AbstractBaseUser | None) -> bool:
    """Publish a draft: it becomes public and, if it is the latest, sets the status.

    Returns False (and changes nothing) for an update that is already published. A withdrawn
    update cannot be published again: record a new one.
    """
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    if update.is_withdrawn:
        raise ValidationError(f"{update} was withdrawn and cannot be published.")
    if update.published:
        return False
    update.published = True
    if user is not None:
        update._history_user = user
    update.save()
    return True


@transaction.atomic
def withdraw_update(*, update: ProgressUpdate, reason: str, user: AbstractBaseUser | None):
    """Withdraw an update: it stops being public and no longer counts for the status.

    The update itself stays, with who withdrew it, when and why: nothing is deleted.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the update is withdrawn."})
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    if update.is_withdrawn:
        raise ValidationError(f"{update} was already withdrawn.")
    update.published = False
    update.withdrawn_at = timezone.now()
    update.withdrawn_by = user
    update.withdrawal_reason = reason
    if user is not None:
        update._history_user = user
    update.save()
    return update


@transaction.atomic
def set_target_date(
    *,
    recommendation: Recommendation,
    target_date: datetime.date | None,
    reason: str,
    user: AbstractBaseUser | None,
) -> TargetDateChange | None:
    """Set a recommendation's expected completion date, keeping the change and its reason.

    Saves `recommendation` (with any other changes made to it in memory) and returns the
    TargetDateChange, or None when the date is the one already stored. Raises
    ValidationError when the reason is missing or the date is before the recommendation.
    """
    stored = (
        Recommendation.objects.select_for_update()
        .filter(pk=recommendation.pk)
        .values_list("target_date", flat=True)
        .get()
    )
    if stored == target_date:
        return None
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"target_date_reason": "Say why the expected date changes."})
    if target_date and target_date < recommendation.made_on:
        raise ValidationError(
            {
                "target_date": f"The date is before the recommendation was made "
                f"({recommendation.made_on:%d %B %Y})."
            }
        )
    recommendation.target_date = target_date
    if user is not None:
        recommendation._history_user = user
    recommendation.save()
    return TargetDateChange.objects.create(
        recommendation=recommendation,
        old_date=stored,
        new_date=target_date,
        reason=reason,
        changed_by=user,
    )
