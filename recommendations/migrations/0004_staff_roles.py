from django.db import migrations

# The roles as this migration made them, frozen here: a migration must run the same from a
# fresh database whatever harris_tracker/roles.py says later (a later change of role is a
# migration of its own). role → app label → model → actions or custom codenames; "*" means
# every model of the app.
VIEW_ADD_CHANGE = ("view", "add", "change")
OFFICER_RECOMMENDATIONS = {
    "recommendation": VIEW_ADD_CHANGE,
    "organisation": VIEW_ADD_CHANGE,
    "ownership": VIEW_ADD_CHANGE,
    "progressupdate": (*VIEW_ADD_CHANGE, "publish_update", "withdraw_update"),
    "targetdatechange": ("view",),
}
BOARDS_VIEW = dict.fromkeys(("board", "meeting", "attendance", "agendaitem", "action"), ("view",))
ROLES = {
    "MOPAC officer": {"recommendations": OFFICER_RECOMMENDATIONS, "boards": BOARDS_VIEW},
    "Board secretariat": {
        "boards": {
            "board": VIEW_ADD_CHANGE,
            "meeting": (*VIEW_ADD_CHANGE, "publish_minutes"),
            "attendance": VIEW_ADD_CHANGE,
            "agendaitem": VIEW_ADD_CHANGE,
            "action": VIEW_ADD_CHANGE,
        },
        "recommendations": dict.fromkeys(
            ("recommendation", "organisation", "ownership", "progressupdate", "targetdatechange"),
            ("view",),
        ),
    },
    "Report author": {
        "recommendations": {
            **OFFICER_RECOMMENDATIONS,
            "recommendation": (*VIEW_ADD_CHANGE, "export_position", "import_recommendations"),
            "progressupdate": (*OFFICER_RECOMMENDATIONS["progressupdate"], "import_updates"),
        },
        "boards": BOARDS_VIEW,
    },
    "Auditor": {"recommendations": {"*": ("view",)}, "boards": {"*": ("view",)}},
}


def codename(action, model):
    return f"{action}_{model}" if action in ("view", "add", "change", "delete") else action


def permissions_for(apps, grants):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    permissions = []
    for app_label, models in grants.items():
        for model, actions in models.items():
            if model == "*":
                content_types = ContentType.objects.filter(app_label=app_label)
                permissions += Permission.objects.filter(
                    content_type__in=content_types,
                    codename__in=[codename(a, ct.model) for ct in content_types for a in actions],
                )
                continue
            content_type = ContentType.objects.get(app_label=app_label, model=model)
            permissions += [
                Permission.objects.get(content_type=content_type, codename=codename(a, model))
                for a in actions
            ]
    return permissions


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # In a fresh database the permissions are only made after all migrations have run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    for role, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions_for(apps, grants))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0003_target_dates_withdrawal_locking"),
        ("boards", "0003_meeting_version_publish_minutes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
