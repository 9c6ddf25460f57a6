# The staff roles' grants on the reviews and the links, frozen here (see 0004_staff_roles.py):
# officers and report authors keep a recommendation's links (an inline on its page: adding
# and correcting them; as everywhere, no role deletes); everyone reads the reviews; only a
# superuser changes one.

from django.db import migrations

VIEW = ("view",)
KEEP_LINKS = {
    "recommendationlink": ("view", "add", "change"),
    "review": VIEW,
    "reviewsection": VIEW,
}
READ = dict.fromkeys(("recommendationlink", "review", "reviewsection"), VIEW)
GRANTS = {
    "MOPAC officer": KEEP_LINKS,
    "Report author": KEEP_LINKS,
    "Board secretariat": READ,
    "Auditor": READ,
}


def permissions_for(apps, grants):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(
            content_type__app_label="recommendations",
            content_type__model=model,
            codename=f"{action}_{model}",
        )
        for model, actions in grants.items()
        for action in actions
    ]


def add_grants(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # In a fresh database the permissions are only made after all migrations have run.
    app_config = apps.get_app_config("recommendations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    for role, grants in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*permissions_for(apps, grants))


def remove_grants(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*permissions_for(apps, GRANTS[group.name]))


class Migration(migrations.Migration):

    dependencies = [
        ("recommendations", "0018_remove_related"),
        ("reporting", "0002_owner_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add_grants, remove_grants)]
