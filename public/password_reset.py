"""The owner portal's "forgot password": limited, and sent in the background.

The page only counts the request and queues `send_password_reset` with the address typed:
whether the address belongs to a contact is looked up by the task, so the page takes the
same time, and reads the same, whoever asks. At most `PASSWORD_RESET_LIMIT_PER_ADDRESS`
requests an hour are sent to one address, and `PASSWORD_RESET_LIMIT_PER_CLIENT` an hour from
one client address (as django-ipware finds it behind the proxies, like the login lockout);
beyond that the page says the same and nothing is sent.
"""

from __future__ import annotations

import hashlib
import logging
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django_tasks import task

from public.forms import ContactPasswordResetForm

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60 * 60
EMAIL_TEMPLATE = "public/owners/email/password_reset.txt"
HTML_EMAIL_TEMPLATE = "public/owners/email/password_reset.html"
SUBJECT_TEMPLATE = "public/owners/email/password_reset_subject.txt"


def reset_allowed(*, address: str, client: str | None) -> bool:
    """Count one reset request for `address` from `client`: False once either is over its
    hourly limit (both are counted either way, so that a flood keeps being refused).

    The counters live in the cache framework (shared by every worker with Redis). Should the
    cache fail, the request is allowed: a contact locked out of their account is the worse
    failure, and the email still names the address it went to.
    """
    window = int(time.time() // WINDOW_SECONDS)
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()
    limits = {
        f"password-reset:address:{digest}:{window}": settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
        f"password-reset:client:{client or 'unknown'}:{window}": (
            settings.PASSWORD_RESET_LIMIT_PER_CLIENT
        ),
    }
    allowed = True
    for key, limit in limits.items():
        try:
            cache.add(key, 0, WINDOW_SECONDS)
            count = cache.incr(key)
        except Exception:  # the cache is down: see the docstring
            logger.warning("Could not count a password reset request", exc_info=True)
            continue
        allowed = allowed and count <= limit
    if not allowed:
        logger.warning("Password reset refused: over the hourly limit (client %s)", client)
    return allowed


@task()
def send_password_reset(address: str) -> str:
    """Queue a set-password email to each owner contact with this address (none if unknown).

    The link is made from SITE_URL, as the invitation's is, never from a request's Host
    header: a forged header would otherwise send a contact's token to another site.
    """
    form = ContactPasswordResetForm({"email": address})
    if not form.is_valid():
        return "not an email address"
    site = urlsplit(settings.SITE_URL)
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        subject_template_name=SUBJECT_TEMPLATE,
        email_template_name=EMAIL_TEMPLATE,
        html_email_template_name=HTML_EMAIL_TEMPLATE,
        extra_email_context={"site_url": settings.SITE_URL},
    )
    return "queued for every contact with that address"
