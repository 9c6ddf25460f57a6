"""Absolute links on the public site come from SITE_URL, never from the request's Host.

A page is kept in the cache by its path alone and served to everyone, and the Host header is
the client's to write (a port is never checked against ALLOWED_HOSTS): a link made from it
could carry a stranger's address to every reader.
"""

from django.conf import settings


def absolute(path: str) -> str:
    """`path` (from `reverse()` or `get_absolute_url()`) as a full address on the site."""
    return f"{settings.SITE_URL}{path}"
