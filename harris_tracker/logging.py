"""Structured logs: one JSON object per line on stdout, and one line per request."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

request_logger = logging.getLogger("harris_tracker.requests")


class JSONFormatter(logging.Formatter):
    """Formats a record as one JSON line, with any `extra` fields the caller passed."""

    RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    _second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        # One line a request: the time is formatted once a second, not once a line.
        second, text = self._second
        if int(record.created) != second:
            text = self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z")
            self._second = (int(record.created), text)
        entry = {
            "time": text,
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            {key: value for key, value in vars(record).items() if key not in self.RESERVED}
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class RequestLogMiddleware:
    """Logs method, path, status and duration of every request (never the query string,
    which may carry search words, nor any body)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        if not request_logger.isEnabledFor(logging.INFO):
            return response
        user = getattr(request, "user", None)
        # Made directly rather than through info(): that walks the stack to find the caller,
        # which was a third of the cost of a page served from the cache.
        record = logging.LogRecord(
            request_logger.name,
            logging.INFO,
            __file__,
            0,
            "%s %s %s",
            (request.method, request.path, response.status_code),
            None,
            func="RequestLogMiddleware",
        )
        record.__dict__.update(
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=duration_ms,
            user_id=user.pk if user is not None and user.is_authenticated else None,
        )
        request_logger.handle(record)
        return response
