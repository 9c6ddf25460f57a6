"""The site's URLs plus stand-ins for the owner portal's, for a tree without the portal.

Emails link to the portal by name; these names and paths are the ones the portal defines.
"""

from django.http import Http404
from django.urls import include, path

from harris_tracker.urls import urlpatterns as site_urlpatterns


def _absent(request, **kwargs):
    raise Http404


portal = (
    [
        path("", _absent, name="home"),
        path("password/set/<uidb64>/<token>/", _absent, name="password-set"),
        path("recommendations/<int:number>/", _absent, name="recommendation"),
    ],
    "owners",
)

urlpatterns = [path("owners/", include(portal)), *site_urlpatterns]
