"""The reporting loop's services: invite, open a round, submit, approve or return."""

import datetime

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone

from recommendations.models import ProgressUpdate, Status
from reporting.models import Evidence, Submission, UpdateRequest
from reporting.services import (
    approve_submission,
    invite_contact,
    open_round,
    return_submission,
    save_submission,
)
from tests.factories import (
    OrganisationFactory,
    OwnerContactFactory,
    OwnershipFactory,
    RecommendationFactory,
    StaffUserFactory,
    SubmissionFactory,
    UpdateRequestFactory,
)
from tests.reporting.helpers import pdf

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NEXT_MONTH = TODAY + datetime.timedelta(days=30)


def submit(update_request, contact, **changes):
    fields = {
        "request": update_request,
        "author": contact.user,
        "text": "Training delivered to every borough.",
        "date": datetime.date(2018, 6, 1),
        "proposed_status": Status.ONGOING,
        "submit": True,
        **changes,
    }
    return save_submission(**fields)


# invite_contact


def test_invitation_emails_a_set_password_link_and_never_a_password(run_tasks):
    las = OrganisationFactory(name="London Ambulance Service", acronym="LAS")
    officer = StaffUserFactory()

    with run_tasks():
        contact = invite_contact(
            email="j.doe@las.example", name="Jo Doe", organisations=[las], invited_by=officer
        )

    assert not contact.user.is_staff
    assert not contact.user.has_usable_password()
    assert list(contact.organisations.all()) == [las]
    [message] = mail.outbox
    assert message.to == ["j.doe@las.example"]
    assert "recommendations owned by LAS." in " ".join(message.body.split())
    assert "named as a contact for LAS." in message.body
    uid_and_token = message.body.split("/owners/password/set/")[1].split()[0]
    _uidb64, token, _ = uid_and_token.split("/")
    assert default_token_generator.check_token(contact.user, token)
    assert "text/html" in message.alternatives[0][1]


def test_inviting_an_existing_contact_again_adds_the_organisation():
    contact = OwnerContactFactory(user__email="jo@example.org")
    tfl = OrganisationFactory(acronym="TfL")

    again = invite_contact(email="JO@example.org", name="Jo", organisations=[tfl], invited_by=None)

    assert again == contact
    assert tfl in again.organisations.all()
    assert again.organisations.count() == 2


def test_a_staff_account_cannot_be_made_an_owner_contact():
    officer = StaffUserFactory(email="officer@mopac.example")

    with pytest.raises(ValidationError, match="staff account"):
        invite_contact(
            email=officer.email, name="", organisations=[OrganisationFactory()], invited_by=None
        )
    assert not mail.outbox


# open_round


def test_a_round_asks_every_owner_once_and_emails_each_contact_once(run_tasks):
    lead = OrganisationFactory(name="London Ambulance Service", acronym="LAS")
    other = OrganisationFactory(name="London Fire Brigade", acronym="LFB")
    first, second = RecommendationFactory(number=47), RecommendationFactory(number=48)
    OwnershipFactory(recommendation=first, organisation=lead, is_lead=True)
    OwnershipFactory(recommendation=first, organisation=other, is_lead=False)
    OwnershipFactory(recommendation=second, organisation=lead, is_lead=True)
    OwnerContactFactory(organisations=[lead, other], user__email="both@example.org")
    OwnerContactFactory(organisations=[OrganisationFactory()])  # asked nothing

    with run_tasks():
        update_round = open_round(
            name="2018 annual report",
            due_date=NEXT_MONTH,
            recommendations=[first, second],
            opened_by=None,
        )

    asked = set(
        update_round.requests.values_list(
            "recommendation__number", "organisation__acronym", "is_lead"
        )
    )
    assert asked == {(47, "LAS", True), (47, "LFB", False), (48, "LAS", True)}
    [message] = mail.outbox
    assert message.to == ["both@example.org"]
    assert "Recommendation 47" in message.body and "Recommendation 48" in message.body
    assert "you report progress for LAS, LFB." in message.body
    assert "/owners/" in message.body


def test_a_round_due_in_the_past_is_refused():
    with pytest.raises(ValidationError, match="past"):
        open_round(
            name="Late",
            due_date=TODAY - datetime.timedelta(days=1),
            recommendations=[RecommendationFactory()],
            opened_by=None,
        )
    assert not UpdateRequest.objects.exists()


# save_submission


@pytest.fixture
def asked():
    """What a round asks of LAS about recommendation 47, and an LAS contact."""
    las = OrganisationFactory(acronym="LAS")
    update_request = UpdateRequestFactory(
        organisation=las,
        recommendation=RecommendationFactory(number=47),
        round__due_date=NEXT_MONTH,
    )
    return update_request, OwnerContactFactory(organisations=[las])


def test_a_draft_is_saved_then_edited_then_submitted(asked):
    update_request, contact = asked

    draft = submit(update_request, contact, text="First go.", submit=False)
    again = submit(update_request, contact, text="Second go.", submit=True)

    assert again.pk == draft.pk
    assert again.state == Submission.State.SUBMITTED
    assert again.submitted_at is not None
    assert [h.state for h in again.history.order_by("history_date")] == ["draft", "submitted"]
    assert not ProgressUpdate.objects.exists()


def test_a_contact_of_another_organisation_cannot_answer(asked):
    update_request, _ = asked
    stranger = OwnerContactFactory()

    with pytest.raises(PermissionDenied):
        submit(update_request, stranger)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": "   "}, "text"),
        ({"date": TODAY + datetime.timedelta(days=1)}, "date"),
        ({"date": datetime.date(2016, 10, 30)}, "date"),
        ({"proposed_status": "closed"}, "proposed_status"),
    ],
)
def test_bad_answers_are_refused_naming_the_field(asked, changes, field):
    update_request, contact = asked

    with pytest.raises(ValidationError) as error:
        submit(update_request, contact, **changes)

    assert field in error.value.message_dict
    assert not Submission.objects.exists()


def test_one_refused_file_saves_nothing(asked):
    update_request, contact = asked
    renamed = SimpleUploadedFile("fake.pdf", b"MZ\x90 a program", content_type="application/pdf")

    with pytest.raises(ValidationError, match=r"fake\.pdf"):
        submit(update_request, contact, files=[pdf("good.pdf"), renamed])

    assert not Submission.objects.exists()
    assert not Evidence.objects.exists()


def test_evidence_is_stored_with_its_checked_type(asked, settings):
    update_request, contact = asked

    submission = submit(update_request, contact, files=[pdf("Annual return.pdf")])

    [evidence] = submission.evidence.all()
    assert evidence.original_name == "Annual return.pdf"
    assert evidence.content_type == "application/pdf"
    assert not evidence.public
    assert (settings.MEDIA_ROOT / evidence.file.name).exists()


def test_nothing_more_can_be_sent_while_one_awaits_review(asked):
    update_request, contact = asked
    submit(update_request, contact)

    with pytest.raises(ValidationError, match="already awaiting review"):
        submit(update_request, contact)


# approve and return


def test_approval_publishes_the_update_as_an_officer_would(asked):
    update_request, contact = asked
    submission = submit(update_request, contact, proposed_status=Status.RESOLVED, files=[pdf()])
    officer = StaffUserFactory()

    approve_submission(
        submission=submission,
        officer=officer,
        text="Training delivered in all 32 boroughs.",
        public_evidence=submission.evidence.all(),
    )

    submission.refresh_from_db()
    recommendation = update_request.recommendation
    recommendation.refresh_from_db()
    assert submission.state == Submission.State.APPROVED
    assert submission.text == "Training delivered to every borough."
    assert submission.approved_text == "Training delivered in all 32 boroughs."
    assert recommendation.status == Status.RESOLVED
    update = submission.published_update
    assert (update.text, update.published, update.entered_by) == (
        "Training delivered in all 32 boroughs.",
        True,
        officer,
    )
    assert update.history.first().history_user == officer
    assert submission.evidence.get().public
    assert submission.history.first().history_user == officer


def test_an_officer_may_decline_a_closure_by_approving_another_status(asked):
    update_request, contact = asked
    submission = submit(update_request, contact, proposed_status=Status.RESOLVED)
    assert submission.is_closure_request

    approve_submission(submission=submission, officer=StaffUserFactory(), status=Status.ONGOING)

    update_request.recommendation.refresh_from_db()
    assert update_request.recommendation.status == Status.ONGOING


def test_only_a_reviewer_may_approve(asked):
    update_request, contact = asked
    submission = submit(update_request, contact)

    with pytest.raises(PermissionDenied):
        approve_submission(submission=submission, officer=StaffUserFactory(role="Auditor"))
    with pytest.raises(PermissionDenied):
        approve_submission(submission=submission, officer=contact.user)
    assert not ProgressUpdate.objects.exists()


def test_a_returned_submission_is_answered_by_a_new_one(asked, run_tasks):
    update_request, contact = asked
    first = submit(update_request, contact)
    mail.outbox.clear()

    with run_tasks():
        return_submission(
            submission=first, officer=StaffUserFactory(), comment="Say which boroughs."
        )
    second = submit(update_request, contact, text="All 32 boroughs.")

    first.refresh_from_db()
    assert first.state == Submission.State.RETURNED
    assert first.review_comment == "Say which boroughs."
    assert second.pk != first.pk
    [message] = mail.outbox
    assert message.to == [contact.user.email]
    assert "Say which boroughs." in message.body
    assert "/owners/recommendations/47/" in message.body


def test_returning_needs_a_comment(asked):
    update_request, contact = asked
    submission = submit(update_request, contact)

    with pytest.raises(ValidationError, match="Say why"):
        return_submission(submission=submission, officer=StaffUserFactory(), comment=" ")


def test_a_draft_cannot_be_approved():
    draft = SubmissionFactory()

    with pytest.raises(ValidationError, match="not awaiting review"):
        approve_submission(submission=draft, officer=StaffUserFactory())


def test_a_failure_after_files_were_stored_leaves_none_behind(asked, settings, monkeypatch):
    """The rows roll back with the transaction; the files already in storage go too."""
    update_request, contact = asked
    real_save = Evidence.save
    calls = []

    def second_fails(self, *args, **kwargs):
        calls.append(self.original_name)
        if len(calls) == 2:
            raise IntegrityError("the database refused the second file's row")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Evidence, "save", second_fails)
    with pytest.raises(IntegrityError):
        submit(update_request, contact, files=[pdf("first.pdf"), pdf("second.pdf")])

    assert calls == ["first.pdf", "second.pdf"]
    assert not Evidence.objects.exists()
    assert not Submission.objects.exists()
    stored = [p for p in (settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert stored == []
