"""What the public site keeps of its own: a counter of changes to the public data."""

from django.db import models


class SiteChange(models.Model):
    """One row whose `version` goes up after every committed change to the public data.

    The public pages' ETag and response cache are keyed by it (see `public.freshness`), so a
    repeat view is cheap and a change shows at once on every worker.
    """

    version = models.PositiveBigIntegerField(default=0)
    # What the published progress updates looked like at the last count (see
    # `public.freshness.published_updates_fingerprint`): bulk writes of updates send no
    # model signals, so whether they changed anything public is told by comparing this.
    published_updates = models.CharField(max_length=64, blank=True, editable=False)
    #: When `version` last went up: the open-data package's last-modified date.
    changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "site change counter"

    def __str__(self) -> str:
        return f"version {self.version}"
