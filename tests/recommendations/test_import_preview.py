"""The import preview says which public statuses the file will change, before anything is
written, and a confirmed batch of drafts says that nothing public changed."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recommendations.import_preview import status_changes
from recommendations.models import Status
from tests.factories import ProgressUpdateFactory, RecommendationFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

HEADER = "recommendation,date,status,update\n"
IMPORT_URL = "/admin/recommendations/progressupdate/import/"
CONFIRM_URL = "/admin/recommendations/progressupdate/process_import/"


@pytest.fixture
def author(client):
    user = StaffUserFactory(role="Report author")
    client.force_login(user)
    return user


@pytest.fixture
def recommendations():
    r19 = RecommendationFactory(number=19, text="The LAS should review its arrangements.")
    r20 = RecommendationFactory(number=20)
    ProgressUpdateFactory(recommendation=r20, date=datetime.date(2018, 1, 1), status="resolved")
    return r19, r20


def preview(client, body: str, publication: str = "publish"):
    upload = SimpleUploadedFile("updates.csv", (HEADER + body).encode(), content_type="text/csv")
    return client.post(IMPORT_URL, {"import_file": upload, "publication": publication})


def test_the_preview_names_each_status_change(client, author, recommendations):
    response = preview(
        client,
        "19,2018-06-01,Resolved,Done.\n"
        "20,2017-06-01,Ongoing,An older update.\n",  # older than 20's: no change
    )
    page = response.content.decode()
    assert "19: Ongoing → Resolved" in page
    assert "19 — The LAS should review its arrangements." in page
    assert "20: " not in page


def test_a_preview_of_drafts_says_no_status_will_change(client, author, recommendations):
    page = preview(client, "19,2018-06-01,Resolved,Done.\n", publication="draft").content.decode()
    assert "no public status will change" in page
    assert "19: Ongoing → Resolved" not in page


def test_confirmed_drafts_say_nothing_public_changed(client, author, recommendations):
    response = preview(client, "19,2018-06-01,Resolved,Done.\n", publication="draft")
    confirm = response.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    response = client.post(CONFIRM_URL, data, follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert "Saved 1 draft: no public status has changed." in texts


def test_the_latest_row_of_a_recommendation_decides(recommendations):
    rows = [
        (19, datetime.date(2018, 6, 1), Status.RESOLVED),
        (19, datetime.date(2018, 3, 1), Status.ONGOING),
        (20, datetime.date(2018, 1, 1), Status.ONGOING),  # same date as 20's: later, so wins
    ]
    assert [str(c) for c in status_changes(rows)] == [
        "19: Ongoing → Resolved",
        "20: Resolved → Ongoing",
    ]
