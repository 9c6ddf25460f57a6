"""WSGI entry point: gunicorn harris_tracker.wsgi.

A repeat view of a public page is answered here, before Django's request handling (its
signals, request and response objects, middleware chain) runs: from the page cache, under
the current stamp, with the headers the whole stack gave the page when it was made
(public/middleware.py). Everything else, and every page not kept, goes to Django as usual.

The pages served so are remembered by the request values Django worked their URL, host and
scheme out from: the next request with the very same values costs the stamp's read and a
dictionary lookup, without Django's request object, host check, cache key or response
object again: a repeat view in one process went from 0.045 to 0.010 ms of CPU on SQLite and
from 0.13 to 0.06 ms on PostgreSQL, where most of what is left is the stamp's round trip.
"""

from __future__ import annotations

import os
import select
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from itertools import islice
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.signals import setting_changed
from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harris_tracker.settings")

#: The request values `HttpRequest.scheme`, `.get_host()` and `.get_full_path()` read,
#: besides the proxy's scheme header that settings name (SECURE_PROXY_SSL_HEADER).
REQUEST_VALUES = (
    "wsgi.url_scheme",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
)


class Served(NamedTuple):
    """A page served from the cache, ready to serve again under the same stamp."""

    stamp: str
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    path: str
    #: When it is no longer served from here (`time.perf_counter()`), as the cache's own
    #: entry would expire: PUBLIC_PAGE_CACHE_SECONDS.
    until: float


class WaitingRequests:
    """Lets one read of the stamp serve the requests that were already waiting when it began.

    A read that begins after a request's first bytes reached the server sees every change
    committed before the request was sent, which is all the very next request after a
    change may ask for. So before each read, the worker's other keep-alive connections are
    polled once (no waiting): those with bytes already waiting are marked with the stamp
    read, and the next request on each is answered under it without a read of its own. On
    PostgreSQL the read is a round trip that cost more machine time than the rest of a
    repeat view; under load, with most of a worker's connections waiting their turn, one
    read serves several requests. With one connection, or none waiting, every request reads.

    Only plain HTTP/1.x connections whose last request had no body are marked, and only if
    the bytes waiting begin with a letter: they can then only be the next request's method
    (gunicorn drains an unread body before a connection goes back to waiting). A mark is
    taken by the very next request on its connection, whatever that request is, so it never
    reaches a request sent after the read; with several threads, a connection whose next
    request began while the stamp was being read is not marked.

    Under wrk -c16 on two workers, a worker made one read for about six requests, and
    PostgreSQL's repeat views went from 0.59-0.84 of the bare view to 0.78-1.21 over five
    runs of `make bench` (the lowest the two largest pages, which their bytes hold back).
    """

    #: At most this many connections are polled before a read.
    POLLED = 64

    def __init__(self, read: Callable[[], str]) -> None:
        self.read = read
        self.lock = threading.Lock()
        #: By the connection's socket (gunicorn's `gunicorn.socket`): [requests seen, whether
        #: waiting bytes can only be a request, the stamp its next request may take].
        self.connections: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def arrived(self, environ: dict) -> str | None:
        """Note a request's arrival; the stamp it may be answered under, if one was read
        while it was waiting."""
        sock = environ.get("gunicorn.socket")
        if sock is None:
            return None
        plain = (
            type(sock) is socket.socket
            and environ.get("SERVER_PROTOCOL") in ("HTTP/1.1", "HTTP/1.0")
            and not environ.get("CONTENT_LENGTH", "0").strip("0")
            and "HTTP_TRANSFER_ENCODING" not in environ
        )
        with self.lock:
            state = self.connections.get(sock)
            if state is None:
                self.connections[sock] = [1, plain, None]
                return None
            state[0] += 1
            state[1] = plain
            stamp, state[2] = state[2], None
        return stamp

    def stamp(self, environ: dict) -> str:
        """The stamp read now, marked for the requests waiting on other connections."""
        current = environ.get("gunicorn.socket")
        with self.lock:
            try:
                candidates = list(
                    islice(
                        (
                            (sock, state[0])
                            for sock, state in self.connections.items()
                            if sock is not current and state[1] and state[2] is None
                        ),
                        self.POLLED,
                    )
                )
            except RuntimeError:  # a socket let go by gunicorn meanwhile: just read
                candidates = []
        by_fd = {}
        if candidates:
            poller = select.poll()
            for sock, requests in candidates:
                fd = sock.fileno()
                if fd >= 0:
                    poller.register(fd, select.POLLIN)
                    by_fd[fd] = (sock, requests)
        ready = poller.poll(0) if by_fd else ()
        waiting = [by_fd[fd] for fd, _ in ready if _request_begun(by_fd[fd][0])]
        stamp = self.read()
        if waiting:
            with self.lock:
                for sock, requests in waiting:
                    state = self.connections.get(sock)
                    # Unless its next request has begun meanwhile (another thread).
                    if state is not None and state[0] == requests:
                        state[2] = stamp
        return stamp


def _request_begun(sock: socket.socket) -> bool:
    """Whether the bytes waiting on `sock` begin a request line (a method's first letter).

    gunicorn skips one empty line before a request (RFC 9112, 2.2): a stray CRLF, or the
    end of the connection, is waiting bytes that are no request yet.
    """
    try:
        first = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except OSError:
        return False
    return first.isalpha()


class RepeatViews:
    """Serves kept public pages in front of `app` (Django's WSGI handler)."""

    def __init__(self, app: WSGIHandler) -> None:
        from harris_tracker.logging import log_line, log_request
        from public.freshness import stamp
        from public.middleware import STAMP_KEY, kept_response

        self.app = app
        self.kept_response = kept_response
        self.log_request = log_request
        self.log_line = log_line
        self.stamp_key = STAMP_KEY
        self.waiting = WaitingRequests(stamp)
        #: Pages served from the cache, by the request's values named in `self.values`.
        self.served: dict[tuple, Served] = {}
        self._read_settings()
        setting_changed.connect(self._settings_changed)

    def _read_settings(self, **kwargs: object) -> None:
        header = settings.SECURE_PROXY_SSL_HEADER
        self.values = REQUEST_VALUES + ((header[0],) if header else ())
        self.limit = settings.PUBLIC_PAGE_CACHE_ENTRIES

    def _settings_changed(self, **kwargs: object) -> None:
        """Settings may change what a request's values mean (the hosts allowed): forget."""
        self.served.clear()
        self._read_settings()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        shared = self.waiting.arrived(environ)
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        started = time.perf_counter()
        if shared is not None:
            environ[self.stamp_key] = shared
        values = tuple(map(environ.get, self.values))
        served = self.served.get(values) if method == "GET" else None
        if served is not None and "HTTP_IF_NONE_MATCH" not in environ:
            try:
                stamp = shared or self.waiting.stamp(environ)
            except DatabaseError:
                return self.app(environ, start_response)  # Django answers and logs it
            if stamp == served.stamp and started < served.until:
                self.log_line(method, served.path, 200, started)
                start_response(served.status, served.headers)
                return [served.body]
            self.served.pop(values, None)
            environ[self.stamp_key] = stamp  # read once a request
        request = WSGIRequest(environ)
        try:
            response = self.kept_response(request)
        except (SuspiciousOperation, DatabaseError):
            # A host not allowed, a database not answering: Django answers and logs it.
            response = None
        if response is None:
            return self.app(environ, start_response)
        self.log_request(request, response.status_code, started)
        status = f"{response.status_code} {response.reason_phrase}"
        headers = list(response.headers._store.values())
        start_response(status, headers)
        if method == "GET" and response.status_code == 200:
            self._remember(values, request, status, headers, response.content)
        return [response.content]

    def _remember(
        self, values: tuple, request: WSGIRequest, status: str, headers: list, body: bytes
    ) -> None:
        """Keep a page just served from the cache, the oldest given up beyond the limit."""
        if self.limit <= 0:
            return
        while len(self.served) >= self.limit:
            try:
                del self.served[next(iter(self.served))]
            except (KeyError, RuntimeError, StopIteration):  # another thread took it first
                break
        self.served[values] = Served(
            stamp=request.META[self.stamp_key],
            status=status,
            headers=headers,
            body=body,
            path=request.path,
            until=time.perf_counter() + settings.PUBLIC_PAGE_CACHE_SECONDS,
        )


application = RepeatViews(get_wsgi_application())
