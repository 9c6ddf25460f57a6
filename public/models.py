"""What the public site keeps of its own: a counter of changes to the public data."""

from django.db import models


class SiteChange(models.Model):
    """One row whose `version` goes up after every committed change to the public data.

    The public pages' ETag and response cache are keyed by it (see `public.freshness`), so a
    repeat view is cheap and a change shows at once on every worker.
    """

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "site change counter"

    def __str__(self) -> str:
        return f"version {self.version}"
