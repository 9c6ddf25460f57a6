"""Structured logs: one JSON object per line on stdout, and one line per request."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

request_logger = logging.getLogger("harris_tracker.requests")

# No log line shows the thread or the multiprocessing process's name (JSONFormatter leaves
# them out), so records need not look them up: that was a fifth of making the request log
# line, which is written for every request, a repeat view from the cache included. The
# process id stays (one getpid()): gunicorn's own lines in a worker show it, "[%(process)d]",
# and without it each of them (a worker exiting, an error handling a request) failed to
# format and was lost.
logging.logThreads = False
logging.logMultiprocessing = False

#: `json.dumps(entry, default=str)` without making a new encoder for every line (1.8 µs of
#: the 12 µs a request's log line took).
_to_json = json.JSONEncoder(default=str).encode


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
        return _to_json(entry)


class RequestLogMiddleware:
    """Logs method, path, status and duration of every request (never the query string,
    which may carry search words, nor any body)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        log_request(request, response.status_code, started)
        return response


def log_request(request: HttpRequest, status: int, started: float) -> None:
    """The request's one log line: method, path, status, duration since `started`, user."""
    user = getattr(request, "user", None)
    log_line(
        request.method,
        request.path,
        status,
        started,
        user.pk if user is not None and user.is_authenticated else None,
    )


def log_line(
    method: str | None, path: str, status: int, started: float, user_id: int | None = None
) -> None:
    """A request's log line from its plain values (see `log_request`)."""
    if not request_logger.isEnabledFor(logging.INFO):
        return
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    # Made directly rather than through info(): that walks the stack to find the caller,
    # which was a third of the cost of a page served from the cache.
    record = logging.LogRecord(
        request_logger.name,
        logging.INFO,
        __file__,
        0,
        "%s %s %s",
        (method, path, status),
        None,
        func="RequestLogMiddleware",
    )
    record.__dict__.update(
        method=method, path=path, status=status, duration_ms=duration_ms, user_id=user_id
    )
    request_logger.handle(record)
