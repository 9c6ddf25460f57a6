"""How fresh the public site is: a stamp that changes when, and only when, public data changes.

The stamp combines the change counter (`SiteChange.version`), today's date (overdue actions,
file names) and the release (templates and code). Reading it costs one primary-key lookup,
whatever the size of the data.

The counter moves after a committed write only if what the public site can show changed, so
that polling a public page does not tell anyone when staff work on unpublished things:

- A save compares the row's public view (`public_view`) as stored before with the one after;
  a delete or a many-to-many change counts if the row was public at all.
- Progress updates are written in bulk as well as one by one, and every write reaches
  `refresh_positions()`, which sends `positions_refreshed`. After the commit, a fingerprint
  of the published updates is compared with the one stored in `SiteChange`: saving a draft
  leaves it as it was; publishing, withdrawing or editing a published update moves it.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache as default_cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models.functions import Length
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import Signal
from django.utils import timezone

from public.models import SiteChange
from recommendations.models import ProgressUpdate
from recommendations.signals import positions_refreshed

#: Sent when the change counter has moved: what the public site shows has changed (the report
#: PDFs are rebuilt on it, see public/publications.py).
public_data_changed = Signal()

T = TypeVar("T")
#: How long a value `kept()` under a stamp lives; a new stamp makes a new key at once.
KEPT_SECONDS = 24 * 60 * 60

WATCHED_APPS = frozenset({"recommendations", "boards"})
#: Models of other apps that a public page shows in part.
WATCHED_MODELS = frozenset({"reporting.evidence"})
RELEASE_DIRS = (
    "templates",
    "static",
    "public",
    "recommendations",
    "boards",
    "reporting",
    "harris_tracker",
)
#: Fields no public page shows, on any model: edit-locking versions and change times.
UNSHOWN_FIELDS = frozenset({"version", "created_at", "modified_at"})
#: A recommendation's position follows its published updates, which are counted on their own.
POSITION_FIELDS = frozenset({"status", "last_updated", "latest_update_id"})
#: A meeting's fields shown before its minutes are published (see boards/models.py).
MEETING_ALWAYS_PUBLIC = ("board_id", "date", "time", "place", "status")
#: An organisation's contact details are for staff only (recommendations/models.py).
ORGANISATION_PRIVATE_FIELDS = frozenset({"contact_name", "contact_email", "contact_phone"})


def connect_signals() -> None:
    pre_save.connect(_before_save, dispatch_uid="public.freshness.pre_save")
    post_save.connect(_after_save, dispatch_uid="public.freshness.post_save")
    post_delete.connect(_after_delete, dispatch_uid="public.freshness.post_delete")
    m2m_changed.connect(_after_m2m_change, dispatch_uid="public.freshness.m2m_changed")
    positions_refreshed.connect(_after_positions_refreshed, dispatch_uid="public.freshness.pos")
    # A save or delete of one update outside the services (a correction in a shell, a data
    # migration) is compared the same way: a draft's changes still leave the stamp alone.
    for signal in (post_save, post_delete):
        signal.connect(
            _after_positions_refreshed,
            sender=ProgressUpdate,
            dispatch_uid=f"public.freshness.update.{signal!r}",
        )


def public_view(obj: models.Model) -> tuple | None:
    """What the public site can show of `obj`, as a comparable value; None if nothing.

    A model not named here is public whole (a board, an organisation, an ownership…), so a
    new model or field moves the stamp until it is declared private here. Progress updates
    are compared all together instead (`published_updates_fingerprint`).
    """
    label = obj._meta.label_lower
    if label == "reporting.evidence":
        # Only a file marked public can be listed (approval and withdrawal move the
        # published updates' fingerprint); the owners' other work stays unseen.
        return _fields(obj) if obj.public else None
    if label == "recommendations.recommendation":
        return _fields(obj, exclude=POSITION_FIELDS)
    if label == "recommendations.organisation":
        return _fields(obj, exclude=ORGANISATION_PRIVATE_FIELDS)
    if label == "boards.meeting":
        always = tuple(getattr(obj, name) for name in MEETING_ALWAYS_PUBLIC)
        if not obj.is_public_record:
            return (*always, False)
        return (*always, True, _fields(obj))
    if label in ("boards.attendance", "boards.agendaitem", "boards.action"):
        # Shown only once the meeting's minutes are published; publishing moves the
        # meeting's own view, so the children need not count then.
        if not obj.meeting.is_public_record:
            return None
        if label == "boards.agendaitem":
            return (_fields(obj, exclude={"minutes"}), obj.public_minutes)
        if label == "boards.action":
            return (_fields(obj, exclude={"text"}), obj.public_text)
    return _fields(obj)


def published_updates_fingerprint() -> str:
    """A digest of the published updates that a publication, withdrawal or edit changes.

    One aggregate query, not a read of every row, because it runs after every commit that
    wrote updates (a read of 18,000 updates took 0.2 s, this takes 0.05 s). `save()` sets
    `modified_at`; `update()` and `bulk_update()` do not, so the lengths of the shown text
    stand in for it there: a bulk edit that keeps every length and date is not seen.
    """
    row = ProgressUpdate.objects.published().aggregate(
        count=models.Count("pk"),
        ids=models.Sum("pk"),
        recommendations=models.Sum("recommendation_id"),
        edited=models.Max("modified_at"),
        text=models.Sum(Length("text")),
        source=models.Sum(Length("source")),
        status=models.Sum(Length("status")),
        earliest=models.Min("date"),
        latest=models.Max("date"),
    )
    return hashlib.blake2b(repr(sorted(row.items())).encode(), digest_size=16).hexdigest()


def bump() -> None:
    """Count one more change to the public data, and say so (`public_data_changed`)."""
    count_change()
    public_data_changed.send(sender=SiteChange)


def count_change() -> None:
    """Move the change counter (the row is created on first use), and when it moved."""
    now = timezone.now()
    if not SiteChange.objects.filter(pk=1).update(version=models.F("version") + 1, changed_at=now):
        SiteChange.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": now})


def count_published_updates_change() -> None:
    """Count a change if the published updates differ from those seen last time."""
    fingerprint = published_updates_fingerprint()
    changed = (
        SiteChange.objects.filter(pk=1)
        .exclude(published_updates=fingerprint)
        .update(
            version=models.F("version") + 1,
            published_updates=fingerprint,
            changed_at=timezone.now(),
        )
    )
    if not changed:
        _, created = SiteChange.objects.get_or_create(
            pk=1,
            defaults={
                "version": 1,
                "published_updates": fingerprint,
                "changed_at": timezone.now(),
            },
        )
        if not created:
            return  # a draft, or nothing public: no report changed
    public_data_changed.send(sender=SiteChange)


@cache
def release() -> str:
    """A fingerprint of the code and templates being served: a deploy changes every ETag."""
    digest = hashlib.blake2b(digest_size=8)
    for top in RELEASE_DIRS:
        for root, dirs, files in os.walk(settings.BASE_DIR / top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                stat = os.stat(os.path.join(root, name))
                digest.update(f"{root}/{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


def last_changed() -> datetime.datetime | None:
    """When the public data last changed, as far as the counter has seen (None: never)."""
    return SiteChange.objects.filter(pk=1).values_list("changed_at", flat=True).first()


def kept(name: str, compute: Callable[[], T]) -> T:
    """`compute()`, kept in the default cache under the current stamp: for what is counted
    over all the public data (the years with a report, a year's tally), which at the scale
    of several reviews takes tens of milliseconds and changes only with the stamp."""
    return default_cache.get_or_set(f"public:{name}:{stamp()}", compute, KEPT_SECONDS)


#: The stamp read for the public request being answered (see `stamp_for_request`).
_request_stamp: ContextVar[str | None] = ContextVar("public_request_stamp", default=None)


def stamp() -> str:
    """The current stamp of the public data: the change counter (one query), today's date
    in the site's time zone (overdue actions, dated file names) and the release. Within a
    public request, the one read as it began (see `stamp_for_request`)."""
    return _request_stamp.get() or _read_stamp()


@contextmanager
def stamp_for_request(value: str) -> Iterator[None]:
    """`stamp()` is `value` (read as a public request began) until the request ends: its
    page and everything kept for it are keyed by it. Public pages only read: it cannot move
    under them."""
    token = _request_stamp.set(value)
    try:
        yield
    finally:
        _request_stamp.reset(token)


def _read_stamp() -> str:
    # A slice, not first(): first() orders by the key, which the ORM then compiles anew.
    versions = SiteChange.objects.filter(pk=1).values_list("version", flat=True)[:1]
    version = next(iter(versions), None)
    parts = f"{version}|{timezone.localdate()}|{release()}"
    return hashlib.blake2b(parts.encode(), digest_size=12).hexdigest()


def _fields(obj: models.Model, exclude: frozenset[str] | set[str] = frozenset()) -> tuple:
    return tuple(
        (field.attname, field.value_from_object(obj))
        for field in obj._meta.concrete_fields
        if field.attname not in UNSHOWN_FIELDS and field.attname not in exclude
    )


def _view_or_unknown(obj: models.Model) -> Any:
    """`public_view`, or a value equal to nothing when a related row is already gone."""
    try:
        return public_view(obj)
    except ObjectDoesNotExist:
        return object()


def _watched(sender: Any) -> bool:
    meta = getattr(sender, "_meta", None)
    return (
        meta is not None
        and (meta.app_label in WATCHED_APPS or meta.label_lower in WATCHED_MODELS)
        and not meta.model_name.startswith("historical")
        # Updates are compared by their published fingerprint instead (see connect_signals).
        and sender is not ProgressUpdate
    )


def _before_save(sender, instance, raw: bool = False, using: str = "default", **kwargs) -> None:
    if not _watched(sender) or raw or instance._state.adding or instance.pk is None:
        return
    stored = sender._base_manager.using(using).filter(pk=instance.pk).first()
    instance._public_view_before = _view_or_unknown(stored) if stored is not None else None


def _after_save(sender, instance, raw: bool = False, using: str = "default", **kwargs) -> None:
    if not _watched(sender):
        return
    before = instance.__dict__.pop("_public_view_before", None)
    if raw or _view_or_unknown(instance) != before:
        _on_commit_once(bump, using)


def _after_delete(sender, instance, using: str = "default", **kwargs) -> None:
    if _watched(sender) and _view_or_unknown(instance) is not None:
        _on_commit_once(bump, using)


def _after_m2m_change(sender, instance, action: str, using: str = "default", **kwargs) -> None:
    if action.startswith("post_") and _watched(sender) and _view_or_unknown(instance) is not None:
        _on_commit_once(bump, using)


def _after_positions_refreshed(sender, using: str = "default", **kwargs) -> None:
    _on_commit_once(count_published_updates_change, using)


def _on_commit_once(func: Callable[[], None], using: str) -> None:
    """Run `func` once after the commit, however many writes of the transaction ask for it.

    Each write registers its own callback (a savepoint rolled back drops only its own), and
    the callbacks waiting together share a token: the first to run does the work.
    """
    connection = transaction.get_connection(using)
    tokens = connection.__dict__.setdefault("_public_freshness_pending", {})
    token = tokens.get(func)
    if token is None or token["done"]:
        token = tokens[func] = {"done": False}

    def run_once() -> None:
        if not token["done"]:
            token["done"] = True
            func()

    transaction.on_commit(run_once, using=using)
