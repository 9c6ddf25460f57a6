"""The version that optimistic locking compares (see recommendations/admin_locking.py).

Every save of a versioned row moves its version on from the *stored* one, whoever saves it —
the admin, an import or a service — so a form opened before any of them is refused.
"""

from __future__ import annotations

from django.db import models, transaction


class VersionedModel(models.Model):
    """A model whose rows carry a version that every save moves on."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None:
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using")):
            # Read under the row lock: an old copy saved later still moves the version on,
            # never back to a value a form that is open elsewhere would match.
            stored = (
                type(self)
                ._base_manager.select_for_update()
                .filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
            )
            if stored is not None:
                self.version = stored + 1
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            return super().save(*args, **kwargs)
