from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = "Public site"

    def ready(self) -> None:
        from public import freshness, publications

        freshness.connect_signals()
        freshness.public_data_changed.connect(
            publications.schedule_report_builds, dispatch_uid="public.publications.builds"
        )
