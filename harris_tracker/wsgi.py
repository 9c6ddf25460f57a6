"""WSGI entry point: gunicorn harris_tracker.wsgi.

A repeat view of a public page is answered here, before Django's request handling (its
signals, request and response objects, middleware chain) runs: from the page cache, under
the current stamp, with the headers the whole stack gave the page when it was made
(public/middleware.py). Everything else, and every page not kept, goes to Django as usual.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable

from django.core.exceptions import SuspiciousOperation
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harris_tracker.settings")


class RepeatViews:
    """Serves kept public pages in front of `app` (Django's WSGI handler)."""

    def __init__(self, app: WSGIHandler) -> None:
        from harris_tracker.logging import log_request
        from public.middleware import kept_response

        self.app = app
        self.kept_response = kept_response
        self.log_request = log_request

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            started = time.perf_counter()
            request = WSGIRequest(environ)
            try:
                response = self.kept_response(request)
            except (SuspiciousOperation, DatabaseError):
                # A host not allowed, a database not answering: Django answers and logs it.
                response = None
            if response is not None:
                self.log_request(request, response.status_code, started)
                status = f"{response.status_code} {response.reason_phrase}"
                start_response(status, list(response.headers._store.values()))
                return [response.content]
        return self.app(environ, start_response)


application = RepeatViews(get_wsgi_application())
