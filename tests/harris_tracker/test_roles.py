"""Each role can do what its work needs, and nothing else."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from harris_tracker.roles import ROLES, role_permissions
from recommendations.models import ProgressUpdate, Recommendation, Status
from tests.factories import (
    ActionFactory,
    MeetingFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/recommendations/recommendation/"


def login(client, role: str):
    user = StaffUserFactory(role=role)
    client.force_login(user)
    return user


def test_the_four_roles_exist_after_migrate():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


@pytest.mark.parametrize("role", list(ROLES))
def test_the_migrations_groups_hold_exactly_what_roles_grants(role):
    """The data migration keeps its own copy of the roles: it must agree with ROLES."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    def codenames(permissions):
        return {f"{p.content_type.app_label}.{p.codename}" for p in permissions}

    made = Group.objects.get(name=role).permissions.select_related("content_type")
    assert codenames(made) == codenames(role_permissions(apps, ROLES[role]))


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            "MOPAC officer",
            [
                "recommendations.add_progressupdate",
                "recommendations.change_recommendation",
                "recommendations.publish_update",
                "recommendations.withdraw_update",
                "boards.view_meeting",
            ],
            [
                "boards.publish_minutes",
                "boards.change_meeting",
                "boards.add_action",
                "recommendations.import_updates",
                "recommendations.export_position",
                "recommendations.delete_progressupdate",
            ],
        ),
        (
            "Board secretariat",
            [
                "boards.change_meeting",
                "boards.add_action",
                "boards.publish_minutes",
                "recommendations.view_recommendation",
            ],
            [
                "recommendations.add_progressupdate",
                "recommendations.change_recommendation",
                "recommendations.publish_update",
            ],
        ),
        (
            "Report author",
            [
                "recommendations.add_progressupdate",
                "recommendations.import_updates",
                "recommendations.export_position",
                "recommendations.import_recommendations",
            ],
            ["boards.change_meeting", "boards.publish_minutes"],
        ),
        (
            "Auditor",
            [
                "recommendations.view_recommendation",
                "recommendations.view_historicalrecommendation",
                "recommendations.view_historicalprogressupdate",
                "boards.view_meeting",
                "boards.view_historicalmeeting",
            ],
            [
                "recommendations.add_progressupdate",
                "recommendations.change_recommendation",
                "recommendations.delete_recommendation",
                "recommendations.publish_update",
                "boards.change_meeting",
            ],
        ),
    ],
)
def test_each_role_has_exactly_what_it_needs(role, allowed, refused):
    user = StaffUserFactory(role=role)
    for permission in allowed:
        assert user.has_perm(permission), f"{role} should have {permission}"
    for permission in refused:
        assert not user.has_perm(permission), f"{role} should not have {permission}"


def test_no_role_may_delete_anything():
    for role in ROLES:
        user = StaffUserFactory(role=role)
        assert not [p for p in user.get_all_permissions() if ".delete_" in p], role


def test_an_officer_records_an_update_with_the_action(client):
    login(client, "MOPAC officer")
    recommendation = RecommendationFactory()
    response = client.post(
        CHANGELIST,
        {
            "action": "record_status_update",
            "_selected_action": [recommendation.pk],
            "apply": "1",
            "status": "resolved",
            "date": "2018-06-01",
            "text": "Done.",
            "publication": "publish",
        },
    )
    assert response.status_code == 302
    assert Recommendation.objects.get(pk=recommendation.pk).status == Status.RESOLVED


def test_an_officer_cannot_publish_minutes_or_change_a_meeting(client):
    login(client, "MOPAC officer")
    meeting = MeetingFactory()
    url = f"/admin/boards/meeting/{meeting.pk}/change/"
    assert client.get(url).status_code == 200  # read only
    response = client.post(url, {"minutes_status": "published", "status": "held"})
    assert response.status_code == 403
    assert client.get("/admin/boards/meeting/add/").status_code == 403


def test_the_secretariat_changes_a_meeting(client):
    login(client, "Board secretariat")
    assert client.get("/admin/boards/meeting/add/").status_code == 200


def test_the_secretariat_cannot_add_an_update_or_change_a_status(client):
    login(client, "Board secretariat")
    recommendation = RecommendationFactory()
    assert client.get(CHANGELIST).status_code == 200
    assert client.get("/admin/recommendations/progressupdate/add/").status_code == 403
    response = client.post(
        "/admin/recommendations/progressupdate/add/",
        {"recommendation": recommendation.pk, "date": "2018-01-01", "status": "resolved"},
    )
    assert response.status_code == 403
    response = client.post(
        CHANGELIST,
        {
            "action": "record_status_update",
            "_selected_action": [recommendation.pk],
            "apply": "1",
            "status": "resolved",
            "date": "2018-06-01",
            "text": "Done.",
            "publication": "publish",
        },
    )
    # The action is not offered to the secretariat: the admin says so and records nothing.
    assert not ProgressUpdate.objects.exists()
    assert Recommendation.objects.get(pk=recommendation.pk).status == Status.ONGOING
    assert response.status_code in (200, 302)


def test_an_auditor_views_changelists_and_history_but_changes_nothing(client):
    login(client, "Auditor")
    update = ProgressUpdateFactory()
    recommendation = update.recommendation
    organisation = OrganisationFactory()
    meeting = ActionFactory().meeting
    for url in [
        CHANGELIST,
        "/admin/recommendations/progressupdate/",
        "/admin/recommendations/organisation/",
        f"{CHANGELIST}{recommendation.pk}/change/",
        f"{CHANGELIST}{recommendation.pk}/history/",
        f"/admin/recommendations/progressupdate/{update.pk}/history/",
        "/admin/boards/meeting/",
        f"/admin/boards/meeting/{meeting.pk}/history/",
        f"{CHANGELIST}overdue/",
    ]:
        assert client.get(url).status_code == 200, url
    for url in [
        f"{CHANGELIST}add/",
        "/admin/recommendations/progressupdate/add/",
        f"{CHANGELIST}{recommendation.pk}/delete/",
        f"/admin/recommendations/organisation/{organisation.pk}/delete/",
        f"/admin/recommendations/progressupdate/{update.pk}/delete/",
        "/admin/boards/meeting/add/",
    ]:
        assert client.get(url).status_code == 403, url
    response = client.post(
        f"{CHANGELIST}{recommendation.pk}/change/",
        {"number": recommendation.number, "text": "Changed", "section": "other"},
    )
    assert response.status_code == 403
    assert Recommendation.objects.get(pk=recommendation.pk).text == recommendation.text
    assert client.get(f"{CHANGELIST}import/").status_code == 403
    assert client.get(f"{CHANGELIST}export/").status_code == 403


def test_only_report_authors_import_and_export(client):
    login(client, "MOPAC officer")
    assert client.get("/admin/recommendations/progressupdate/import/").status_code == 403
    assert client.get(f"{CHANGELIST}export/").status_code == 403
    login(client, "Report author")
    assert client.get("/admin/recommendations/progressupdate/import/").status_code == 200
    assert client.get(f"{CHANGELIST}export/").status_code == 200


def test_a_forged_post_without_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    recommendation = RecommendationFactory()
    response = client.post(
        CHANGELIST,
        {
            "action": "record_status_update",
            "_selected_action": [recommendation.pk],
            "apply": "1",
            "status": "resolved",
            "date": "2018-06-01",
            "text": "Done.",
            "publication": "publish",
        },
    )
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_create_staff_user_puts_the_user_in_the_role(monkeypatch):
    monkeypatch.setenv("NEW_STAFF_PASSWORD", "a long and unusual passphrase 7")
    call_command(
        "create_staff_user",
        "--username=asmith",
        "--email=a.smith@mopac.example",
        "--role=Report author",
        "--password-from-env=NEW_STAFF_PASSWORD",
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    user = get_user_model().objects.get(username="asmith")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Report author"]
    assert user.check_password("a long and unusual passphrase 7")


def test_create_staff_user_asks_for_the_password_twice(monkeypatch):
    answers = iter(["a long and unusual passphrase 7", "a long and unusual passphrase 7"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command(
        "create_staff_user", "--username=bjones", "--email=b@x.example", "--role=Auditor",
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )  # fmt: skip
    assert get_user_model().objects.get(username="bjones").groups.get().name == "Auditor"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role=Nobody"], "invalid choice"),
        (["--role=Auditor", "--password-from-env=UNSET_VARIABLE"], "empty or not set"),
    ],
)
def test_create_staff_user_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_staff_user", "--username=c", "--email=c@x.example", *args)
    assert not get_user_model().objects.filter(username="c").exists()


def test_create_staff_user_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("WEAK", "password")
    with pytest.raises(CommandError, match="refused"):
        call_command(
            "create_staff_user", "--username=d", "--email=d@x.example",
            "--role=Auditor", "--password-from-env=WEAK",
        )  # fmt: skip
