"""Forms of the staff pages (the admin): status updates, withdrawal, imports and exports."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export.forms import ConfirmImportForm, ImportForm, SelectableFieldsExportForm

from recommendations.models import ProgressUpdate, Recommendation, Status
from recommendations.spreadsheets import ImportFileError, check_upload, read_spreadsheet

PUBLISH_CHOICES = [("publish", "Publish now"), ("draft", "Save as drafts")]


def limit_publication(field: forms.ChoiceField, can_publish: bool, who_may_publish: str) -> None:
    """Publishing is the default for those who may; the others save drafts and are told who
    publishes them."""
    if can_publish:
        return
    field.choices = PUBLISH_CHOICES[1:]
    field.initial = "draft"
    who = who_may_publish or "someone who may publish"
    field.help_text = f"You can save drafts; {who} will publish them."


class RecommendationAdminForm(forms.ModelForm):
    """The recommendation's change form: a new expected completion date needs a reason."""

    target_date_reason = forms.CharField(
        label="Why the expected date changes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you set or change the expected completion date; "
        "shown publicly with the date's history.",
    )

    class Meta:
        model = Recommendation
        fields = [
            "review",
            "number",
            "section",
            "text",
            "made_on",
            "target_date",
            "response",
            "response_date",
            "response_text",
            "version",
        ]
        help_texts = {
            # The model's own help text names a database relation; officers read this one.
            "target_date": "When the owners expect to complete the work. Changing it needs a "
            "reason; every change is kept and listed under “Expected date changes” below.",
        }

    def clean(self):
        cleaned = super().clean()
        changed = "target_date" in self.changed_data and self.instance.pk
        if changed and not (cleaned.get("target_date_reason") or "").strip():
            self.add_error("target_date_reason", "Say why the expected completion date changes.")
        # made_on is read-only (not in the form) for everyone but superusers.
        made_on = cleaned.get("made_on", self.instance.made_on)
        target = cleaned.get("target_date")
        if target and made_on and target < made_on:
            self.add_error("target_date", "The date is before the recommendation was made.")
        if cleaned.get("response_date") and not cleaned.get("response"):
            self.add_error("response_date", "Choose the response this date is for.")
        return cleaned


class ProgressUpdateAdminForm(forms.ModelForm):
    """An update's admin form. Only a draft is edited here; what the public has seen is
    withdrawn and replaced instead."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        # Locked until the admin's transaction ends, so a publication that comes in now waits
        # for this save and then publishes the text saved here, never the other way round.
        stored = (
            ProgressUpdate.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values("published", "withdrawn_at")
            .first()
        )
        if stored and (stored["published"] or stored["withdrawn_at"]):
            state = "withdrawn" if stored["withdrawn_at"] else "published"
            raise ValidationError(
                f"This update was {state} since you opened it, so it can no longer be edited "
                "here: record a new update instead.",
                code="no_longer_a_draft",
            )
        return cleaned


class StatusUpdateForm(forms.Form):
    """The intermediate page of the "Record a status update" action."""

    status = forms.ChoiceField(choices=Status.choices)
    date = forms.DateField(
        initial=timezone.localdate,
        help_text="The date the update describes the position at (e.g. 31/10/2018).",
    )
    text = forms.CharField(
        label="Update", widget=forms.Textarea(attrs={"rows": 5}), help_text="What has been done."
    )
    source = forms.CharField(required=False, max_length=200)
    publication = forms.ChoiceField(
        label="Publish", choices=PUBLISH_CHOICES, widget=forms.RadioSelect, initial="publish"
    )

    def __init__(self, *args, can_publish: bool, who_may_publish: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        limit_publication(self.fields["publication"], can_publish, who_may_publish)

    def clean_date(self) -> datetime.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("An update cannot be dated in the future.")
        return date


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the update is withdrawn, e.g. “recorded against the wrong "
        "recommendation”. Kept with the update.",
    )


class UploadCheckMixin:
    """Refuse a file that is too large or not a .csv/.xlsx, with a message, before reading."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_upload(upload.name, upload.size)
            # Read it once here, so that an unreadable file gets its own plain message
            # ("Line 2 has 5 cells…") rather than django-import-export's generic one.
            read_spreadsheet(upload)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        finally:
            upload.seek(0)
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is not None:
            # The format follows the file's extension; nobody has to pick it.
            wanted = "xlsx" if upload.name.lower().endswith(".xlsx") else "csv"
            for index, fmt in enumerate(self.import_formats):
                if fmt().get_extension() == wanted:
                    cleaned["format"] = str(index)
        return cleaned


class SpreadsheetImportForm(UploadCheckMixin, ImportForm):
    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.import_formats = formats
        self.fields["format"].required = False
        self.fields["import_file"].help_text = "A .csv or .xlsx file."


class UpdateImportForm(SpreadsheetImportForm):
    """The progress-update import: the file, and whether its updates are published."""

    publication = forms.ChoiceField(
        label="Publish", choices=PUBLISH_CHOICES, widget=forms.RadioSelect, initial="publish"
    )

    def __init__(
        self, formats, resources, *, can_publish: bool = False, who_may_publish: str = "", **kwargs
    ):
        super().__init__(formats, resources, **kwargs)
        limit_publication(self.fields["publication"], can_publish, who_may_publish)


class UpdateConfirmImportForm(ConfirmImportForm):
    publication = forms.ChoiceField(choices=PUBLISH_CHOICES, widget=forms.HiddenInput)

    def __init__(self, *args, can_publish: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_publish:
            self.fields["publication"].choices = PUBLISH_CHOICES[1:]


class PositionExportForm(SelectableFieldsExportForm):
    """The export form, with the date the year's position is taken at."""

    position_as_at = forms.DateField(
        label="Position as at",
        required=False,
        help_text="The year's position on this date (e.g. 31/10/2018): each recommendation's "
        "status, latest published update and expected completion date as they stood that day. "
        "Empty: today.",
    )

    def clean_position_as_at(self) -> datetime.date | None:
        as_at = self.cleaned_data.get("position_as_at")
        today = timezone.localdate()
        if as_at and as_at > today:
            raise forms.ValidationError(
                f"The position can only be taken on a day that has come: "
                f"{as_at:%-d %B %Y} is after today, {today:%-d %B %Y}."
            )
        return as_at

    def _get_field_label(self, resource, field_name: str) -> str:
        # The column's own heading ("Latest update"), not the attribute's name.
        field = resource.fields.get(field_name)
        return field.column_name if field else super()._get_field_label(resource, field_name)
