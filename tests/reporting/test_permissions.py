"""Who may do what with owners' reporting."""

import pytest

from tests.factories import OwnerContactFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            "MOPAC officer",
            [
                "reporting.review_submission",
                "reporting.add_updateround",
                "reporting.add_ownercontact",
                "reporting.view_evidence",
            ],
            ["reporting.delete_submission", "reporting.add_submission"],
        ),
        (
            "Report author",
            ["reporting.review_submission", "reporting.view_submission"],
            ["reporting.delete_updateround"],
        ),
        (
            "Auditor",
            [
                "reporting.view_submission",
                "reporting.view_historicalsubmission",
                "reporting.view_evidence",
                "reporting.view_updateround",
            ],
            ["reporting.review_submission", "reporting.change_submission"],
        ),
        (
            "Board secretariat",
            [],
            [
                "reporting.view_submission",
                "reporting.view_evidence",
                "reporting.review_submission",
            ],
        ),
    ],
)
def test_each_staff_role_holds_its_reporting_permissions(role, allowed, refused):
    user = StaffUserFactory(role=role)

    assert all(user.has_perm(p) for p in allowed)
    assert not any(user.has_perm(p) for p in refused)


def test_an_owner_contact_is_not_staff_and_holds_no_permission():
    user = OwnerContactFactory().user

    assert not user.is_staff
    assert user.groups.get().name == "Owner contact"
    assert not user.get_all_permissions()
