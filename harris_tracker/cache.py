"""Django's Redis cache, made so that a Redis that stops answering cannot stall the site.

A Redis that accepts connections but never answers costs every call its full timeout, and a
page makes several. So after one call fails (a timeout, a refused connection), this worker
stops asking Redis for `PAUSE_SECONDS` and uses a small cache in its own memory instead:
pages are then rendered from the database and kept per worker, as they are without Redis.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

#: The cache methods that reach Redis; each falls back to the worker's own memory.
GUARDED = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class FailSafeRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.pause_seconds = options.pop("PAUSE_SECONDS", 30)
        entries = options.pop("FALLBACK_ENTRIES", 500)
        # One try a call: redis-py's own retries would multiply the timeout.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self.fallback = LocMemCache(f"fallback-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": entries}})
        self.paused_until = 0.0

    def _guarded(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self.paused_until:
            return getattr(self.fallback, name)(*args, **kwargs)
        try:
            return getattr(super(), name)(*args, **kwargs)
        except RedisError as error:
            self.paused_until = time.monotonic() + self.pause_seconds
            logger.warning(
                "Redis did not answer (%s): this worker uses its own memory for %s s",
                error,
                self.pause_seconds,
            )
            return getattr(self.fallback, name)(*args, **kwargs)


def _guard(name: str):
    def method(self: FailSafeRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._guarded(name, *args, **kwargs)

    method.__name__ = name
    return method


for _name in GUARDED:
    setattr(FailSafeRedisCache, _name, _guard(_name))
