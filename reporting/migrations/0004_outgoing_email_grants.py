from django.db import migrations

# The grants on the outgoing emails as this migration made them, frozen here (see
# 0002_owner_roles.py): officers and report authors see them and may send a failed one
# again; the auditor sees them.
GRANTS = {
    "MOPAC officer": ("view", "change"),
    "Report author": ("view", "change"),
    "Auditor": ("view",),
}


def add_grants(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # In a fresh database the permissions are only made after all migrations have run.
    app_config = apps.get_app_config("reporting")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, actions in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="reporting",
                codename__in=[f"{action}_outgoingemail" for action in actions],
            )
        )


def remove_grants(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="reporting", codename__endswith="_outgoingemail"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0003_outgoing_email"),
        ("reporting", "0002_owner_roles"),
    ]

    operations = [migrations.RunPython(add_grants, remove_grants)]
