"""Repeat views of the public pages: conditional GET and a page cache, both keyed by the stamp.

Every public page's ETag is the stamp of the public data (`public.freshness`). It moves when,
and only when, something public changes, so a browser's repeat view is a 304 until then, and
polling a page tells nobody when staff are at work on unpublished things.

Pages are kept in Django's `pages` cache under that stamp: a change shows on the very next
request, on every worker and every instance, without anything to purge. Only what a visitor
cannot multiply is kept, so the entries stay bounded by the site's own pages:

- a 200 answer to GET or HEAD of a path without a query string (tracking parameters such as
  `utm_source` aside): a search or a filter is rendered afresh, in milliseconds;
- keyed by the path alone: not by the host, which ALLOWED_HOSTS has already let in and which
  no page depends on (absolute links come from SITE_URL);
- never a download that streams, a response that sets a cookie or one that varies on it.

The middleware sits below SecurityMiddleware, which redirects a plain-HTTP request before
the cache is asked and adds its headers to every answer, and above the Content Security
Policy and the rest, whose headers the kept page carries as they were made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control

from public import freshness
from public.filters import is_tracking

#: Paths that are not public pages, or differ for each signed-in contact (the portal).
EXCLUDED_PREFIXES = ("/admin/", "/healthz", "/static/", "/owners/")
#: Headers a 304 leaves out: they describe a body it does not have.
BODY_HEADERS = frozenset({"content-type", "content-length", "content-disposition"})


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD") or request.path.startswith(EXCLUDED_PREFIXES):
            return self.get_response(request)
        try:
            stamp = freshness.stamp()
        except DatabaseError:
            # No stamp, no cache: the page is answered as it can be (a 503 from the error
            # handler, through the middlewares below, with every header).
            return self.get_response(request)
        with freshness.stamp_for_request(stamp):
            return self._answer(request, stamp)

    def _answer(self, request: HttpRequest, stamp: str) -> HttpResponseBase:
        key = _cache_key(request, stamp)
        pages = caches["pages"]
        response = pages.get(key) if key else None
        if response is None:
            response = self.get_response(request)
            if (
                response.status_code != 200
                or response.cookies
                or "Cookie" in response.get("Vary", "")
            ):
                # A 404 or 400 stays one, whatever ETag the client sends.
                return response
            # A view may tag its response itself (the report PDF: its edition's fingerprint,
            # checked before it opens the file); the stamp tags every other.
            response.headers.setdefault("ETag", f'"{stamp}"')
            # Browsers may keep the page but must ask (cheaply, If-None-Match) before reuse.
            patch_cache_control(response, no_cache=True)
            if key and not response.streaming:
                # One piece: a feed is written in thousands, each a write to the socket.
                response.content = response.content
                pages.set(key, response, settings.PUBLIC_PAGE_CACHE_SECONDS)
        conditional = get_conditional_response(request, etag=response["ETag"], response=response)
        if conditional is not response:
            # A 304 carries the page's own headers (CSP…), as HTTP allows, but no body's.
            for header, value in response.items():
                if header.lower() not in BODY_HEADERS:
                    conditional.headers.setdefault(header, value)
        elif request.method == "HEAD" and not response.streaming:
            response.content = b""  # no body; Content-Length stays the page's, as HTTP asks
        return conditional


def _cache_key(request: HttpRequest, stamp: str) -> str | None:
    """The page's key in the cache, or None if it is not to be kept (see the module's text)."""
    if settings.DEBUG or not settings.PUBLIC_PAGE_CACHE_SECONDS:
        return None
    if any(not is_tracking(name) for name in request.GET):
        return None
    path = hashlib.blake2b(request.path.encode(), digest_size=16).hexdigest()
    return f"page:{stamp}:{path}"
