"""Conditional GET and a response cache for the public pages, both keyed by the site's stamp.

A browser that sends back the ETag it was given gets a 304 for the price of one query; any
other repeat view of a page is served from the cache. Any change to the public data changes
the stamp (see `public.freshness`), so nobody is ever shown a stale page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags, quote_etag

from public import freshness

#: Paths that are not public pages, or must always be answered afresh.
EXCLUDED_PREFIXES = ("/admin/", "/healthz", "/static/")
CACHE_SECONDS = 600


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
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            response = HttpResponseNotModified()
            response["ETag"] = etag
            return response
        key = (
            "public-page:"
            + hashlib.sha256(f"{etag} {request.build_absolute_uri()}".encode()).hexdigest()
        )
        response = cache.get(key)
        if response is not None:
            return response
        response = self.get_response(request)
        if response.status_code != 200 or response.cookies or "Cookie" in response.get("Vary", ""):
            return response
        response["ETag"] = etag
        # Browsers may keep the page but must ask (cheaply, with If-None-Match) before reuse.
        patch_cache_control(response, no_cache=True)
        if not response.streaming:
            cache.set(key, response, CACHE_SECONDS)
        return response
