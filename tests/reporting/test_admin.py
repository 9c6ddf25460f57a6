"""The staff side: the review queue, evidence downloads, rounds and their progress, invites."""

import datetime
import io

import openpyxl
import pytest
from django.core import mail
from django.utils import timezone

from recommendations.models import Status
from reporting.models import OwnerContact, Submission, UpdateRound
from reporting.services import save_submission
from tests.factories import (
    OrganisationFactory,
    OwnerContactFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
    UpdateRequestFactory,
)
from tests.reporting.helpers import pdf

pytestmark = pytest.mark.django_db

QUEUE = "/admin/reporting/submission/"
OWNER_TEXT = "Every paramedic has completed the marauding terrorist attack course."


@pytest.fixture
def submitted():
    """LAS, lead owner of recommendation 47, proposes closing it, with a PDF."""
    las = OrganisationFactory(name="London Ambulance Service", acronym="LAS", slug="las")
    recommendation = RecommendationFactory(number=47)
    OwnershipFactory(recommendation=recommendation, organisation=las)
    ProgressUpdateFactory(
        recommendation=recommendation, text="Training has started.", date=datetime.date(2017, 5, 1)
    )
    update_request = UpdateRequestFactory(organisation=las, recommendation=recommendation)
    contact = OwnerContactFactory(organisations=[las])
    return save_submission(
        request=update_request,
        author=contact.user,
        text=OWNER_TEXT,
        date=datetime.date(2018, 6, 1),
        proposed_status=Status.RESOLVED,
        files=[pdf("Course register.pdf")],
        submit=True,
    )


def review_url(submission) -> str:
    return f"{QUEUE}{submission.pk}/review/"


def test_the_queue_lists_what_awaits_review_with_current_and_proposed_status(client, submitted):
    client.force_login(StaffUserFactory())

    page = client.get(QUEUE).content.decode()

    assert "London Ambulance Service" in page or "LAS" in page
    assert "Ongoing" in page and "Resolved" in page
    assert review_url(submitted) in page


def test_the_review_page_shows_a_word_diff_and_links_the_evidence(client, submitted):
    client.force_login(StaffUserFactory())

    page = client.get(review_url(submitted)).content.decode()

    assert "<del>Training</del> <ins>Every paramedic</ins> has <del>started.</del>" in page
    evidence = submitted.evidence.get()
    assert f"/admin/reporting/submission/evidence/{evidence.pk}/" in page
    assert "(asks for closure)" in page


def test_approval_changes_the_public_page_counts_and_feed_on_the_next_request(
    client, submitted, django_capture_on_commit_callbacks
):
    before = client.get("/recommendations/47/").content.decode()
    home_before = client.get("/").content.decode()
    assert OWNER_TEXT not in before
    assert OWNER_TEXT not in client.get("/updates/feed/").content.decode()
    assert "0 of 1 resolved" in home_before
    evidence = submitted.evidence.get()
    client.force_login(StaffUserFactory())

    # The public pages' cache moves on once the approval is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            review_url(submitted),
            {
                "approve": "1",
                "text": OWNER_TEXT,
                "status": Status.RESOLVED,
                "public_evidence": [evidence.pk],
            },
        )

    assert response.status_code == 302
    client.logout()
    assert OWNER_TEXT in client.get("/recommendations/47/").content.decode()
    assert "1 of 1 resolved" in client.get("/").content.decode()
    assert "Recommendation 47: Resolved" in client.get("/updates/feed/").content.decode()
    submitted.refresh_from_db()
    assert submitted.state == Submission.State.APPROVED
    evidence.refresh_from_db()
    assert evidence.public


def test_returning_needs_a_comment_and_tells_the_owner(client, submitted, run_tasks):
    client.force_login(StaffUserFactory())
    mail.outbox.clear()

    with run_tasks():
        refused = client.post(review_url(submitted), {"return": "1", "status": "ongoing"})
        returned = client.post(
            review_url(submitted),
            {"return": "1", "status": "ongoing", "comment": "Which stations are left?"},
        )

    assert "Say why the update is returned." in refused.content.decode()
    assert returned.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == Submission.State.RETURNED
    [message] = mail.outbox
    assert "Which stations are left?" in message.body


@pytest.mark.parametrize("role", ["Auditor", "Board secretariat"])
def test_who_may_not_review_cannot_approve(client, submitted, role):
    client.force_login(StaffUserFactory(role=role))

    response = client.post(review_url(submitted), {"approve": "1", "status": "resolved"})

    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == Submission.State.SUBMITTED


def test_evidence_downloads_to_permitted_staff_only(client, submitted):
    url = f"/admin/reporting/submission/evidence/{submitted.evidence.get().pk}/"

    assert client.get(url).status_code == 302  # anonymous: sign in first
    client.force_login(submitted.author)  # an owner contact is not staff
    assert client.get(url).status_code == 302
    client.force_login(StaffUserFactory(role="Board secretariat"))
    assert client.get(url).status_code == 403
    client.force_login(StaffUserFactory())
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert 'filename="Course register.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"


def test_owner_contacts_never_get_into_the_admin(client):
    contact = OwnerContactFactory()
    client.force_login(contact.user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_opening_a_round_from_the_admin_asks_about_ongoing_recommendations(client):
    ongoing, resolved = RecommendationFactory(number=3), RecommendationFactory(number=4)
    ProgressUpdateFactory(recommendation=resolved, status=Status.RESOLVED)
    OwnershipFactory(recommendation=ongoing)
    OwnershipFactory(recommendation=resolved)
    client.force_login(StaffUserFactory())
    due = timezone.localdate() + datetime.timedelta(days=21)

    response = client.post(
        "/admin/reporting/updateround/add/",
        {"name": "2018 annual report", "due_date": due.isoformat(), "status": "ongoing"},
    )

    update_round = UpdateRound.objects.get()
    assert response.status_code == 302
    assert list(update_round.requests.values_list("recommendation__number", flat=True)) == [3]


def test_round_progress_counts_and_exports(client, submitted):
    update_round = submitted.request.round
    UpdateRequestFactory(round=update_round, organisation=OrganisationFactory(name="TfL"))
    client.force_login(StaffUserFactory(role="Auditor"))
    url = f"/admin/reporting/updateround/{update_round.pk}/progress/"

    page = client.get(url).content.decode()
    csv_text = client.get(url + "?format=csv").content.decode()
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content)).active

    assert "London Ambulance Service (LAS)" in page
    assert csv_text.splitlines() == [
        "Organisation,Asked,Submitted,Approved,Returned,Overdue",
        "London Ambulance Service,1,1,0,0,0",
        "TfL,1,0,0,0,0",
    ]
    assert [c.value for c in sheet[2]] == ["London Ambulance Service", 1, 1, 0, 0, 0]


def test_progress_counts_the_unanswered_as_overdue_once_the_due_date_passes(submitted):
    update_round = submitted.request.round
    UpdateRequestFactory(round=update_round, organisation=OrganisationFactory(name="TfL"))
    after = update_round.due_date + datetime.timedelta(days=1)

    overdue = {row.organisation.name: row.overdue for row in update_round.progress(after)}

    assert overdue == {"London Ambulance Service": 0, "TfL": 1}


def test_contacts_are_invited_from_the_organisations_page(client, run_tasks):
    las = OrganisationFactory(acronym="LAS")
    client.force_login(StaffUserFactory())

    page = client.get(f"/admin/recommendations/organisation/{las.pk}/change/").content.decode()
    invite = f"/admin/reporting/ownercontact/add/?organisation={las.pk}"
    form = client.get(invite).content.decode()
    with run_tasks():
        response = client.post(
            invite, {"name": "Jo Doe", "email": "jo@las.example", "organisations": [las.pk]}
        )

    assert invite in page.replace("&amp;", "&")
    assert f'value="{las.pk}" checked' in form or "checked" in form
    assert response.status_code == 302
    contact = OwnerContact.objects.get(user__email="jo@las.example")
    assert list(contact.organisations.all()) == [las]
    [message] = mail.outbox
    assert "/owners/password/set/" in message.body


def test_the_staff_home_links_the_review_queue_and_shows_open_rounds(client, submitted):
    client.force_login(StaffUserFactory())

    page = client.get("/admin/").content.decode()
    update_round = submitted.request.round
    progress = f"/admin/reporting/updateround/{update_round.pk}/progress/"

    assert 'href="/admin/reporting/submission/?state=submitted">' in page
    assert 'href="/admin/reporting/updateround/">' in page
    assert f'<a href="{progress}">{update_round.name}</a>' in page
    # asked 1, submitted 1, approved 0, returned 0, overdue 0
    assert "<td>1</td><td>1</td><td>0</td><td>0</td><td>0</td>" in page
