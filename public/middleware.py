"""Conditional GET and a response cache for the public pages, both keyed by the site's stamp.

A browser that sends back the ETag it was given gets a 304 for the price of one query when
the page is in the cache, and otherwise once the view has answered 200: a URL that answers
404 or 400 never gets a 304. Any other repeat view of a page is served from the cache. Any
change to the public data changes the stamp (see `public.freshness`), so nobody is ever shown
a stale page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags, quote_etag

from public import freshness

#: Paths that are not public pages, or must always be answered afresh (the owner portal's
#: pages differ for each signed-in contact).
EXCLUDED_PREFIXES = ("/admin/", "/healthz", "/static/", "/owners/")
#: A streamed response (a download) is kept only up to this size.
STREAM_CACHE_LIMIT = 1024 * 1024


class PublicPageFreshnessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.DEBUG
            or request.method not in ("GET", "HEAD")
            or request.path.startswith(EXCLUDED_PREFIXES)
        ):
            return self.get_response(request)
        etag = quote_etag(freshness.stamp())
        known = etag in parse_etags(request.headers.get("If-None-Match", ""))
        key = (
            "public-page:"
            + hashlib.sha256(f"{etag} {request.build_absolute_uri()}".encode()).hexdigest()
        )
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        response = cache.get(key) if seconds else None
        if response is not None:
            # Only a page that answered 200 is ever kept, so this URL exists.
            return _not_modified(etag) if known else response
        response = self.get_response(request)
        if response.status_code != 200 or response.cookies or "Cookie" in response.get("Vary", ""):
            # A 404 or 400 stays one, whatever ETag the client sends.
            return response
        response["ETag"] = etag
        # Browsers may keep the page but must ask (cheaply, with If-None-Match) before reuse.
        patch_cache_control(response, no_cache=True)
        if known and response.streaming:
            response.close()  # a download is not produced only to be thrown away
            return _not_modified(etag)
        if seconds and response.streaming:
            response.streaming_content = _kept_as_streamed(
                response, response.streaming_content, key, seconds
            )
        elif seconds:
            cache.set(key, response, seconds)
        return _not_modified(etag) if known else response


def _not_modified(etag: str) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    return response


def _kept_as_streamed(
    response: HttpResponse, content: Iterator[bytes], key: str, seconds: int
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
        copy = HttpResponse(b"".join(chunks), status=response.status_code)
        for header, value in response.items():
            copy[header] = value
        cache.set(key, copy, seconds)
