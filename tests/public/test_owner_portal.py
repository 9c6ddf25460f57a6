"""The owner portal: who may see what, sign-in, and sending an update for review."""

from __future__ import annotations

import datetime
import errno
import html
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.models import Status
from reporting.models import Evidence, OwnerContact, Submission
from reporting.services import open_round, return_submission, save_submission
from tests.factories import (
    OrganisationFactory,
    OwnerContactFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
SECRET = "The owner's words, not yet reviewed"


def text(response) -> str:
    return html.unescape(response.content.decode())


def make_contact(username: str, *organisations) -> OwnerContact:
    return OwnerContactFactory(
        user__username=username,
        user__email=f"{username}@owner.example",
        organisations=organisations,
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world():
    """LAS leads 47 and contributes to 48; MPS alone owns 32. A round asks about all three."""
    las = OrganisationFactory(name="London Ambulance Service", acronym="LAS", slug="las")
    mps = OrganisationFactory(name="Metropolitan Police Service", acronym="MPS", slug="mps")
    r47 = RecommendationFactory(number=47, text="LAS should review its major incident plan.")
    r48 = RecommendationFactory(number=48, text="Partners should share casualty data.")
    r32 = RecommendationFactory(number=32, text="The MPS should exercise with partners.")
    OwnershipFactory(recommendation=r47, organisation=las, is_lead=True)
    OwnershipFactory(recommendation=r48, organisation=mps, is_lead=True)
    OwnershipFactory(recommendation=r48, organisation=las, is_lead=False)
    OwnershipFactory(recommendation=r32, organisation=mps, is_lead=True)
    ProgressUpdateFactory(
        recommendation=r47, date=datetime.date(2017, 10, 31), status="ongoing", text="Begun."
    )
    las_contact = make_contact("paramedic", las)
    mps_contact = make_contact("inspector", mps)
    update_round = open_round(
        name="2018 annual report",
        due_date=datetime.date.today() + datetime.timedelta(days=14),
        recommendations=[r47, r48, r32],
        opened_by=None,
    )
    return SimpleNamespace(
        las=las,
        mps=mps,
        r47=r47,
        r48=r48,
        r32=r32,
        las_contact=las_contact,
        mps_contact=mps_contact,
        round=update_round,
    )


@pytest.fixture
def las_client(client, world):
    client.force_login(world.las_contact.user)
    return client


def update_form(**overrides) -> dict:
    return {
        "request": overrides.pop("request"),
        "text": SECRET,
        "date": "2018-03-31",
        "proposed_status": "ongoing",
        "action": "draft",
        **overrides,
    }


def request_for(world, recommendation, organisation):
    return world.round.requests.get(recommendation=recommendation, organisation=organisation)


def submission_for(world, organisation, *, submit: bool, files=()) -> Submission:
    contact = world.las_contact if organisation == world.las else world.mps_contact
    recommendation = world.r47 if organisation == world.las else world.r32
    return save_submission(
        request=request_for(world, recommendation, organisation),
        author=contact.user,
        text=SECRET,
        date=datetime.date(2018, 3, 31),
        proposed_status=Status.ONGOING,
        files=files,
        submit=submit,
    )


# Who may see what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/owners/", "/owners/recommendations/47/", "/owners/submissions/1/"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/owners/sign-in/?next={path}"


def test_home_lists_the_contacts_recommendations_and_what_the_round_asks(las_client, world):
    response = las_client.get("/owners/")
    body = text(response)
    assert response.status_code == 200
    assert "/owners/recommendations/47/" in body
    assert "/owners/recommendations/48/" in body
    assert "/owners/recommendations/32/" not in body
    assert "2018 annual report" in body
    assert "the lead owner: an update is expected" in body
    assert "contributing: you may add an update" in body
    assert world.round.due_date.strftime("%-d %B %Y") in body


@pytest.mark.parametrize("number", [32, 99])
def test_a_recommendation_the_contact_does_not_own_is_not_found(las_client, world, number):
    assert las_client.get(f"/owners/recommendations/{number}/").status_code == 404
    response = las_client.post(
        f"/owners/recommendations/{number}/",
        update_form(request=request_for(world, world.r32, world.mps).pk, action="submit"),
    )
    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_another_organisations_request_cannot_be_answered_through_an_owned_number(
    las_client, world
):
    mps_request = request_for(world, world.r48, world.mps)
    response = las_client.post("/owners/recommendations/48/", update_form(request=mps_request.pk))
    assert response.status_code == 200
    assert "Choose one of your organisations' requests" in text(response)
    assert not Submission.objects.exists()


def test_another_organisations_draft_and_evidence_are_not_found(las_client, world):
    theirs = submission_for(
        world, world.mps, submit=False, files=[SimpleUploadedFile("plan.pdf", PDF)]
    )
    assert las_client.get(f"/owners/submissions/{theirs.pk}/").status_code == 404
    assert las_client.get(f"/owners/evidence/{theirs.evidence.get().pk}/").status_code == 404


def test_the_contacts_own_submission_and_evidence_are_shown(las_client, world):
    ours = submission_for(
        world, world.las, submit=True, files=[SimpleUploadedFile("plan.pdf", PDF)]
    )
    page = las_client.get(f"/owners/submissions/{ours.pk}/")
    assert page.status_code == 200
    assert SECRET in text(page)
    download = las_client.get(f"/owners/evidence/{ours.evidence.get().pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert 'filename="plan.pdf"' in download["Content-Disposition"]


def test_staff_are_told_the_portal_is_for_owner_contacts(client, world):
    client.force_login(StaffUserFactory())
    response = client.get("/owners/")
    assert response.status_code == 403
    assert "The owner portal is for owners' contacts" in text(response)


def test_a_contact_does_not_get_into_the_admin(las_client):
    response = las_client.get("/admin/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")


def test_portal_pages_are_never_kept_in_a_shared_cache(client, world, settings):
    settings.DEBUG = False
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    client.force_login(world.las_contact.user)
    first = client.get("/owners/")
    assert "no-store" in first["Cache-Control"]
    assert not first.has_header("ETag")
    client.force_login(world.mps_contact.user)
    assert "/owners/recommendations/32/" in text(client.get("/owners/"))


def test_home_answers_in_the_same_number_of_queries_however_much_is_asked(client):
    las = OrganisationFactory(slug="las")
    contact = make_contact("paramedic", las)
    client.force_login(contact.user)

    def queries_with(numbers: range) -> int:
        recommendations = [RecommendationFactory(number=n) for n in numbers]
        for recommendation in recommendations:
            OwnershipFactory(recommendation=recommendation, organisation=las)
        update_round = open_round(
            name=f"Round {numbers.start}",
            due_date=datetime.date.today(),
            recommendations=recommendations,
            opened_by=None,
        )
        for update_request in update_round.requests.all()[:2]:
            save_submission(
                request=update_request,
                author=contact.user,
                text="Done.",
                date=datetime.date(2018, 1, 1),
                proposed_status="ongoing",
                submit=True,
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/owners/").status_code == 200
        return len(queries)

    assert queries_with(range(1, 3)) == queries_with(range(10, 20))


# Sending an update -----------------------------------------------------------------------------


def test_saving_a_draft_keeps_it_unsent_and_off_the_public_site(las_client, world):
    update_request = request_for(world, world.r47, world.las)
    response = las_client.post(
        "/owners/recommendations/47/", update_form(request=update_request.pk)
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.state == Submission.State.DRAFT
    assert submission.submitted_at is None
    assert "draft update on recommendation 47 was saved" in text(las_client.get("/owners/"))
    # The form carries on from the draft.
    assert SECRET in text(las_client.get("/owners/recommendations/47/"))
    assert SECRET not in text(las_client.get("/recommendations/47/"))


def test_submitting_a_closure_request_awaits_review_and_changes_nothing_public(las_client, world):
    update_request = request_for(world, world.r47, world.las)
    response = las_client.post(
        "/owners/recommendations/47/",
        update_form(
            request=update_request.pk,
            proposed_status="resolved",
            action="submit",
            evidence=[SimpleUploadedFile("report.pdf", PDF, "application/pdf")],
        ),
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.state == Submission.State.SUBMITTED
    assert submission.is_closure_request
    assert submission.evidence.get().original_name == "report.pdf"
    home = text(las_client.get("/owners/"))
    assert "It asks for the recommendation to be closed" in home
    assert "Awaiting review" in home
    world.r47.refresh_from_db()
    assert world.r47.status == Status.ONGOING
    assert SECRET not in text(las_client.get("/recommendations/47/"))
    # Nothing more can be sent while it awaits review.
    page = text(las_client.get("/owners/recommendations/47/"))
    assert "Submit for review" not in page


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("notes.pdf", b"just some text"), "notes.pdf does not contain"),
        (SimpleUploadedFile("run.exe", b"MZ\x90\x00"), "run.exe is not a file type we accept"),
    ],
)
def test_a_refused_upload_saves_nothing_and_names_the_file(
    las_client, world, settings, upload, message
):
    update_request = request_for(world, world.r47, world.las)
    good = SimpleUploadedFile("good.pdf", PDF)
    response = las_client.post(
        "/owners/recommendations/47/",
        update_form(request=update_request.pk, action="submit", evidence=[good, upload]),
    )
    body = text(response)
    assert response.status_code == 200
    assert message in body
    assert 'href="#id_evidence"' in body
    assert not Submission.objects.exists()
    assert not Evidence.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_form_errors_name_the_field(las_client, world):
    update_request = request_for(world, world.r47, world.las)
    response = las_client.post(
        "/owners/recommendations/47/",
        update_form(request=update_request.pk, text="", date="2015-01-01", action="submit"),
    )
    body = text(response)
    assert response.status_code == 200
    assert "Your update: Enter the text of your update" in body
    assert not Submission.objects.exists()
    response = las_client.post(
        "/owners/recommendations/47/",
        update_form(request=update_request.pk, date="2015-01-01", action="submit"),
    )
    assert "The date your update describes: The update cannot be dated before" in (text(response))
    assert not Submission.objects.exists()


def test_a_returned_submission_shows_the_comment_and_can_be_resubmitted(las_client, world):
    sent = submission_for(world, world.las, submit=True)
    return_submission(
        submission=sent, officer=StaffUserFactory(), comment="Say when the plan was signed off."
    )
    page = text(las_client.get("/owners/recommendations/47/"))
    assert "Say when the plan was signed off." in page
    # The form starts from what was returned.
    assert SECRET in page
    assert 'value="2018-03-31"' in page
    assert re.search(r'value="ongoing"[^>]* checked', page)
    assert "Say when the plan was signed off." in text(las_client.get("/owners/"))
    update_request = request_for(world, world.r47, world.las)
    response = las_client.post(
        "/owners/recommendations/47/",
        update_form(
            request=update_request.pk, text="Signed off on 1 March 2018.", action="submit"
        ),
    )
    assert response.status_code == 302
    states = dict(Submission.objects.values_list("text", "state"))
    assert states == {SECRET: "returned", "Signed off on 1 March 2018.": "submitted"}
    page = text(las_client.get("/owners/recommendations/47/"))
    assert "Say when the plan was signed off." not in page
    assert "Awaiting review" in page


def test_without_an_open_round_nothing_can_be_sent(las_client, world):
    world.round.closed_at = world.round.opened_at
    world.round.save()
    page = text(las_client.get("/owners/recommendations/47/"))
    assert "No open update round asks for an update" in page
    assert "Begun." in page  # the published history
    response = las_client.post(
        "/owners/recommendations/47/",
        update_form(request=request_for(world, world.r47, world.las).pk, action="submit"),
    )
    assert response.status_code == 302
    assert not Submission.objects.exists()


# Signing in ------------------------------------------------------------------------------------


def test_a_contact_signs_in_and_lands_on_the_portal(client, world):
    response = client.post(
        "/owners/sign-in/", {"username": "paramedic", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/owners/"
    assert "Your recommendations" in text(response)


def test_an_invited_contact_signs_in_with_their_address_in_any_case(client, world):
    make_contact("pat.medic@las.example", world.las)
    response = client.post(
        "/owners/sign-in/", {"username": " Pat.Medic@LAS.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/owners/"


def test_staff_cannot_sign_in_through_the_portal(client, world):
    StaffUserFactory(username="officer", password=PASSWORD)
    response = client.post("/owners/sign-in/", {"username": "officer", "password": PASSWORD})
    assert response.status_code == 200
    assert "This sign-in is for owners' contacts" in text(response)
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_portal_sign_in_out(client, world, settings):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/owners/sign-in/", {"username": "paramedic", "password": "wrong"})
    response = client.post("/owners/sign-in/", {"username": "paramedic", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session(las_client):
    response = las_client.post("/owners/sign-out/")
    assert "You have signed out" in text(response)
    assert las_client.get("/owners/").status_code == 302


def test_forgot_password_never_says_whether_the_address_is_known(client, world, run_tasks):
    mail.outbox.clear()
    StaffUserFactory(username="officer", email="officer@mopac.example")
    with run_tasks():
        unknown = client.post(
            "/owners/password/reset/", {"email": "nobody@example.com"}, follow=True
        )
        staff = client.post(
            "/owners/password/reset/", {"email": "officer@mopac.example"}, follow=True
        )
    assert mail.outbox == []
    with run_tasks():
        known = client.post(
            "/owners/password/reset/", {"email": "paramedic@owner.example"}, follow=True
        )
    assert unknown.content == staff.content == known.content
    assert [message.to for message in mail.outbox] == [["paramedic@owner.example"]]


def test_the_forgot_password_link_is_made_from_site_url_not_the_host_header(
    client, world, settings, run_tasks
):
    settings.SITE_URL = "https://tracker.example.org"
    settings.ALLOWED_HOSTS = ["*"]  # a lax proxy lets a forged Host header through
    mail.outbox.clear()
    with run_tasks():
        client.post(
            "/owners/password/reset/",
            {"email": "paramedic@owner.example"},
            headers={"host": "attacker.example"},
        )
    (message,) = mail.outbox
    html_body = message.alternatives[0][0]
    for body in (message.body, html_body):
        assert "https://tracker.example.org/owners/password/set/" in body
        assert "attacker.example" not in body


def test_the_plain_text_email_is_not_html_escaped(client, world, settings, run_tasks):
    """The text part is read as typed: an ampersand stays one; the HTML part escapes it."""
    settings.SITE_URL = "https://tracker.example.org/harris&partners"
    mail.outbox.clear()
    with run_tasks():
        client.post("/owners/password/reset/", {"email": "paramedic@owner.example"})
    (message,) = mail.outbox
    assert "https://tracker.example.org/harris&partners/owners/password/set/" in message.body
    assert "&amp;" not in message.body
    assert "&#" not in message.body
    assert "harris&amp;partners/owners/password/set/" in message.alternatives[0][0]
    assert "\n" not in message.subject
    assert message.subject.startswith("Set your password for the Harris Review Tracker")


def test_the_emailed_link_sets_a_password_for_an_invited_contact(client, world, run_tasks):
    world.las_contact.user.set_unusable_password()
    world.las_contact.user.save()
    mail.outbox.clear()
    with run_tasks():
        client.post("/owners/password/reset/", {"email": "paramedic@owner.example"})
    link = re.search(r"https?://[^/\s]+(/owners/password/set/\S+/)", mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    assert "Choose your password" in text(form_page)
    # The password rules are a list, not its markup shown as text.
    rule = "<li>Your password must contain at least 8 characters.</li>"
    assert rule in form_page.content.decode()
    new = "a much longer passphrase 2018"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Your password is set" in text(done)
    assert client.login(username="paramedic", password=new)
    # The link works once.
    assert "This link no longer works" in text(client.get(link, follow=True))


# A disk that fails, and the total per update (issue 22, items 9 and 10) -----------------------


class _FillsUp(File):
    """An upload the disk fills up on, part way through writing it."""

    def chunks(self, chunk_size=None):
        self.file.seek(0)
        yield self.file.read(len(PDF) // 2)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class FullDiskStorage(FileSystemStorage):
    """Django's own storage, on a disk that is full half way through the file."""

    def _save(self, name, content):
        return super()._save(name, _FillsUp(content.file, content.name))


class ReadOnlyDiskStorage(FileSystemStorage):
    """A disk mounted read-only: nothing can be created on it."""

    def _save(self, name, content):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))


class NoPermissionStorage(FileSystemStorage):
    def _save(self, name, content):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))


def stored_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.mark.parametrize(
    ("storage", "says"),
    [
        (FullDiskStorage, "our server has no room for files just now"),
        (ReadOnlyDiskStorage, "our server cannot store files just now"),
        (NoPermissionStorage, "our server cannot store files just now"),
    ],
)
def test_a_disk_that_fails_keeps_the_text_says_why_and_leaves_no_file(
    las_client, world, settings, storage, says
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.{storage.__name__}"},
    }
    update_request = request_for(world, world.r47, world.las)
    response = las_client.post(
        "/owners/recommendations/47/",
        update_form(
            request=update_request.pk,
            action="submit",
            evidence=[SimpleUploadedFile("report.pdf", PDF, "application/pdf")],
        ),
    )
    body = text(response)
    assert response.status_code == 200
    assert f"report.pdf could not be saved: {says}, and nothing of your update was saved" in (body)
    assert 'href="#id_evidence"' in body
    assert SECRET in body  # the text the contact typed, still in the form
    assert not Submission.objects.exists()
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []


def _pdf_of(size: int, name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + b"%" * (size - len(PDF)), "application/pdf")


def test_files_over_the_total_in_one_post_are_refused_naming_the_limit(
    las_client, world, settings
):
    settings.EVIDENCE_MAX_TOTAL_BYTES = 3 * 1024
    update_request = request_for(world, world.r47, world.las)
    files = [_pdf_of(1024, f"scan{n}.pdf") for n in range(4)]
    response = las_client.post(
        "/owners/recommendations/47/",
        update_form(request=update_request.pk, action="submit", evidence=files),
    )
    body = text(response).replace("\xa0", " ")
    assert (
        "These files come to 4.0 KB: an update may hold at most 3.0 KB of evidence in all, "
        "and 3.0 KB is left." in body
    )
    assert SECRET in body
    assert not Submission.objects.exists()
    assert stored_files(settings) == []


def test_a_draft_cannot_keep_adding_files_past_the_total(las_client, world, settings):
    settings.EVIDENCE_MAX_TOTAL_BYTES = 3 * 1024
    update_request = request_for(world, world.r47, world.las)

    def add(size: int):
        return las_client.post(
            "/owners/recommendations/47/",
            update_form(request=update_request.pk, evidence=[_pdf_of(size)]),
        )

    assert add(2048).status_code == 302
    body = text(add(2048)).replace("\xa0", " ")
    assert (
        "These files (2.0 KB) and the 2.0 KB already attached come to 4.0 KB: an update may "
        "hold at most 3.0 KB of evidence in all, and 1.0 KB is left." in body
    )
    assert add(1024).status_code == 302  # what is left still fits
    assert Submission.objects.get().evidence.count() == 2
    assert len(stored_files(settings)) == 2


def test_the_evidence_total_is_50_mb_unless_set():
    from django.conf import settings

    assert settings.EVIDENCE_MAX_TOTAL_BYTES == 50 * 1024 * 1024


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/owners/"])
def test_an_unsafe_next_lands_a_contact_on_the_portal_home(client, world, unsafe):
    response = client.post(
        f"/owners/sign-in/?next={unsafe}",
        {"username": "paramedic", "password": PASSWORD, "next": unsafe},
    )
    assert response.status_code == 302
    assert response["Location"] == "/owners/"
