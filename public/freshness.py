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
import time
import weakref
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import (
    DEFAULT_DB_ALIAS,
    InterfaceError,
    OperationalError,
    connections,
    models,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.functions import Length
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone
from psycopg import OperationalError as DriverError
from psycopg import pq

from public.models import SiteChange
from public.prepared import fetch_all
from public.publications import schedule_report_builds
from recommendations.models import ProgressUpdate
from recommendations.signals import positions_refreshed

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
    """Count one more change (the row is created on first use)."""
    now = timezone.now()
    if not SiteChange.objects.filter(pk=1).update(version=models.F("version") + 1, changed_at=now):
        SiteChange.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": now})
    schedule_report_builds()


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
        SiteChange.objects.get_or_create(
            pk=1,
            defaults={
                "version": 1,
                "published_updates": fingerprint,
                "changed_at": timezone.now(),
            },
        )
    schedule_report_builds()


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


#: Values read from the public data, by name, with the stamp they were read under.
_REMEMBERED: dict[str, tuple[str, Any]] = {}


def remembered(stamp: str | None, name: str, read: Callable[[], Any]) -> Any:
    """`read()`'s value, read again only once the stamp has moved from the one it was read
    under: for what every page of a kind shows the same whatever the request (a filter's
    options), which a fresh render would otherwise read again for each search.

    Without a stamp (none read for this request), or inside a transaction (whose writes are
    not counted until its commit), it is simply read.
    """
    if stamp is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return read()
    kept = _REMEMBERED.get(name)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    value = read()
    _REMEMBERED[name] = (stamp, value)
    return value


def forget_remembered() -> None:
    """Forget every value `remembered()` kept (for tests, whose stamps repeat)."""
    _REMEMBERED.clear()


def last_changed() -> datetime.datetime | None:
    """When the public data last changed, as far as the counter has seen (None: never)."""
    return SiteChange.objects.filter(pk=1).values_list("changed_at", flat=True).first()


def stamp() -> str:
    """The current stamp of the public data, in one query.

    It is read before every public page, a repeat view included, where it was most of the
    work beyond Django's own: see `_version()` and `_today()` for how it is kept cheap.
    """
    return _stamp_of(_version(), _today())


def _version() -> int | None:
    """The change counter, in one round trip to the database.

    It is the first query of every public request, so it stands in for Django's connection
    health check (`CONN_HEALTH_CHECKS`), which would cost a `SELECT 1` round trip of its own
    first: a connection the database has dropped (a restart, a failover) fails this read
    instead, and is then replaced and the read made again, as the health check would have.

    The SQL is plain and has no parameters, and outside a transaction it goes to the
    driver itself (see `prepared.fetch_all`; on PostgreSQL libpq, below): building it
    through the ORM cost more than the rest of a repeat view, and Django's cursor wrapper
    took three quarters of the read's CPU time on SQLite (31 µs of 39) and two fifths on
    PostgreSQL (55 µs of 140), in one process.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.in_atomic_block or db.queries_logged:
        return _first(fetch_all(db, _VERSION_SQL))
    # The read below checks the connection; Django's own check need not (`_cursor()`).
    db.health_check_done = True
    try:
        return _read_version_raw(db)
    except (OperationalError, InterfaceError):
        db.close()
        return _read_version_raw(db)


def _first(rows: list[tuple]) -> int | None:
    return rows[0][0] if rows else None


def _read_version_raw(db: BaseDatabaseWrapper) -> int | None:
    """The counter read on the driver's connection, its errors made Django's as usual.

    On PostgreSQL through libpq itself (psycopg's public `Connection.pgconn`): psycopg's
    cursor took 81 µs of CPU for the read, libpq 29 µs. Only when the connection is idle
    outside any transaction, as Django's autocommit leaves it between queries.
    """
    if db.vendor == "postgresql":
        db.ensure_connection()
        with db.wrap_database_errors:
            version = _read_version_libpq(db.connection)
        if version is not _NOT_READ:
            return version
    return _first(fetch_all(db, _VERSION_SQL))


_NOT_READ = object()
#: The name of the stamp's read as a statement prepared on each PostgreSQL connection.
_STATEMENT = b"harris_tracker_stamp"
#: The connections it is prepared on.
_PREPARED_ON: weakref.WeakSet = weakref.WeakSet()
#: Whether to prepare it: not after a connection has lost it (a pooler in front of
#: PostgreSQL that hands each statement to any server connection).
_preparing = True


def _read_version_libpq(raw: Any) -> Any:
    """The counter read with libpq, or `_NOT_READ` if the connection is not idle.

    Prepared once a connection (`PQprepare`), then only executed: the server no longer
    parses and plans it on every request, which took 90 µs a read of wall time (53 µs
    prepared) on the development machine. If the server no longer knows the statement,
    it is read unprepared from then on.
    """
    global _preparing
    pgconn = raw.pgconn
    if pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return _NOT_READ
    # None: prepared statements are turned off (settings, DATABASE_PREPARED_STATEMENTS).
    preparing = _preparing and raw.prepare_threshold is not None
    if preparing and raw not in _PREPARED_ON:
        _check(pgconn, pgconn.prepare(_STATEMENT, _VERSION_SQL_BYTES), pq.ExecStatus.COMMAND_OK)
        _PREPARED_ON.add(raw)
    if preparing:
        result = pgconn.exec_prepared(_STATEMENT, [])
        if result.error_field(pq.DiagnosticField.SQLSTATE) == b"26000":  # no such statement
            _preparing = False
            result = pgconn.exec_(_VERSION_SQL_BYTES)
    else:
        result = pgconn.exec_(_VERSION_SQL_BYTES)
    _check(pgconn, result, pq.ExecStatus.TUPLES_OK)
    return int(result.get_value(0, 0)) if result.ntuples else None


def _check(pgconn: Any, result: Any, expected: pq.ExecStatus) -> None:
    """Raise the driver's error if `result` is not what was `expected`."""
    if result.status != expected:
        message = (result.error_message or pgconn.error_message).decode(errors="replace")
        raise DriverError(message.strip() or "the stamp's read failed")


#: The day the stamp was last made on, in the site's time zone, and when it began and ends
#: (seconds since the epoch).
_day: tuple[float, float, datetime.date | None] = (0.0, 0.0, None)


def _today() -> datetime.date:
    """Today in the site's time zone (`TIME_ZONE`), as `timezone.localdate()` gives it.

    Worked out once a day: converting the time to London's zone on every request cost a
    sixth of a repeat view's own work.
    """
    global _day
    now = time.time()
    begins, ends, day = _day
    if begins <= now < ends and day is not None:
        return day
    zone = timezone.get_default_timezone()
    day = datetime.datetime.fromtimestamp(now, zone).date()
    midnight = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    following = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    _day = (midnight.timestamp(), following.timestamp(), day)
    return day


@lru_cache(maxsize=16)
def _stamp_of(version: int | None, day: datetime.date) -> str:
    parts = f"{version}|{day}|{release()}"
    return hashlib.blake2b(parts.encode(), digest_size=12).hexdigest()


#: The counter's row is always the first (see `bump`).
_VERSION_SQL = f"SELECT version FROM {SiteChange._meta.db_table} WHERE id = 1"
_VERSION_SQL_BYTES = _VERSION_SQL.encode()


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
