"""How fresh the public site is: a stamp that changes whenever anything public may have changed.

The stamp combines the change counter (`SiteChange.version`, bumped after every committed save,
delete or many-to-many change of a model of the recommendations and boards apps, and after
every refresh of the recommendations' positions, which bulk writes of progress updates reach
without model signals), today's date (overdue actions, file names) and the release
(templates and code). Reading it costs one primary-key lookup, whatever the size of the data.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from public.models import SiteChange
from recommendations.signals import positions_refreshed

WATCHED_APPS = frozenset({"recommendations", "boards"})
RELEASE_DIRS = ("templates", "static", "public", "recommendations", "boards", "harris_tracker")


def connect_signals() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_change, dispatch_uid=f"public.freshness.{signal!r}")
    positions_refreshed.connect(_on_change, dispatch_uid="public.freshness.positions")


def _on_change(sender, using: str = "default", **kwargs) -> None:
    meta = getattr(sender, "_meta", None)
    if (
        meta is None
        or meta.app_label not in WATCHED_APPS
        or meta.model_name.startswith("historical")
    ):
        return
    transaction.on_commit(bump, using=using)


def bump() -> None:
    """Count one more change (the row is created on first use)."""
    if not SiteChange.objects.filter(pk=1).update(version=models.F("version") + 1):
        SiteChange.objects.get_or_create(pk=1, defaults={"version": 1})


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


def stamp() -> str:
    """The current stamp of the public data, in one query."""
    version = SiteChange.objects.filter(pk=1).values_list("version", flat=True).first()
    parts = f"{version}|{timezone.localdate()}|{release()}"
    return hashlib.blake2b(parts.encode(), digest_size=12).hexdigest()
