from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Owners report their own progress: update rounds, submissions, review and reminders."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = "Owner reporting"
