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


class ReportEdition(models.Model):
    """A built PDF of a year's annual report, kept in storage (STORAGES "default") so that
    every worker of every instance serves the same file; built by a background task
    (`public.publications`), never by a request.

    One row per year and content: a build whose report reads the same as an edition already
    built only moves that edition's `as_at` forward.
    """

    year = models.PositiveSmallIntegerField()
    #: A digest of the report's HTML and stylesheets: the same content, the same edition.
    fingerprint = models.CharField(max_length=64)
    file = models.FileField(upload_to="publications/", max_length=200)
    built_at = models.DateTimeField()
    #: The last time a build found the public data still reads as this edition.
    as_at = models.DateTimeField()

    class Meta:
        ordering = ["year", "-as_at"]
        constraints = [
            # Each year's content is built once.
            models.UniqueConstraint(
                fields=["year", "fingerprint"], name="one_edition_per_content"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} report as at {self.as_at:%Y-%m-%d %H:%M}"
