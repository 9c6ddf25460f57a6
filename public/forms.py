"""Forms of the public site."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone

from recommendations.models import Review, Status
from reporting.outbox import queue_email


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
        if not value:
            return value
        published = Review.objects.default().published_on
        if value < published:
            raise forms.ValidationError(
                f"The Review was published on {published:%-d %B %Y}: choose a date on or after it"
            )
        return value

    def error_messages(self) -> list[str]:
        return [f"as_at: {error}" for error in self.errors.get("as_at", [])]


class ContactSignInForm(AuthenticationForm):
    """The owner portal's sign-in: only owner contacts get in this way; staff use the admin."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "The email address and password do not match an account: check both "
        "and try again",
        "not_a_contact": "This sign-in is for owners' contacts. MOPAC staff sign in to the admin",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].help_text = "The address MOPAC invited."

    def clean_username(self) -> str:
        # Invited contacts' usernames are their email addresses in lower case.
        username = self.cleaned_data["username"].strip()
        return username.lower() if "@" in username else username

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if user.is_staff or not hasattr(user, "owner_contact"):
            raise forms.ValidationError(self.error_messages["not_a_contact"], code="not_a_contact")


class ContactPasswordResetForm(PasswordResetForm):
    """Sends a set-password link to owner contacts only, whether or not they ever set one.

    Django's form skips users without a usable password, which is every contact who has not
    yet followed their invitation: "forgot password" must work for them too. It says nothing
    about whether the address is known.
    """

    def get_users(self, email: str):
        return get_user_model()._default_manager.filter(
            email__iexact=email, is_active=True, is_staff=False, owner_contact__isnull=False
        )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Queue the email in the outbox, which sends it and retries a failure."""
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        html = ""
        if html_email_template_name:
            html = render_to_string(html_email_template_name, context)
        queue_email(
            kind="password_reset",
            to=to_email,
            subject=subject,
            text=render_to_string(email_template_name, context),
            html=html,
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files; the service checks each one's type and size by its content."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class OwnerUpdateForm(forms.Form):
    """An owner's update on one recommendation, for an officer to review before publication."""

    request = forms.ModelChoiceField(
        queryset=None,
        label="Answering for",
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your organisations' requests"},
    )
    text = forms.CharField(
        label="Your update",
        help_text="What has been done since the last published update, and what remains.",
        error_messages={"required": "Enter the text of your update"},
        widget=forms.Textarea(attrs={"class": "input textarea", "rows": 10}),
    )
    date = forms.DateField(
        label="The date your update describes",
        help_text="The position as at this date, for example 2018-03-31.",
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "Enter the date your update describes",
            "invalid": "Enter the date as YYYY-MM-DD, for example 2018-03-31",
        },
        # A date input only takes ISO dates, whatever the site's locale formats dates as.
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"type": "date", "class": "input input--date"}
        ),
    )
    proposed_status = forms.ChoiceField(
        label="The status you propose",
        choices=Status.choices,
        help_text="Proposing Resolved or Resolved by other means asks for the recommendation "
        "to be closed: an officer confirms or declines it.",
        error_messages={"required": "Choose the status you propose"},
        widget=forms.RadioSelect,
    )
    evidence = MultipleFileField(
        label="Evidence (optional)",
        required=False,
    )

    def __init__(self, *args, requests, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The total is a setting (EVIDENCE_MAX_TOTAL_BYTES): say the one in force.
        self.fields["evidence"].help_text = (
            "PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), PNG or JPEG files, at "
            f"most 10 MB each and {filesizeformat(settings.EVIDENCE_MAX_TOTAL_BYTES)} in all. "
            "You can choose several. Officers see them; the public does not unless an officer "
            "publishes one."
        )
        self.fields["request"].queryset = requests
        self.fields["request"].label_from_instance = lambda request: (
            f"{request.organisation.display_name}"
            f" ({'lead owner' if request.is_lead else 'contributing'}), {request.round.name}"
        )
