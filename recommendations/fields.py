"""Text fields that store clean text, whichever way the value arrives.

A control character (a vertical tab pasted from Word, a backspace from a spreadsheet) is
invisible on a page but not allowed in XML 1.0: one such character in an update made every
feed carrying it fail. These fields drop them on every write path — forms and the admin
(`to_python`, through `full_clean`), `save()` and `bulk_create` (`pre_save`), and
`QuerySet.update()` (`get_prep_value`) — so services, imports and fixtures need not remember.
Tab and newline stay; a carriage return becomes a newline.
"""

from __future__ import annotations

import re

from django.db import models

# C0 controls except tab and newline, DEL, and the two code points XML 1.0 also forbids.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


def clean_text(value):
    """The text with carriage returns made newlines and other control characters removed."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


class CleanTextMixin:
    def to_python(self, value):
        return clean_text(super().to_python(value))

    def pre_save(self, model_instance, add):
        value = clean_text(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        return clean_text(super().get_prep_value(value))


class CleanCharField(CleanTextMixin, models.CharField):
    """A CharField that stores no control characters."""


class CleanTextField(CleanTextMixin, models.TextField):
    """A TextField that stores no control characters (tab and newline stay)."""
