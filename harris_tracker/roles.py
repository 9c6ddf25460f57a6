"""The staff roles: Django groups with exactly the permissions each role needs.

The roles span both apps, so they live with the project. The groups are made by a data
migration (recommendations/migrations/0004_staff_roles.py) holding its own copy of `ROLES`,
so that it runs the same from a fresh database whatever this file later says; a test
checks the groups match `ROLES`. `create_staff_user` puts a user in one. To change a role,
change `ROLES` and add a migration that applies a copy of the new grants with
`apply_roles(apps, roles=…)`.
"""

from __future__ import annotations

from reporting.models import OWNER_CONTACT

OFFICER = "MOPAC officer"
SECRETARIAT = "Board secretariat"
REPORT_AUTHOR = "Report author"
AUDITOR = "Auditor"

VIEW_ADD_CHANGE = ("view", "add", "change")

_OFFICER = {
    "recommendations": {
        "recommendation": VIEW_ADD_CHANGE,
        "organisation": VIEW_ADD_CHANGE,
        "ownership": VIEW_ADD_CHANGE,
        "progressupdate": (*VIEW_ADD_CHANGE, "publish_update", "withdraw_update"),
        "targetdatechange": ("view",),
        # A recommendation's links, kept on its page (removed by a superuser, as nothing is
        # deleted by a role); the reviews are a superuser's to change.
        "recommendationlink": VIEW_ADD_CHANGE,
        "review": ("view",),
        "reviewsection": ("view",),
    },
    "boards": dict.fromkeys(("board", "meeting", "attendance", "agendaitem", "action"), ("view",)),
    "reporting": {
        "ownercontact": VIEW_ADD_CHANGE,
        "updateround": VIEW_ADD_CHANGE,
        "updaterequest": ("view",),
        "submission": ("view", "change", "review_submission"),
        "evidence": ("view", "change"),
        "remindersent": ("view",),
        # "Change" is sending a failed email again; nothing else of it can be changed.
        "outgoingemail": ("view", "change"),
    },
}

_SECRETARIAT = {
    "boards": {
        "board": VIEW_ADD_CHANGE,
        "meeting": (*VIEW_ADD_CHANGE, "publish_minutes"),
        "attendance": VIEW_ADD_CHANGE,
        "agendaitem": VIEW_ADD_CHANGE,
        "action": VIEW_ADD_CHANGE,
    },
    "recommendations": dict.fromkeys(
        (
            "recommendation",
            "organisation",
            "ownership",
            "progressupdate",
            "targetdatechange",
            "recommendationlink",
            "review",
            "reviewsection",
        ),
        ("view",),
    ),
}

_REPORT_AUTHOR = {
    "recommendations": {
        **_OFFICER["recommendations"],
        "recommendation": (*VIEW_ADD_CHANGE, "export_position", "import_recommendations"),
        "progressupdate": (*_OFFICER["recommendations"]["progressupdate"], "import_updates"),
    },
    "boards": _OFFICER["boards"],
    "reporting": _OFFICER["reporting"],
}

#: role → app label → model name → actions ("view", "add", "change") or custom codenames.
#: The auditor's "*" means: view every model of the app, its history included.
ROLES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    OFFICER: _OFFICER,
    SECRETARIAT: _SECRETARIAT,
    REPORT_AUTHOR: _REPORT_AUTHOR,
    AUDITOR: {
        "recommendations": {"*": ("view",)},
        "boards": {"*": ("view",)},
        "reporting": {"*": ("view",)},
    },
    # No permissions: the portal checks that a contact's organisations own what they touch.
    OWNER_CONTACT: {},
}


def _codename(action: str, model: str) -> str:
    return f"{action}_{model}" if action in ("view", "add", "change", "delete") else action


def role_permissions(apps, grants: dict[str, dict[str, tuple[str, ...]]]) -> list:
    """The permissions one role's grants name (with the given app registry)."""
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    permissions = []
    for app_label, models in grants.items():
        for model, actions in models.items():
            if model == "*":
                content_types = ContentType.objects.filter(app_label=app_label)
                permissions += Permission.objects.filter(
                    content_type__in=content_types,
                    codename__in=[_codename(a, ct.model) for ct in content_types for a in actions],
                )
                continue
            content_type = ContentType.objects.get(app_label=app_label, model=model)
            permissions += [
                Permission.objects.get(content_type=content_type, codename=_codename(a, model))
                for a in actions
            ]
    return permissions


def apply_roles(apps, roles: dict[str, dict[str, dict[str, tuple[str, ...]]]] = ROLES) -> None:
    """Make each role's group hold exactly its permissions (with the given app registry)."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    # In a fresh database the permissions are only made after all migrations have run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    for role, grants in roles.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(apps, grants))
