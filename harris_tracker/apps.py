from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class TrackerAdminConfig(AdminConfig):
    default_site = "harris_tracker.admin.TrackerAdminSite"


class TrackerConfig(AppConfig):
    """The project above both apps: its commands (`load_initial_data`, `create_staff_user`)
    span recommendations and boards, so they belong to neither."""

    name = "harris_tracker"
    verbose_name = "Harris Review Tracker"
