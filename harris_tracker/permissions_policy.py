"""The Permissions-Policy header: the site uses no powerful browser feature, so it asks for none.

It sits outside the page cache and whitenoise, so that a page served from the cache, a
static file and a freshly rendered page carry the same header.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response
