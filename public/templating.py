"""The Jinja2 environment of the public site's templates (`public/jinja2/`).

The public pages are rendered with Jinja2, not Django's template language: rendering was
65–85% of a fresh page (README, "Benchmark"), and Jinja2 compiles a template to Python once
instead of walking its nodes on every render. The admin and the emails keep Django's
templates.

The filters and globals below are the few that the public templates use, written for the
hot path: `url()` remembers what it has reversed (the URL configuration does not change
while a process runs), and `date` formats the site's few formats without the translation
machinery, in the site's time zone as Django's own `date` filter does.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat, linebreaksbr, pluralize
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat, timezone
from jinja2 import Environment

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
TRUNCATED = " …"
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def environment(**options: Any) -> Environment:
    env = Environment(**options)
    env.globals.update(url=url, static=cached_static, querystring=querystring)
    env.filters.update(
        date=date,
        truncatewords=truncatewords,
        linebreaksbr=linebreaksbr,
        filesizeformat=filesizeformat,
        pluralize=pluralize,
    )
    return env


@receiver(setting_changed)
def _forget_links(*, setting: str, **kwargs: Any) -> None:
    """Links and static addresses are remembered for the settings they were made under."""
    if setting in ("ROOT_URLCONF", "STATIC_URL", "STORAGES", "FORCE_SCRIPT_NAME"):
        _reverse.cache_clear()
        cached_static.cache_clear()


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """`reverse()`, remembered: a page asks for the same dozen links on every render.

    Remembered per URL configuration and prefix (SCRIPT_NAME), the two things besides its
    arguments that a reversed URL depends on.
    """
    key = (get_urlconf(), get_script_prefix(), name, args, tuple(sorted(kwargs.items())))
    return _reverse(*key)


def links(name: str) -> Callable[..., str]:
    """`url(name, …)` for many rows of one page (a link for each recommendation): the URL
    configuration and prefix are read once, not once a row."""
    urlconf, prefix = get_urlconf(), get_script_prefix()
    return lambda *args, **kwargs: _reverse(
        urlconf, prefix, name, args, tuple(sorted(kwargs.items()))
    )


@lru_cache(maxsize=4096)
def _reverse(urlconf: str | None, prefix: str, name: str, args: tuple, kwargs: tuple) -> str:
    return reverse(name, urlconf=urlconf, args=args, kwargs=dict(kwargs))


@lru_cache(maxsize=256)
def cached_static(path: str) -> str:
    return static(path)


def querystring(request: HttpRequest, **changes: Any) -> str:
    """The request's query string with `changes` applied (None removes a key), as Django's
    `{% querystring %}` tag gives it: starting with "?"."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + params.urlencode() if params else "?"


def date(value: datetime.date | datetime.datetime | None, format: str = "j F Y") -> str:
    """Django's `date` filter for the site's formats, without the translation machinery.

    An aware datetime is shown in the site's time zone, as Django's filter shows it; any
    format not written out here goes to Django's own formatter.
    """
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if format == "j F Y":
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if format == "Y-m-d":
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if format == "F Y":
        return f"{MONTHS[value.month - 1]} {value.year}"
    if format == "l j F Y":
        return f"{DAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"
    return dateformat.format(value, format)


def truncatewords(value: Any, length: int) -> str:
    """At most `length` words, and " …" when some were cut, as Django's filter gives it.

    Written out rather than through `Truncator`, a lazy object whose every attribute
    lookup is slow: the organisation page truncates fifty texts.
    """
    if length <= 0:
        return ""
    words = str(value).split()
    if len(words) <= length:
        return " ".join(words)
    text = " ".join(words[:length])
    return text if text.endswith(TRUNCATED) else text + TRUNCATED
