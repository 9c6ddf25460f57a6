"""The tracker's admin site: Django's, with optional two-factor sign-in for staff.

With STAFF_TWO_FACTOR on, staff sign in with a password and a code from an authenticator app
(django-otp TOTP devices, added for each user in the admin under "TOTP devices"); a user
without a verified device is treated as not staff.
"""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils import timezone
from django_otp.admin import OTPAdminAuthenticationForm

from harris_tracker.staff_home import staff_home_panels


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete options named by the model admin's `autocomplete_label(obj)` where it has
    one ("32 — Consideration should be given…" rather than "Recommendation 32")."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        return {**result, "text": label(obj)} if label else result


class StaffOTPAuthenticationForm(OTPAdminAuthenticationForm):
    """The two-factor sign-in: a wrong code counts as a failed sign-in for django-axes.

    django-otp's per-device throttle is off (OTP_TOTP_THROTTLE_FACTOR = 0, as its docs allow):
    it delayed the right code from any address, so wrong codes sent by whoever knew the
    password kept the officer out. Counted by axes instead, wrong codes lock out the username
    from the address that sent them (AXES_LOCKOUT_PARAMETERS), as wrong passwords do.
    """

    def clean_otp(self, user) -> None:
        try:
            super().clean_otp(user)
        except ValidationError as error:
            if error.code == "invalid_token":
                user_login_failed.send(
                    sender=type(self),
                    credentials={"username": user.get_username()},
                    request=self.request,
                )
            raise


class TrackerAdminSite(AdminSite):
    site_header = "Harris Review Tracker"
    site_title = "Harris Review Tracker admin"
    index_title = "What needs doing"
    # The staff home: the panels of harris_tracker/staff_home.py above the usual lists.
    index_template = "admin/tracker_index.html"

    @property
    def login_form(self):
        return StaffOTPAuthenticationForm if settings.STAFF_TWO_FACTOR else AdminAuthenticationForm

    @property
    def login_template(self):
        return "otp/admin111/login.html" if settings.STAFF_TWO_FACTOR else None

    def has_permission(self, request) -> bool:
        allowed = super().has_permission(request)
        if allowed and settings.STAFF_TWO_FACTOR:
            return request.user.is_verified()
        return allowed

    def index(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        panels = staff_home_panels(request, timezone.localdate())
        return super().index(request, {**(extra_context or {}), "panels": panels})

    def get_app_list(self, request: HttpRequest, app_label=None) -> list[dict]:
        """The apps and their models, with the Overdue page among the recommendations' pages
        (on the home and in the side navigation) for those who may view recommendations."""
        app_list = super().get_app_list(request, app_label)
        if not request.user.has_perm("recommendations.view_recommendation"):
            return app_list
        for app in app_list:
            if app["app_label"] == "recommendations":
                app["models"].append(
                    {
                        "name": "Overdue",
                        "object_name": "Overdue",
                        "perms": {"view": True},
                        "admin_url": reverse(
                            "admin:recommendations_overdue", current_app=self.name
                        ),
                        "add_url": None,
                        "view_only": True,
                    }
                )
                app["models"].sort(key=lambda model: model["name"])
        return app_list

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        # PostgreSQL refuses a NUL character in a query parameter with an error, not an
        # empty result: no search can contain one, so the request is refused up front.
        if any("\x00" in value for _name, values in request.GET.lists() for value in values):
            return HttpResponseBadRequest(
                "The search contains a NUL character (%00), which no record can contain.",
                content_type="text/plain; charset=utf-8",
            )
        return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)
