from django.db import migrations


def create_roles(apps, schema_editor):
    from recommendations.roles import apply_roles

    apply_roles(apps)


def remove_roles(apps, schema_editor):
    from recommendations.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0003_target_dates_withdrawal_locking"),
        ("boards", "0003_meeting_version_publish_minutes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
