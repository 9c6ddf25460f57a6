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
from django.db import connection, models, transaction
from django.utils import timezone

from recommendations.models import (
    ProgressUpdate,
    Recommendation,
    Status,
    TargetDateChange,
    latest_published_update,
    rule_status,
)
from recommendations.signals import positions_refreshed

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
    # Before the insert: the status is then computed after any other writer has committed.
    Recommendation.objects.filter(pk=recommendation.pk).lock()
    update = ProgressUpdate(
        recommendation=recommendation,
        date=date,
        text=(text or "").strip(),
        status=status,
        source=source,
        published=published,
        entered_by=entered_by,
    )
    # The check constraints concern withdrawal, which a new update never is; the database
    # enforces them anyway, and asking it first would cost two queries per imported row.
    update.full_clean(exclude=_GIVEN_RELATIONS, validate_constraints=False)
    if entered_by is not None:
        update._history_user = entered_by
    update.save()
    refresh_positions(recommendation_ids=[recommendation.pk])
    recommendation.refresh_from_db(fields=[*_POSITION, "version"])
    return update


#: The fields that hold the rule's stored answer.
_POSITION = ["status", "last_updated", "latest_update"]


@transaction.atomic
def refresh_positions(*, recommendation_ids: Iterable[int]) -> int:
    """Store the rule's answer for these recommendations: the one writer of their status,
    last_updated and latest_update (those of the latest published update; Ongoing, None and
    None if none), in one UPDATE. Returns the number of recommendations written.

    Takes the recommendations' row locks (in pk order) if the caller has not: under READ
    COMMITTED the UPDATE's subqueries cannot see another writer's uncommitted update, so the
    stored answer is right only if that writer has committed first.
    """
    touched = Recommendation.objects.filter(pk__in=set(recommendation_ids))
    touched.lock()
    latest = latest_published_update()
    rows = touched.update(
        # Any change to a recommendation's updates changes what an officer editing it sees,
        # so the version moves on too: an edit begun before an update was recorded is refused.
        version=models.F("version") + 1,
        latest_update=models.Subquery(latest.values("pk")[:1]),
        last_updated=models.Subquery(latest.values("date")[:1]),
        status=rule_status(),
    )
    positions_refreshed.send(sender=Recommendation, using=touched.db)
    return rows


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
    recommendations = list(recommendations)
    # All at once, in pk order: locking one by one could deadlock with another writer.
    Recommendation.objects.filter(pk__in=[r.pk for r in recommendations]).lock()
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
def bulk_record_updates(
    *, updates: list[ProgressUpdate], entered_by: AbstractBaseUser | None
) -> list[ProgressUpdate]:
    """Write many new updates at once, each with its history row: an import's write phase.

    The updates must already be checked (`clean()`, duplicates): nothing is validated here.
    The updates and their history (attributed to `entered_by`) are inserted, then the
    touched recommendations locked and their positions refreshed in one UPDATE.

    Locking after the inserts is as safe as before them, and keeps the lock brief: what
    matters is that the refresh runs under the lock, so that the last writer to refresh a
    recommendation sees every other writer's committed updates. An officer's update on one
    of these recommendations waits at most for the refresh, never for the inserts (Django's
    foreign keys on PostgreSQL are checked at commit, so the inserts lock nothing either).
    """
    if not updates:
        return []
    for update in updates:
        update.entered_by = entered_by
    created = ProgressUpdate.objects.bulk_create(updates, batch_size=_WRITE_BATCH)
    _copy_to_history([update.pk for update in created], user=entered_by)
    refresh_positions(recommendation_ids={u.recommendation_id for u in updates})
    return created


#: Rows per INSERT statement in bulk writes (SQLite splits further if it must).
_WRITE_BATCH = 2000


def _copy_to_history(pks: list[int], *, user: AbstractBaseUser | None) -> None:
    """Add the "created" history row of each update in `pks`, attributed to `user`.

    The database copies the rows it has just written (INSERT … SELECT, by chunks of pks):
    simple-history's bulk_history_create() would build and send every row again from Python,
    which takes as long as writing the updates themselves.
    """
    history = ProgressUpdate.history.model._meta
    quote = connection.ops.quote_name
    copied = ", ".join(quote(f.column) for f in ProgressUpdate._meta.concrete_fields)
    extra = ", ".join(
        quote(history.get_field(name).column)
        for name in ("history_date", "history_type", "history_user")
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        for start in range(0, len(pks), _HISTORY_CHUNK):
            chunk = pks[start : start + _HISTORY_CHUNK]
            cursor.execute(
                f"INSERT INTO {quote(history.db_table)} ({copied}, {extra}) "
                f"SELECT {copied}, %s, %s, %s FROM {quote(ProgressUpdate._meta.db_table)} "
                f"WHERE {quote(ProgressUpdate._meta.pk.column)} IN "
                f"({', '.join(['%s'] * len(chunk))})",
                [now, "+", user.pk if user is not None else None, *chunk],
            )


#: Primary keys per history INSERT … SELECT: under SQLite's oldest limit of 999 parameters.
_HISTORY_CHUNK = 900


@transaction.atomic
def publish_update(*, update: ProgressUpdate, user: AbstractBaseUser | None) -> bool:
    """Publish a draft: it becomes public and, if it is the latest, sets the status.

    Returns False (and changes nothing) for an update that is already published. A withdrawn
    update cannot be published again: record a new one.
    """
    # The recommendation first, then the update: the order every writer locks in.
    Recommendation.objects.filter(pk=update.recommendation_id).lock()
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    if update.is_withdrawn:
        raise ValidationError(f"{update} was withdrawn and cannot be published.")
    if update.published:
        return False
    update.published = True
    if user is not None:
        update._history_user = user
    update.save()
    refresh_positions(recommendation_ids=[update.recommendation_id])
    return True


@transaction.atomic
def withdraw_update(*, update: ProgressUpdate, reason: str, user: AbstractBaseUser | None):
    """Withdraw an update: it stops being public and no longer counts for the status.

    The update itself stays, with who withdrew it, when and why: nothing is deleted.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the update is withdrawn."})
    # The recommendation first, then the update: the order every writer locks in.
    Recommendation.objects.filter(pk=update.recommendation_id).lock()
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
    refresh_positions(recommendation_ids=[update.recommendation_id])
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
    Recommendation.objects.filter(pk=recommendation.pk).lock()
    stored = (
        Recommendation.objects.filter(pk=recommendation.pk)
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
