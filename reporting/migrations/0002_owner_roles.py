from django.db import migrations

# The reporting grants as this migration made them, frozen here (see
# recommendations/migrations/0004_staff_roles.py): they are added to the staff roles made
# there, and the "Owner contact" group is made with no permissions at all.
VIEW_ADD_CHANGE = ("view", "add", "change")
OFFICER_REPORTING = {
    "ownercontact": VIEW_ADD_CHANGE,
    "updateround": VIEW_ADD_CHANGE,
    "updaterequest": ("view",),
    "submission": ("view", "change", "review_submission"),
    "evidence": ("view", "change"),
    "remindersent": ("view",),
}
GRANTS = {
    "MOPAC officer": OFFICER_REPORTING,
    "Report author": OFFICER_REPORTING,
    "Auditor": {"*": ("view",)},
}
OWNER_CONTACT = "Owner contact"


def codename(action, model):
    return f"{action}_{model}" if action in ("view", "add", "change", "delete") else action


def permissions_for(apps, grants):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = {ct.model: ct for ct in ContentType.objects.filter(app_label="reporting")}
    wanted = []
    for model, actions in grants.items():
        for name, content_type in content_types.items():
            if model in ("*", name):
                wanted += [(content_type, codename(a, name)) for a in actions]
    return [Permission.objects.get(content_type=ct, codename=code) for ct, code in wanted]


def add_grants(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # In a fresh database the permissions are only made after all migrations have run.
    app_config = apps.get_app_config("reporting")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    for role, grants in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*permissions_for(apps, grants))
    Group.objects.get_or_create(name=OWNER_CONTACT)


def remove_grants(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=OWNER_CONTACT).delete()
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="reporting")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_owner_reporting"),
        ("recommendations", "0004_staff_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add_grants, remove_grants)]
