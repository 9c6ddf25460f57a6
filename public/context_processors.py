from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """What every page's header and footer need."""
    return {"contact_email": settings.CONTACT_EMAIL}
