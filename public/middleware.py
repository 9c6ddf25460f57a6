"""Conditional GET and a response cache for the public pages, both keyed by the site's stamp.

The WSGI entry point (harris_tracker/wsgi.py) asks `kept_response()` first and answers a
repeat view before Django's handler runs at all. The middleware, at the top of the stack
under only the request log, keeps the pages as the stack finished them, and answers a
repeat view that comes through Django (the test client, another server) before the
security, session, CSRF, auth, OTP, messages, history and axes middlewares run. What is
kept is the response as the whole stack finished it, so a page from the cache carries the
very same security headers and CSP as a fresh one.

A browser that sends back the ETag it was given gets a 304 for the price of one query when
the page is in the cache, and otherwise once the view has answered 200: a URL that answers
404 or 400 never gets a 304. Any other repeat view of a page is served from the cache. Any
change to the public data changes the stamp (see `public.freshness`), and a kept page is
served only under the stamp it was made with, so nobody is ever shown a stale page.

The cache is the default cache: each worker's own memory, or Redis shared by every worker
and instance when `REDIS_URL` is set, with the worker's memory in front of it (see the
README's settings table).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.cache import BaseCache, cache, caches
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from redis.exceptions import RedisError

from public import freshness

logger = logging.getLogger(__name__)

#: Paths that are not public pages, or must always be answered afresh (the owner portal's
#: pages differ for each signed-in contact).
EXCLUDED_PREFIXES = ("/admin/", "/healthz", "/static/", "/owners/")
#: A streamed response (a download) is kept only up to this size.
STREAM_CACHE_LIMIT = 1024 * 1024
#: Headers a 304 leaves out: they describe a body it does not have.
BODY_HEADERS = frozenset({"content-type", "content-length", "content-disposition"})

#: Where the request's stamp is kept once read (a WSGI environ key no client header can set).
STAMP_KEY = "harris_tracker.public_stamp"

#: The worker's own cache in front of a shared one (Redis), when settings name it.
LOCAL_CACHE = "local"

#: The headers of a kept page as Django's `ResponseHeaders` holds them (lower-case name ->
#: (name, value)), already checked when the page was made.
Headers = dict[str, tuple[str, str]]
#: What is kept of a page: the stamp it was made under, its status, headers and body.
Entry = tuple[str, int, Headers, bytes]


class PublicPageFreshnessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not _may_keep(request):
            return self.get_response(request)
        # Read once a request: the WSGI entry point may have read it already. The view may
        # keep values read for it (freshness.remembered).
        stamp = request.META.get(STAMP_KEY) or freshness.stamp()
        request.META[STAMP_KEY] = stamp
        etag = f'"{stamp}"'
        known = _knows(request, etag)
        key = _key(request)
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        entry = _kept(key, stamp, seconds) if seconds else None
        if entry is not None:
            # Only a page that answered 200 is ever kept, so this URL exists.
            return _not_modified(entry[2]) if known else _from_entry(entry)
        response = self.get_response(request)
        if response.status_code != 200 or response.cookies or "Cookie" in response.get("Vary", ""):
            # A 404 or 400 stays one, whatever ETag the client sends; a page that depends
            # on the visitor is never kept.
            return response
        response["ETag"] = etag
        # Browsers may keep the page but must ask (cheaply, with If-None-Match) before reuse.
        patch_cache_control(response, no_cache=True)
        if known and response.streaming:
            response.close()  # a download is not produced only to be thrown away
            return _not_modified(response.headers._store)
        if seconds and response.streaming:
            response.streaming_content = _kept_as_streamed(
                response, response.streaming_content, key, seconds, stamp
            )
        elif seconds:
            _keep(key, _entry(response, stamp, response.content), seconds)
        return _not_modified(response.headers._store) if known else response


def kept_response(request: HttpRequest) -> HttpResponseBase | None:
    """The kept answer to a repeat view (the page, or a 304), None if it must be rendered.

    For the WSGI entry point (harris_tracker/wsgi.py), which asks before Django's handler
    runs at all; whatever it does not answer goes through the middleware above as usual.
    """
    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
    if not seconds or not _may_keep(request):
        return None
    # Read here unless the entry point has read it; kept for the middleware, on a miss.
    stamp = request.META.get(STAMP_KEY) or freshness.stamp()
    request.META[STAMP_KEY] = stamp
    entry = _kept(_key(request), stamp, seconds)
    if entry is None:
        return None
    return _not_modified(entry[2]) if _knows(request, f'"{stamp}"') else _from_entry(entry)


def _may_keep(request: HttpRequest) -> bool:
    return (
        not settings.DEBUG
        and request.method in ("GET", "HEAD")
        and not request.path.startswith(EXCLUDED_PREFIXES)
    )


def _knows(request: HttpRequest, etag: str) -> bool:
    """Whether the client already has the page of this `etag` (If-None-Match)."""
    sent = request.META.get("HTTP_IF_NONE_MATCH")
    return sent is not None and etag in parse_etags(sent)


def _key(request: HttpRequest) -> str:
    """The scheme and host are part of the key: a plain-HTTP request is redirected, not
    served, and a host not allowed is refused here (get_host()), before any cache lookup."""
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return "public-page:" + hashlib.sha256(url.encode()).hexdigest()


def _kept(key: str, stamp: str, seconds: int) -> Entry | None:
    """The page kept under `key` if it was made under `stamp`, looked for nearest first.

    With Redis, the worker's own memory is asked first: a repeat view then costs the stamp's
    query and no second round trip, and Redis still spares every other worker and instance
    the render. Either copy is used only if its stamp is the current one.
    """
    local = _local_cache()
    if local is not None:
        entry = local.get(key)
        if entry is not None and entry[0] == stamp:
            return entry
    try:
        entry = cache.get(key)
    except RedisError:
        logger.warning("The page cache (Redis) did not answer: %s is rendered afresh", key)
        return None
    if entry is None or entry[0] != stamp:
        return None
    if local is not None:
        local.set(key, entry, seconds)
    return entry


def _keep(key: str, entry: Entry, seconds: int) -> None:
    local = _local_cache()
    if local is not None:
        local.set(key, entry, seconds)
    try:
        cache.set(key, entry, seconds)
    except RedisError:
        logger.warning("The page cache (Redis) did not answer: %s is not kept there", key)


def _local_cache() -> BaseCache | None:
    return caches[LOCAL_CACHE] if LOCAL_CACHE in settings.CACHES else None


def _entry(response: HttpResponseBase, stamp: str, body: bytes) -> Entry:
    # Plain strings and bytes: cheaper to store and read back than a pickled response.
    return (stamp, response.status_code, dict(response.headers._store), body)


def _from_entry(entry: Entry) -> HttpResponse:
    """The kept page as a new response, its headers taken as they were kept.

    Django checks each header as it is set (type, charset, no newline); these were checked
    when the page was made, and checking a dozen again was a tenth of a repeat view. The
    dict is copied: a later middleware may change one response's headers, never the entry's.
    """
    _, status, headers, body = entry
    response = HttpResponse(body, status=status)
    response.headers._store = dict(headers)
    return response


def _not_modified(headers: Headers) -> HttpResponseNotModified:
    """A 304 with the page's own headers (ETag, Cache-Control, CSP…), as HTTP asks."""
    response = HttpResponseNotModified()
    response.headers._store = {
        lower: item for lower, item in headers.items() if lower not in BODY_HEADERS
    }
    return response


def _kept_as_streamed(
    response: HttpResponseBase, content: Iterator[bytes], key: str, seconds: int, stamp: str
) -> Iterator[bytes]:
    """Pass a streamed download on as it comes, keeping a copy if it is not too large."""
    chunks: list[bytes] | None = []
    size = 0
    for chunk in content:
        if chunks is not None:
            chunks.append(chunk)
            size += len(chunk)
            if size > STREAM_CACHE_LIMIT:
                chunks = None
        yield chunk
    if chunks is not None:
        body = b"".join(chunks)
        entry = _entry(response, stamp, body)
        # Whole in the cache, a download's length is known: sent with it, the body goes out
        # in one piece instead of in HTTP chunks that gunicorn copies to frame.
        entry[2]["content-length"] = ("Content-Length", str(len(body)))
        _keep(key, entry, seconds)
