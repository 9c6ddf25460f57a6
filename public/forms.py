"""Forms of the public site."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from recommendations.models import REVIEW_PUBLISHED


class AsAtForm(forms.Form):
    """The progress report's "as at" date (`?as_at=YYYY-MM-DD`)."""

    as_at = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        label="Show the position as at",
        help_text="A date such as 2017-10-31. Leave it empty for today.",
        error_messages={"invalid": "Enter the date as YYYY-MM-DD, for example 2017-10-31"},
        widget=forms.DateInput(attrs={"type": "date", "class": "input input--date"}),
    )

    def clean_as_at(self) -> datetime.date | None:
        value = self.cleaned_data["as_at"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future")
        if value and value < REVIEW_PUBLISHED:
            raise forms.ValidationError(
                f"The Review was published on {REVIEW_PUBLISHED:%-d %B %Y}: choose a date on or "
                "after it"
            )
        return value

    def error_messages(self) -> list[str]:
        return [f"as_at: {error}" for error in self.errors.get("as_at", [])]
