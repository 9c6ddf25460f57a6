"""A confirmed import writes its rows once, whatever the timing (issue 22, item 4), and
blames the database, not the file, when the database is lost (item 13).

The admin's confirm step is a form that names the file the preview kept. A double click on
"Confirm import", or two people confirming the same preview, sent it twice: every row was
written twice, and the second request was a 500 once the first had removed the file.
"""

import contextlib
import datetime
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InterfaceError, OperationalError, connection, connections
from django.test import Client

from boards.models import Action
from recommendations.admin import ProgressUpdateAdmin
from recommendations.imports import import_updates
from recommendations.models import ImportRecord, Organisation, ProgressUpdate, Recommendation
from recommendations.resources import ProgressUpdateResource
from tests.factories import (
    MeetingFactory,
    OrganisationFactory,
    RecommendationFactory,
    StaffUserFactory,
    UserFactory,
)

UPDATES = "/admin/recommendations/progressupdate/"
UPDATES_FILE = (
    "recommendation,date,status,update\n1,2018-06-01,Resolved,Done.\n2,2018-06-01,Ongoing,Going.\n"
)


def preview(client: Client, url: str, content: str, **fields) -> dict:
    """The confirm form's data, as the preview page sends it back."""
    upload = SimpleUploadedFile("batch.csv", content.encode(), content_type="text/csv")
    response = client.post(f"{url}import/", {"import_file": upload, "resource": "0", **fields})
    assert response.status_code == 200
    confirm = response.context["confirm_form"]
    return {name: confirm[name].value() for name in confirm.fields}


@pytest.mark.django_db
def test_a_double_click_on_confirm_writes_the_updates_once(client):
    RecommendationFactory(number=1)
    RecommendationFactory(number=2)
    author = StaffUserFactory(role="Report author")
    client.force_login(author)
    data = preview(client, UPDATES, UPDATES_FILE, publication="publish")
    first = client.post(f"{UPDATES}process_import/", data, follow=True)
    second = client.post(f"{UPDATES}process_import/", data, follow=True)
    assert first.status_code == second.status_code == 200
    assert ProgressUpdate.objects.count() == 2
    said = [str(m) for m in second.context["messages"]]
    assert any(
        m.startswith(f"This file was already imported by {author} at ")
        and m.endswith(": nothing was imported again.")
        for m in said
    ), said
    assert ImportRecord.objects.get().file_name == "batch.csv"


@pytest.mark.django_db
def test_a_failed_confirmation_leaves_no_record_and_a_second_is_told_why(client):
    """Rows that became wrong after the preview write nothing, and nothing says they did."""
    recommendation = RecommendationFactory(number=1)
    RecommendationFactory(number=2)
    client.force_login(StaffUserFactory(role="Report author"))
    data = preview(client, UPDATES, UPDATES_FILE, publication="publish")
    recommendation.delete()
    client.post(f"{UPDATES}process_import/", data)
    assert not ImportRecord.objects.exists()
    response = client.post(f"{UPDATES}process_import/", data, follow=True)
    assert "no longer waiting for confirmation" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def _recommendations(_user) -> tuple[str, str, dict]:
    RecommendationFactory(number=5, text="Train.")
    OrganisationFactory(slug="mps")
    rows = "number,section,text,made_on,owners,lead_owner\n5,other,Train.,2016-10-31,mps,mps\n"
    return "/admin/recommendations/recommendation/", rows, {}


def _organisations(_user) -> tuple[str, str, dict]:
    return "/admin/recommendations/organisation/", "slug,name\nlfb,London Fire Brigade\n", {}


def _actions(_user) -> tuple[str, str, dict]:
    MeetingFactory(board__slug="contest", date=datetime.date(2017, 1, 18))
    rows = "board,meeting_date,reference,text,owners,due_date,status\n"
    rows += "contest,2017-01-18,Action 9,Report back,,,Open\n"
    return "/admin/boards/action/", rows, {}


@pytest.mark.django_db
@pytest.mark.parametrize("admin", [_recommendations, _organisations, _actions])
def test_every_admin_import_confirmed_twice_writes_once(client, admin):
    user = UserFactory(is_superuser=True)
    client.force_login(user)
    url, rows, fields = admin(user)
    data = preview(client, url, rows, **fields)
    client.post(f"{url}process_import/", data)
    response = client.post(f"{url}process_import/", data, follow=True)
    assert response.status_code == 200
    assert "already imported" in response.content.decode()
    assert ImportRecord.objects.count() == 1
    assert Organisation.objects.filter(slug="lfb").count() <= 1
    assert Action.objects.filter(reference="Action 9").count() <= 1
    assert Recommendation.objects.filter(number=5).count() <= 1
    history = Recommendation.history.filter(number=5, history_type="~").count()
    assert history <= 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer at a time, so two confirmations cannot overlap there",
)
def test_two_people_confirming_at_once_write_the_updates_once(monkeypatch):
    RecommendationFactory(number=1)
    RecommendationFactory(number=2)
    user = UserFactory(is_superuser=True)
    owner = Client()
    owner.force_login(user)
    data = preview(owner, UPDATES, UPDATES_FILE, publication="publish")

    # Hold each confirmation after it has read the preview's file, until the other has too
    # (or for a moment, if the other is held elsewhere): both then write at once.
    both_read = threading.Barrier(2)
    original = ProgressUpdateAdmin.process_dataset

    def held(self, *args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=2)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ProgressUpdateAdmin, "process_dataset", held)
    answers: list[int] = []
    failures: list[BaseException] = []

    def confirm() -> None:
        try:
            client = Client()
            client.force_login(user)
            answers.append(client.post(f"{UPDATES}process_import/", data).status_code)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ProgressUpdate.objects.count() == 2
    assert ImportRecord.objects.count() == 1
    assert not failures, failures
    assert answers == [302, 302]


# The database lost during an import (issue 22, item 13): not the file's fault.

DATABASE_LOST_SAYS = (
    "Nothing was imported: the database could not be reached. This is not a problem with "
    "your file: try again in a few minutes."
)


def _lose_the_database(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_an_import_that_loses_the_database_says_so_not_correct_the_file(monkeypatch, error):
    RecommendationFactory(number=1)
    RecommendationFactory(number=2)

    def lost(*args, **kwargs):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setattr("recommendations.resources.bulk_record_updates", lost)
    upload = SimpleUploadedFile("batch.csv", UPDATES_FILE.encode())
    report = import_updates(dataset_or_file=upload, user=None, publish=True)
    assert not report.ok
    assert report.summary() == DATABASE_LOST_SAYS
    assert report.problems == []


@pytest.mark.django_db
def test_an_import_lost_before_its_rows_says_the_database_could_not_be_reached(monkeypatch):
    monkeypatch.setattr(ProgressUpdateResource, "import_data", _lose_the_database)
    upload = SimpleUploadedFile("batch.csv", UPDATES_FILE.encode())
    report = import_updates(dataset_or_file=upload, user=None, publish=True)
    assert report.summary() == DATABASE_LOST_SAYS


@pytest.mark.django_db
def test_the_admin_says_the_database_could_not_be_reached(client, monkeypatch):
    RecommendationFactory(number=1)
    RecommendationFactory(number=2)
    client.force_login(StaffUserFactory(role="Report author"))
    data = preview(client, UPDATES, UPDATES_FILE, publication="publish")
    monkeypatch.setattr("recommendations.resources.bulk_record_updates", _lose_the_database)
    response = client.post(f"{UPDATES}process_import/", data, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert said == [DATABASE_LOST_SAYS]
    assert not ProgressUpdate.objects.exists()
    assert not ImportRecord.objects.exists()


def test_every_admin_with_a_confirm_step_has_the_guard():
    """A new import admin must come through SpreadsheetImportMixin, or it has no guard."""
    from django.contrib import admin
    from import_export.admin import ImportMixin

    from recommendations.admin import SpreadsheetImportMixin

    importing = [a for a in admin.site._registry.values() if isinstance(a, ImportMixin)]
    assert len(importing) >= 4
    assert [a for a in importing if not isinstance(a, SpreadsheetImportMixin)] == []
