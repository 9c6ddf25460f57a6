"""The ceiling of `make bench`: a bare Django view, with no middleware, database or template.

Served by the same gunicorn, with the same workers and threads, as the site it is compared
with, through Django's own WSGI handler (`gunicorn bench.bare_wsgi`). Whatever a page costs
beyond this is the site's own work.
"""

import os

from django.http import HttpRequest, HttpResponse
from django.urls import path

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
ROOT_URLCONF = __name__
USE_TZ = True


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


#: Bodies of the sizes asked for, made once (`bench/site.py --size-floor`).
_BODIES: dict[int, bytes] = {}


def sized(request: HttpRequest, size: int) -> HttpResponse:
    """The bare view sending `size` bytes (at most 10 MB): what a page's bytes alone cost."""
    body = _BODIES.get(size)
    if body is None:
        body = _BODIES[size] = b"x" * min(size, 10_000_000)
    return HttpResponse(body, content_type="text/html; charset=utf-8")


urlpatterns = [path("bare/", bare), path("bytes/<int:size>/", sized)]
