"""The tracker's admin site: Django's, with optional two-factor sign-in for staff.

With STAFF_TWO_FACTOR on, staff sign in with a password and a code from an authenticator app
(django-otp TOTP devices, added for each user in the admin under "TOTP devices"); a user
without a verified device is treated as not staff.
"""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django_otp.admin import OTPAdminAuthenticationForm


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete options named by the model admin's `autocomplete_label(obj)` where it has
    one ("32 — Consideration should be given…" rather than "Recommendation 32")."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        return {**result, "text": label(obj)} if label else result


class TrackerAdminSite(AdminSite):
    site_header = "Harris Review Tracker"
    site_title = "Harris Review Tracker admin"
    index_title = "Recommendations, updates and boards"
    # Links to the Overdue page (recommendations/templates/admin/tracker_index.html).
    index_template = "admin/tracker_index.html"

    @property
    def login_form(self):
        return OTPAdminAuthenticationForm if settings.STAFF_TWO_FACTOR else AdminAuthenticationForm

    @property
    def login_template(self):
        return "otp/admin111/login.html" if settings.STAFF_TWO_FACTOR else None

    def has_permission(self, request) -> bool:
        allowed = super().has_permission(request)
        if allowed and settings.STAFF_TWO_FACTOR:
            return request.user.is_verified()
        return allowed

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        # PostgreSQL refuses a NUL character in a query parameter with an error, not an
        # empty result: no search can contain one, so the request is refused up front.
        if any("\x00" in value for _name, values in request.GET.lists() for value in values):
            return HttpResponseBadRequest(
                "The search contains a NUL character (%00), which no record can contain.",
                content_type="text/plain; charset=utf-8",
            )
        return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)
